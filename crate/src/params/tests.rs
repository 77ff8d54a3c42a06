use super::*;

crate::choice! {
    /// How a thread waits.
    pub enum Mode { Mutex = "mutex", Spin = "spin" }
}

#[test]
fn choice_enums_name_their_words_once() {
    assert_eq!(Mode::WORDS, ["mutex", "spin"]);
    assert_eq!(Mode::ALL, [Mode::Mutex, Mode::Spin]);
    assert_eq!(Mode::Spin.word(), "spin");
    const S: DemoSpec = DemoSpec {
        id: "c",
        chapter: 0,
        also: &[],
        nav: "C",
        caps: Caps::PURE,
        title: "c",
        summary: "",
        params: &[ParamSpec { name: "mode", label: "Mode", help: "", kind: Kind::Choice { values: Mode::WORDS }, default: "mutex" }],
    };
    let p = validate(&S, &[("mode".to_string(), "spin".to_string())]).unwrap();
    assert_eq!(p.pick::<Mode>("mode"), Mode::Spin);
    assert!(validate(&S, &[("mode".to_string(), "yield".to_string())]).is_err(), "a word the enum lacks is refused");
}

const SPEC: DemoSpec = DemoSpec {
    id: "t",
    chapter: 0,
    also: &[],
    nav: "Test",
    caps: Caps::PURE,
    title: "test",
    summary: "",
    params: &[
        ParamSpec { name: "threads", label: "", help: "", kind: Kind::Int { min: 1, max: 16 }, default: "4" },
        ParamSpec { name: "serial", label: "", help: "", kind: Kind::Float { min: 0.0, max: 1.0, step: 0.01 }, default: "0.6" },
        ParamSpec { name: "kind", label: "", help: "", kind: Kind::Choice { values: &["cpu", "io"] }, default: "cpu" },
        ParamSpec { name: "xs", label: "", help: "", kind: Kind::List { min: -100.0, max: 100.0, items: 8 }, default: "1,2" },
    ],
};

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn message(pairs: &[(&str, &str)]) -> String {
    let errs = validate(&SPEC, &q(pairs)).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    errs[0].message.clone()
}

#[test]
fn defaults_fill_missing_inputs() {
    let p = validate(&SPEC, &[]).unwrap();
    assert_eq!(p.int("threads"), 4);
    assert_eq!(p.float("serial"), 0.6);
    assert_eq!(p.choice("kind"), "cpu");
}

#[test]
fn given_values_are_parsed_and_the_last_repeat_wins() {
    let p = validate(&SPEC, &q(&[("threads", "2"), ("threads", " 7 "), ("serial", "1e-1"), ("kind", "IO")])).unwrap();
    assert_eq!(p.int("threads"), 7);
    assert_eq!(p.float("serial"), 0.1);
    assert_eq!(p.choice("kind"), "io");
}

#[test]
fn out_of_range_says_what_is_allowed() {
    assert_eq!(message(&[("threads", "0")]), "threads must be a whole number from 1 to 16, got 0");
    assert_eq!(message(&[("serial", "1.5")]), "serial must be a number from 0 to 1, got 1.5");
    assert_eq!(message(&[("serial", "-0.1")]), "serial must be a number from 0 to 1, got -0.1");
}

#[test]
fn nan_infinity_empty_and_huge_are_refused() {
    assert_eq!(message(&[("serial", "NaN")]), "serial must be a number from 0 to 1, got \"NaN\"");
    assert_eq!(message(&[("serial", "inf")]), "serial must be a number from 0 to 1, got \"inf\"");
    assert_eq!(message(&[("serial", "1e999")]), "serial must be a number from 0 to 1, got \"1e999\"");
    assert_eq!(message(&[("threads", "")]), "threads must be a whole number from 1 to 16; it is empty");
    assert_eq!(message(&[("serial", "  ")]), "serial must be a number from 0 to 1; it is empty");
    assert_eq!(
        message(&[("threads", "99999999999999999999999")]),
        "threads must be a whole number from 1 to 16, got \"99999999999999999999999\""
    );
    assert_eq!(message(&[("threads", "1e3")]), "threads must be a whole number from 1 to 16, got \"1e3\"");
    assert_eq!(message(&[("threads", "2.5")]), "threads must be a whole number from 1 to 16, got \"2.5\"");
    assert_eq!(message(&[("threads", "-")]), "threads must be a whole number from 1 to 16, got \"-\"");
}

