use super::*;

fn one_thread(steps: Vec<Instr>) -> ProgramSpec {
    ProgramSpec::new("t")
        .var("counter", 0)
        .lock("m")
        .queue("q", Some(1))
        .cond("c", "m")
        .thread(ThreadSpec::new("A").local("n", 0).steps(steps))
}

fn check(spec: ProgramSpec, expected: &str) {
    match spec.build() {
        Ok(_) => assert_eq!("ok", expected),
        Err(e) => assert_eq!(e.to_string(), expected),
    }
}

#[test]
fn valid_programs_build() {
    check(one_thread(vec![Instr::read("counter", "n"), Instr::jump_if("n", super::super::Cmp::Lt, 3, 2)]), "ok");
    check(one_thread(vec![Instr::print("n is {n}"), Instr::put("q", "n"), Instr::wait("c")]), "ok");
}

#[test]
fn unknown_names_say_which_exist() {
    check(
        one_thread(vec![Instr::lock("mutex")]),
        "thread A step 0 uses lock \"mutex\", which does not exist; the locks are m",
    );
    check(
        one_thread(vec![Instr::print("x"), Instr::read("count", "n")]),
        "thread A step 1 uses shared variable \"count\", which does not exist; the shared variables are counter",
    );
    check(
        one_thread(vec![Instr::write("counter", "tmp")]),
        "thread A step 0 uses local \"tmp\", which does not exist; the locals are n",
    );
    check(
        one_thread(vec![Instr::print("{i}")]),
        "thread A step 0 uses local \"i\", which does not exist; the locals are n",
    );
    check(
        one_thread(vec![Instr::notify("d")]),
        "thread A step 0 uses condition \"d\", which does not exist; the conditions are c",
    );
    check(
        ProgramSpec::new("t").thread(ThreadSpec::new("A").steps([Instr::get("q", "x")])),
        "thread A step 0 uses queue \"q\", which does not exist; there are no queues",
    );
}

#[test]
fn jumps_must_stay_inside_the_thread() {
    check(one_thread(vec![Instr::jump(1)]), "ok");
    check(
        one_thread(vec![Instr::print("x"), Instr::try_lock("m", 3)]),
        "thread A step 1 jumps to 3; a jump must go to a step from 0 to 2 (2 ends the thread)",
    );
}

#[test]
fn declarations_are_checked() {
    check(ProgramSpec::new("t"), "a program needs at least one thread");
    check(one_thread(vec![]).lock("m"), "two of the locks are called \"m\"; names must be different");
    check(
        one_thread(vec![]).thread(ThreadSpec::new("A")),
        "two of the threads are called \"A\"; names must be different",
    );
    check(
        ProgramSpec::new("t").thread(ThreadSpec::new("A").local("x", 0).local("x", 1)),
        "two of the locals of thread A are called \"x\"; names must be different",
    );
    check(one_thread(vec![]).var("", 0), "one of the shared variables has an empty name; every name needs at least one character");
    check(
        one_thread(vec![]).queue("small", Some(0)),
        "queue \"small\" has capacity 0; a capacity must be at least 1, or none for an unbounded queue",
    );
    check(
        one_thread(vec![]).cond("d", "lock"),
        "condition \"d\" uses lock \"lock\", which does not exist; the locks are m",
    );
    check(
        one_thread(vec![Instr::print("{n")]),
        "thread A step 0 prints \"{n\", which has a stray brace; a local is written {name}, like {n}",
    );
}

#[test]
fn a_program_round_trips_through_json() {
    let spec = one_thread(vec![Instr::read("counter", "n"), Instr::add("n", 1), Instr::write("counter", "n")]);
    let json = serde_json::to_string(&spec.clone().build().unwrap()).unwrap();
    let back: ProgramSpec = serde_json::from_str(&json).unwrap();
    assert_eq!(back, spec);
}
