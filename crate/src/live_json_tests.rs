use super::*;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Put,
    Get,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum Tagged {
    Meal { who: u32, at_ms: f64 },
    Quiet,
}

#[derive(Serialize)]
enum Wrapped {
    One(u8),
    Two(u8, u8),
    Named { a: bool },
}

#[derive(Serialize)]
struct Event<'a> {
    t: u32,
    kind: Kind,
    text: &'a str,
    item: Option<u64>,
    gone: Option<u64>,
    ms: f64,
    whole: f64,
    nan: f64,
    lanes: Vec<i32>,
    pair: (u8, &'a str),
    tagged: Vec<Tagged>,
    wrapped: Vec<Wrapped>,
    map: BTreeMap<u32, &'a str>,
    unit: (),
}

/// The page parses these lines with JSON.parse: each must mean what serde_json's does.
#[test]
fn lines_read_back_as_serde_json_writes_them() {
    let mut map = BTreeMap::new();
    map.insert(2, "two");
    let e = Event {
        t: 7,
        kind: Kind::Put,
        text: "A: \"5\" \\ ü\n\t\u{1}",
        item: Some(3),
        gone: None,
        ms: 1.25,
        whole: 3.0,
        nan: f64::NAN,
        lanes: vec![-1, 0, 2],
        pair: (1, "x"),
        tagged: vec![Tagged::Meal { who: 1, at_ms: 0.5 }, Tagged::Quiet],
        wrapped: vec![Wrapped::One(1), Wrapped::Two(1, 2), Wrapped::Named { a: true }],
        map,
        unit: (),
    };
    let ours = to_line(&e).unwrap();
    let back: serde_json::Value = serde_json::from_str(&ours).unwrap_or_else(|err| panic!("{ours}: {err}"));
    assert_eq!(back, serde_json::to_value(&e).unwrap());
    assert!(!ours.contains('\n'), "one line: {ours}");
    let _ = Kind::Get;
}