#[test]
fn long_input_is_shortened_in_the_message() {
    let long = "x".repeat(500);
    let m = message(&[("kind", &long)]);
    assert!(m.starts_with("kind must be one of cpu, io, got \"xxxx"));
    assert!(m.ends_with("…\"") && m.chars().count() < 80, "{m}");
}

#[test]
fn every_error_is_reported_at_once() {
    let errs = validate(&SPEC, &q(&[("threads", "0"), ("serial", "x")])).unwrap_err();
    let names: Vec<&str> = errs.iter().map(|e| e.param.as_str()).collect();
    assert_eq!(names, ["threads", "serial"]);
}

#[test]
fn unknown_keys_are_ignored_but_listed_and_page_keys_are_not() {
    let p = validate(&SPEC, &q(&[("demo", "t"), ("run", "1"), ("colour", "red"), ("colour", "blue")])).unwrap();
    assert_eq!(p.ignored, ["colour"]);
}

#[test]
fn lists_take_numbers_and_copies_within_their_limits() {
    let p = validate(&SPEC, &q(&[("xs", " 1, -2.5 ,3e1, 0.5*3 ")])).unwrap();
    assert_eq!(p.list("xs").numbers, [1.0, -2.5, 30.0, 0.5, 0.5, 0.5]);
    assert_eq!(p.list("xs").text, "1, -2.5 ,3e1, 0.5*3");
    assert_eq!(serde_json::to_value(p.values()).unwrap()["xs"], "1, -2.5 ,3e1, 0.5*3");
    let allowed = "xs must be numbers from -100 to 100 separated by commas (x*n is n copies of x)";
    assert_eq!(message(&[("xs", "")]), format!("{allowed}; it is empty"));
    assert_eq!(message(&[("xs", "1,,2")]), format!("{allowed}; one of them is empty"));
    assert_eq!(message(&[("xs", "1,two")]), format!("{allowed}, got \"two\""));
    assert_eq!(message(&[("xs", "1,NaN")]), format!("{allowed}, got \"NaN\""));
    assert_eq!(message(&[("xs", "101")]), format!("{allowed}, got \"101\""));
    assert_eq!(message(&[("xs", "1*9")]), "xs: the n of x*n must be a whole number from 1 to 8, got \"9\"");
    assert_eq!(message(&[("xs", "1*0")]), "xs: the n of x*n must be a whole number from 1 to 8, got \"0\"");
    assert_eq!(message(&[("xs", "1*x")]), "xs: the n of x*n must be a whole number from 1 to 8, got \"x\"");
    assert_eq!(message(&[("xs", "1*5,2*4")]), "xs must hold at most 8 numbers in all");
    assert_eq!(message(&[("xs", "1,2,3,4,5,6,7,8,9")]), "xs must hold at most 8 numbers in all");
    assert!(validate(&SPEC, &q(&[("xs", "1*4,2*4")])).is_ok());
}

#[test]
fn text_inputs_are_trimmed_bounded_and_checked_by_their_own_rule() {
    fn no_digits(s: &str) -> Result<(), String> {
        if s.bytes().any(|b| b.is_ascii_digit()) {
            Err(format!("word must have no digits, got {s:?}"))
        } else {
            Ok(())
        }
    }
    const S: DemoSpec = DemoSpec {
        id: "x",
        chapter: 0,
        also: &[],
        nav: "X",
        caps: Caps::PURE,
        title: "x",
        summary: "",
        params: &[ParamSpec { name: "word", label: "Word", help: "", kind: Kind::Text { max_len: 5, check: no_digits }, default: "abc" }],
    };
    let v = |t: &str| validate(&S, &[("word".to_string(), t.to_string())]);
    assert_eq!(v("  hi  ").unwrap().text("word"), "hi");
    assert_eq!(validate(&S, &[]).unwrap().text("word"), "abc");
    assert_eq!(v("a1").unwrap_err()[0].message, "word must have no digits, got \"a1\"");
    assert_eq!(v("abcdef").unwrap_err()[0].message, "word must be at most 5 characters, got 6");
}
