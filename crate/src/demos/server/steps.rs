//! The three servers in steps, on the deterministic scheduler: each connection is a pair of
//! queues (`up1` carries client 1's requests, `down1` its replies), and a request is a number
//! the server echoes back. The reactor's `select()` is the queue `ready`: a client that sends
//! puts its connection's number there (as the kernel marks a socket readable), and the
//! reactor sleeps in `get(ready)` until one is, then serves exactly that connection. Its
//! contents, on every turn, are the ready set.

use super::Variant;
use crate::demos::stepper::Fit;
use crate::sched::{Cmp, Instr, Program, ProgramSpec, ThreadSpec};

/// Requests each client sends in the step-through.
pub const STEP_REQUESTS: usize = 2;
/// Clients the step-through shows at most.
pub const STEP_CLIENTS: i64 = 3;

pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    let k = fit.int("clients", fit.input("clients", 2), 1, STEP_CLIENTS) as usize;
    let variant = fit.p.pick::<Variant>("server");
    let text = match variant {
        Variant::Blocking => "The server reads client 1's connection until client 1 is done: let client 2 send, and it blocks on its reply while the server, blocked on client 1's read, cannot see it.",
        Variant::Threads => "A handler thread per connection, each blocked on its own connection's read: whichever client sends is served next, in any order.",
        Variant::Reactor => "The ready set is the queue 'ready': the reactor sleeps in get(ready), as in select(), until some connection has a request, then serves exactly that one. Let two clients send before the reactor steps, and the ready set holds both.",
    };
    (program(variant, k), text)
}

/// The server `variant` with `k` clients of [`STEP_REQUESTS`] requests each.
pub fn program(variant: Variant, k: usize) -> Program {
    let mut spec = ProgramSpec::new(match variant {
        Variant::Blocking => "a blocking server",
        Variant::Threads => "a thread per connection",
        Variant::Reactor => "a select() reactor",
    })
    .var("answered", 0);
    for j in 1..=k {
        spec = spec.queue(&format!("up{j}"), None).queue(&format!("down{j}"), None);
    }
    if variant == Variant::Reactor {
        spec = spec.queue("ready", None);
    }
    for j in 1..=k {
        let mut steps = Vec::new();
        for r in 1..=STEP_REQUESTS {
            steps.push(Instr::put(&format!("up{j}"), (10 * j + r) as i64));
            if variant == Variant::Reactor {
                steps.push(Instr::put("ready", j as i64));
            }
            steps.push(Instr::get(&format!("down{j}"), "reply"));
        }
        spec = spec.thread(ThreadSpec::new(&format!("client {j}")).local("reply", 0).steps(steps));
    }
    let echo = |j: usize| [Instr::get(&format!("up{j}"), "x"), Instr::put(&format!("down{j}"), "x"), Instr::add("n", 1), Instr::write("answered", "n")];
    match variant {
        Variant::Blocking => {
            let steps: Vec<Instr> = (1..=k).flat_map(|j| (0..STEP_REQUESTS).flat_map(move |_| echo(j))).collect();
            spec = spec.thread(ThreadSpec::new("server").local("x", 0).local("n", 0).steps(steps));
        }
        Variant::Threads => {
            // Each handler counts into the shared `answered` alone: read, add, write, under a lock.
            spec = spec.lock("count");
            for j in 1..=k {
                let mut steps = Vec::new();
                for _ in 0..STEP_REQUESTS {
                    steps.extend([
                        Instr::get(&format!("up{j}"), "x"),
                        Instr::put(&format!("down{j}"), "x"),
                        Instr::lock("count"),
                        Instr::read("answered", "n"),
                        Instr::add("n", 1),
                        Instr::write("answered", "n"),
                        Instr::unlock("count"),
                    ]);
                }
                spec = spec.thread(ThreadSpec::new(&format!("handler {j}")).local("x", 0).local("n", 0).steps(steps));
            }
        }
        Variant::Reactor => {
            // 0: select(); then a jump to the ready connection's handler; each handler ends by
            // counting, and loops back while requests are left.
            let total = (k * STEP_REQUESTS) as i64;
            let dispatch = k; // get(ready) + (k - 1) jumps
            let handler_len = 5;
            let start_of = |j: usize| dispatch + (j - 1) * handler_len;
            let end = start_of(k) + handler_len;
            let mut steps = vec![Instr::get("ready", "c")];
            for j in 2..=k {
                steps.push(Instr::jump_if("c", Cmp::Eq, j as i64, start_of(j)));
            }
            for j in 1..=k {
                steps.extend(echo(j));
                steps.push(Instr::jump(end));
            }
            steps.push(Instr::jump_if("n", Cmp::Lt, total, 0));
            debug_assert_eq!(steps.len(), end + 1);
            spec = spec.thread(ThreadSpec::new("reactor").local("c", 0).local("x", 0).local("n", 0).steps(steps));
        }
    }
    spec.build().expect("the server step programs are valid")
}
