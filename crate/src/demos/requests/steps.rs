//! The step-through: a run's requests as threads of the deterministic scheduler, so the
//! learner chooses who moves. Request i is a client thread Ci and the server's work on it a
//! thread Si (the service worker answers each request on its own). A client sends (puts its
//! request), then waits for the answer (a blocking get); one whose request is slower than
//! the client timeout looks once and gives up ("Custom timeout") if the answer is not there
//! yet, while its server thread goes on and finishes anyway. The main thread M joins every
//! client. Sequential: M itself sends each request and waits for its answer before the next.

use super::{status, Mode};
use crate::demos::stepper::Fit;
use crate::sched::{Cmp, Instr, Program, ProgramSpec, ThreadSpec};

/// Requests the step view shows at most.
pub const MAX_SHOWN: i64 = 3;

/// One request as the step view shows it.
pub struct Shown {
    pub code: u16,
    /// The server's wait is longer than the client's timeout: the client gives up.
    pub gives_up: bool,
}

/// The server's thread for request `i`: it gets the request, works, answers, finishes.
fn server(i: usize, r: &Shown) -> ThreadSpec {
    ThreadSpec::new(&format!("S{}", i + 1)).local("r", 0).steps([
        Instr::get(&format!("req{}", i + 1), "r"),                             // 0: the request arrives
        Instr::print("working (sleep)"),                                       // 1
        Instr::put(&format!("reply{}", i + 1), i64::from(r.code)),             // 2: the answer
        Instr::print(&format!("finished {}", r.code)),                         // 3
    ])
}

/// What a client (or M, one after another) does for request `i`, starting at step `at`:
/// send, then wait for the answer, or give up at once when it is not there yet. `label`
/// starts what it prints (M names the request; a client's name is on its lines already).
fn ask(i: usize, r: &Shown, at: usize, label: &str) -> Vec<Instr> {
    let n = i + 1;
    let reason = status::reason(r.code).unwrap_or("");
    let mut steps = vec![Instr::put(&format!("req{n}"), 1)];               // at: send
    if r.gives_up {
        steps.extend([
            Instr::try_get(&format!("reply{n}"), "code", at + 4),              // at + 1: timeout = 0
            Instr::print(&format!("{label}{} {reason}", r.code)),                // at + 2
            Instr::jump(at + 5),                                               // at + 3
            Instr::print(&format!("{label}Custom timeout")),                     // at + 4
        ]);
    } else {
        steps.extend([
            Instr::get(&format!("reply{n}"), "code"),                          // at + 1: blocks
            Instr::print(&format!("{label}{} {reason}", r.code)),                // at + 2
        ]);
    }
    steps
}

pub fn program(shown: &[Shown], mode: Mode) -> Program {
    let concurrent = mode != Mode::Sequential;
    let mut spec = ProgramSpec::new(if concurrent { "one thread per request, then join" } else { "one request after another" }).queue("joined", None);
    for i in 0..shown.len() {
        spec = spec.queue(&format!("req{}", i + 1), None).queue(&format!("reply{}", i + 1), None);
    }
    if concurrent {
        for (i, r) in shown.iter().enumerate() {
            let mut steps = ask(i, r, 0, "");
            steps.push(Instr::put("joined", 1));                              // the thread ends
            spec = spec.thread(ThreadSpec::new(&format!("C{}", i + 1)).local("code", 0).steps(steps));
        }
        let main = ThreadSpec::new("M").local("left", shown.len() as i64).local("x", 0).steps([
            Instr::get("joined", "x"),                                         // 0: join() each client
            Instr::add("left", -1),                                            // 1
            Instr::jump_if("left", Cmp::Gt, 0, 0),                             // 2
            Instr::print("every thread joined"),                            // 3
        ]);
        spec = spec.thread(main);
    } else {
        let mut steps = Vec::new();
        for (i, r) in shown.iter().enumerate() {
            let at = steps.len();
            steps.extend(ask(i, r, at, &format!("request {}: ", i + 1)));
        }
        steps.push(Instr::print("done, one after another"));
        spec = spec.thread(ThreadSpec::new("M").local("code", 0).steps(steps));
    }
    for (i, r) in shown.iter().enumerate() {
        spec = spec.thread(server(i, r));
    }
    spec.build().unwrap_or_else(|e| panic!("the requests program is invalid: {e}"))
}

pub fn story(fit: &mut Fit) -> (Program, &'static str) {
    let p = fit.p;
    let codes: Vec<u16> = p.list("codes").numbers.iter().map(|&c| c as u16).filter(|c| status::reason(*c).is_some()).collect();
    let codes = if codes.is_empty() { vec![200] } else { codes };
    let (sleep, jitter, seed, timeout, slow) = (p.int("sleep") as u32, p.int("jitter") as u32, p.int("seed") as u32, p.int("timeout") as u32, p.int("slow") as u32);
    let gives_up = |n: usize| status::server_sleep(sleep, jitter, seed, n as u32) > timeout;
    // The slow URL, when there is one, is shown last, in place of the last code that fits.
    let asked = codes.len() + usize::from(slow > 0);
    let count = fit.int("requests", asked as i64, 1, MAX_SHOWN) as usize;
    let from_codes = count - usize::from(slow > 0);
    let mut shown: Vec<Shown> = codes.iter().take(from_codes).enumerate().map(|(n, &code)| Shown { code, gives_up: gives_up(n) }).collect();
    if slow > 0 {
        shown.push(Shown { code: 200, gives_up: slow > timeout });
    }
    let mode = p.pick::<Mode>("mode");
    let text = match (mode, shown.iter().any(|r| r.gives_up)) {
        (Mode::Sequential, false) => "M sends a request and can do nothing until its server thread answers: step M, and it blocks; only S1 can move. Each request waits for the one before.",
        (Mode::Sequential, true) => "M gives up on the slow request if its answer is not there when it looks (Custom timeout); step that server thread afterwards: it finishes its work anyway.",
        (_, false) => "Step every client: all requests are sent before any answer, and the servers can answer in any order. M's join waits for the last client, however slow.",
        (_, true) => "A client whose request is slower than its timeout looks once and gives up (Custom timeout); M can then join it. Its server thread still finishes: the timeout ended the wait, not the work.",
    };
    (program(&shown, mode), text)
}
