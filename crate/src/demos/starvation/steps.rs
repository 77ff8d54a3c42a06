//! Chapter 13 in steps: the readers-writers locks of the demo written as small programs on
//! the deterministic scheduler ([`crate::sched`]), two readers and one writer, each with a
//! mutex `m`, a condition `ok` and shared counters. The learner is the scheduler: with
//! reader preference, bringing a new reader in before the last one leaves keeps the writer
//! waiting for as long as the readers have reads left.
//!
//! The programs mirror [`crate::locks::rwlock_readers`], [`crate::locks::rwlock_writers`]
//! and [`crate::locks::rwlock_fair`]: the same state, one instruction per step.

use super::{Contest, RwPolicy};
use crate::demos::stepper::Fit;
use crate::params::Params;
use crate::sched::{Cmp, Instr, Program, ProgramSpec, ThreadSpec};

/// Reads each reader makes before it ends.
pub const READS: i64 = 3;

/// The step view of the demo: the readers-writers program for its `policy` (the priority
/// scenario shows it too), noting in `fit` that it has two readers and one writer.
pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    let p = fit.p;
    match p.pick::<Contest>("scenario") {
        Contest::ReadersWriters => {
            // The step programs have readers R1 and R2 and one writer W.
            fit.int("readers", fit.input("readers", 2), 2, 2);
            fit.int("writers", fit.input("writers", 1), 1, 1);
        }
        Contest::Priority => {}
    }
    step_program(p)
}

/// The program for the demo's `policy`, and what to try.
pub fn step_program(p: &Params) -> (Program, &'static str) {
    match p.pick::<RwPolicy>("policy") {
        RwPolicy::Writers => (
            writers_first(),
            "Let R1 in, then W: once W has written waiting = 1, a reader that arrives waits, and W goes as soon as R1 leaves.",
        ),
        RwPolicy::Fair => (
            fair(),
            "Everyone takes a ticket (t = next) and goes in when serving reaches it. Whatever you do, W waits only for the tickets taken before its own.",
        ),
        RwPolicy::Readers => (
            readers_first(),
            "Let R1 in, then let W try: it waits. Now bring R2 in before R1 leaves, then R1 before R2 leaves: as long as a reader is inside, W never gets past if r == 0.",
        ),
    }
}

/// A reader: `enter` (the policy's way in), then its read and the way out, `READS` times.
fn reader(name: &str, locals: &[&str], enter: &[Instr]) -> ThreadSpec {
    let mut t = ThreadSpec::new(name).local("n", READS);
    for l in locals {
        t = t.local(l, 0);
    }
    let exit = [
        Instr::print(&format!("{name} reads")),
        Instr::lock("m"),
        Instr::read("readers", "r"),
        Instr::add("r", -1),
        Instr::write("readers", "r"),
        Instr::notify_all("ok"),
        Instr::unlock("m"),
        Instr::add("n", -1),
        Instr::jump_if("n", Cmp::Gt, 0, 0),
    ];
    t.steps(enter.iter().cloned().chain(exit))
}

fn build(spec: ProgramSpec) -> Program {
    let name = spec.name.clone();
    spec.build().unwrap_or_else(|e| panic!("the {name} program is invalid: {e}"))
}

/// Reader preference (Courtois et al.'s first problem): a reader waits only while a writer
/// is inside; the writer waits until `readers` is 0.
pub fn readers_first() -> Program {
    let enter = [
        Instr::lock("m"),                       // 0
        Instr::read("writing", "w"),            // 1
        Instr::jump_if("w", Cmp::Eq, 0, 5),     // 2
        Instr::wait("ok"),                      // 3
        Instr::jump(1),                         // 4
        Instr::read("readers", "r"),            // 5
        Instr::add("r", 1),                     // 6
        Instr::write("readers", "r"),           // 7
        Instr::unlock("m"),                     // 8
    ];
    let writer = ThreadSpec::new("W").local("r", 0).steps([
        Instr::lock("m"),                       // 0
        Instr::read("readers", "r"),            // 1
        Instr::jump_if("r", Cmp::Eq, 0, 5),     // 2
        Instr::wait("ok"),                      // 3
        Instr::jump(1),                         // 4
        Instr::write("writing", 1),             // 5
        Instr::unlock("m"),                     // 6
        Instr::print("W writes"),               // 7
        Instr::lock("m"),                       // 8
        Instr::write("writing", 0),             // 9
        Instr::notify_all("ok"),                // 10
        Instr::unlock("m"),                     // 11
    ]);
    build(
        ProgramSpec::new("readers-writers with reader preference")
            .var("readers", 0)
            .var("writing", 0)
            .lock("m")
            .cond("ok", "m")
            .thread(reader("R1", &["r", "w"], &enter))
            .thread(reader("R2", &["r", "w"], &enter))
            .thread(writer),
    )
}

/// Writer preference (Courtois et al.'s second problem): a writer announces itself in
/// `waiting`, and a reader also waits while `waiting` is not 0.
pub fn writers_first() -> Program {
    let enter = vec![
        Instr::lock("m"),                       // 0
        Instr::read("writing", "w"),            // 1
        Instr::jump_if("w", Cmp::Ne, 0, 5),     // 2
        Instr::read("waiting", "q"),            // 3
        Instr::jump_if("q", Cmp::Eq, 0, 7),     // 4
        Instr::wait("ok"),                      // 5
        Instr::jump(1),                         // 6
        Instr::read("readers", "r"),            // 7
        Instr::add("r", 1),                     // 8
        Instr::write("readers", "r"),           // 9
        Instr::unlock("m"),                     // 10
    ];
    let writer = ThreadSpec::new("W").local("r", 0).local("q", 0).steps([
        Instr::lock("m"),                       // 0
        Instr::read("waiting", "q"),            // 1
        Instr::add("q", 1),                     // 2
        Instr::write("waiting", "q"),           // 3: new readers wait from here
        Instr::read("readers", "r"),            // 4
        Instr::jump_if("r", Cmp::Eq, 0, 8),     // 5
        Instr::wait("ok"),                      // 6
        Instr::jump(4),                         // 7
        Instr::read("waiting", "q"),            // 8
        Instr::add("q", -1),                    // 9
        Instr::write("waiting", "q"),           // 10
        Instr::write("writing", 1),             // 11
        Instr::unlock("m"),                     // 12
        Instr::print("W writes"),               // 13
        Instr::lock("m"),                       // 14
        Instr::write("writing", 0),             // 15
        Instr::notify_all("ok"),                // 16
        Instr::unlock("m"),                     // 17
    ]);
    build(
        ProgramSpec::new("readers-writers with writer preference")
            .var("readers", 0)
            .var("writing", 0)
            .var("waiting", 0)
            .lock("m")
            .cond("ok", "m")
            .thread(reader("R1", &["r", "w", "q"], &enter))
            .thread(reader("R2", &["r", "w", "q"], &enter))
            .thread(writer),
    )
}

/// The ticket lock: take `t = next`, wait until `serving == t`. A reader serves the next
/// ticket as it goes in; the writer only as it leaves.
pub fn fair() -> Program {
    let take_ticket = [
        Instr::lock("m"),                       // 0
        Instr::read("next", "t"),               // 1
        Instr::read("next", "s"),               // 2
        Instr::add("s", 1),                     // 3
        Instr::write("next", "s"),              // 4
        Instr::read("serving", "s"),            // 5
    ];
    let mut enter = take_ticket.to_vec();
    enter.extend([
        Instr::jump_if("s", Cmp::Eq, "t", 9),   // 6
        Instr::wait("ok"),                      // 7
        Instr::jump(5),                         // 8
        Instr::read("readers", "r"),            // 9
        Instr::add("r", 1),                     // 10
        Instr::write("readers", "r"),           // 11
        Instr::add("s", 1),                     // 12
        Instr::write("serving", "s"),           // 13: the next ticket may come in too
        Instr::notify_all("ok"),                // 14
        Instr::unlock("m"),                     // 15
    ]);
    let mut w = take_ticket.to_vec();
    w.extend([
        Instr::jump_if("s", Cmp::Ne, "t", 9),   // 6
        Instr::read("readers", "r"),            // 7
        Instr::jump_if("r", Cmp::Eq, 0, 11),    // 8
        Instr::wait("ok"),                      // 9
        Instr::jump(5),                         // 10
        Instr::unlock("m"),                     // 11: serving stays t, nobody passes
        Instr::print("W writes"),               // 12
        Instr::lock("m"),                       // 13
        Instr::read("serving", "s"),            // 14
        Instr::add("s", 1),                     // 15
        Instr::write("serving", "s"),           // 16
        Instr::notify_all("ok"),                // 17
        Instr::unlock("m"),                     // 18
    ]);
    let writer = ThreadSpec::new("W").local("t", 0).local("s", 0).local("r", 0).steps(w);
    build(
        ProgramSpec::new("readers-writers with a ticket each (fair)")
            .var("next", 0)
            .var("serving", 0)
            .var("readers", 0)
            .lock("m")
            .cond("ok", "m")
            .thread(reader("R1", &["r", "t", "s"], &enter))
            .thread(reader("R2", &["r", "t", "s"], &enter))
            .thread(writer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::{run_random, Machine, RunStatus};
    use crate::sync::Arc;

    const R1: usize = 0;
    const R2: usize = 1;
    const W: usize = 2;
    /// The step at which a reader has been let in and prints, per policy.
    const READING_AT: [(&str, usize); 3] = [("readers", 9), ("writers", 11), ("fair", 16)];

    fn reading_at(policy: &str) -> usize {
        READING_AT.iter().find(|(p, _)| *p == policy).unwrap().1
    }

    /// Steps `t` until it reaches step `pc` (it must be able to).
    fn to_pc(m: &mut Machine, t: usize, pc: usize) {
        for _ in 0..100 {
            if m.state().threads[t].pc == pc && m.can_step(t) {
                return;
            }
            m.step(t).unwrap_or_else(|e| panic!("thread {t}: {e}"));
        }
        panic!("thread {t} never reached step {pc}");
    }

    /// Steps `t` while it can, up to `limit` steps; true if it ended blocked.
    fn until_blocked(m: &mut Machine, t: usize, limit: usize) -> bool {
        for _ in 0..limit {
            if !m.can_step(t) {
                return true;
            }
            m.step(t).unwrap();
        }
        !m.can_step(t)
    }

    fn written(m: &Machine) -> bool {
        m.state().output.iter().any(|l| l.text == "W writes")
    }

    #[test]
    fn every_schedule_of_every_policy_ends_with_every_read_and_the_write() {
        for program in [readers_first(), writers_first(), fair()] {
            let program = Arc::new(program);
            for seed in 0..30 {
                let m = run_random(&program, seed, 5_000);
                assert_eq!(m.status(), RunStatus::Done, "{} seed {seed}", program.name);
                let out: Vec<&str> = m.state().output.iter().map(|l| l.text.as_str()).collect();
                assert_eq!(out.iter().filter(|t| **t == "W writes").count(), 1);
                assert_eq!(out.iter().filter(|t| t.ends_with("reads")).count(), 2 * READS as usize);
            }
        }
    }

    /// The learner's strategy: keep one reader inside at all times, and give W every chance
    /// in between. With reader preference W never writes while the readers have reads left.
    #[test]
    fn overlapping_readers_keep_the_writer_waiting_with_reader_preference() {
        let mut m = Machine::new(readers_first());
        let inside = reading_at("readers");
        to_pc(&mut m, R1, inside);
        assert!(until_blocked(&mut m, W, 50), "W waits while R1 reads");
        let (mut a, mut b) = (R1, R2);
        for _ in 0..(2 * READS - 2) {
            to_pc(&mut m, b, inside); // the next reader walks in...
            to_pc(&mut m, a, 0); // ...before this one walks out (and comes back to the door)
            assert!(until_blocked(&mut m, W, 50), "W is let try, and still waits");
            assert!(!written(&m));
            (a, b) = (b, a);
        }
        assert_eq!(m.var("readers"), 1);
        // Out of reads: the last reader leaves, and only now W writes.
        while m.status() == RunStatus::Running {
            let t = m.runnable()[0];
            m.step(t).unwrap();
        }
        assert!(written(&m));
        let last = m.state().output.last().unwrap();
        assert_eq!(last.text, "W writes");
    }

    /// The same attempt fails with writer preference: once W waits, R2 cannot walk in.
    #[test]
    fn a_waiting_writer_holds_new_readers_back_with_writer_preference() {
        let mut m = Machine::new(writers_first());
        to_pc(&mut m, R1, reading_at("writers"));
        assert!(until_blocked(&mut m, W, 50));
        assert_eq!(m.var("waiting"), 1);
        assert!(until_blocked(&mut m, R2, 50), "R2 waits behind W");
        to_pc(&mut m, R1, 0); // R1 leaves
        assert!(until_blocked(&mut m, R1, 50), "R1 cannot come back in either");
        while !written(&m) {
            m.step(W).unwrap();
        }
        assert!(m.state().output.iter().all(|l| l.text != "R2 reads"));
    }

    /// With tickets, W (second ticket) goes in right after R1 (first), before R2 (third).
    #[test]
    fn the_ticket_program_serves_in_ticket_order() {
        let mut m = Machine::new(fair());
        to_pc(&mut m, R1, reading_at("fair"));
        assert!(until_blocked(&mut m, W, 50));
        assert!(until_blocked(&mut m, R2, 50), "R2 has ticket 2 and waits for W's");
        assert_eq!(m.var("next"), 3);
        to_pc(&mut m, R1, 0);
        while !written(&m) {
            m.step(W).unwrap();
        }
        let out: Vec<&str> = m.state().output.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(out, ["R1 reads", "W writes"]);
    }
}
