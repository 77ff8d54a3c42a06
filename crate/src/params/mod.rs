//! The one schema of every demo's inputs, and their validation.
//!
//! A demo's inputs arrive as text (a URL query, a form control, an embed's attributes).
//! They are parsed and checked here and nowhere else; the page renders its controls from
//! [`DemoSpec`] (sent to it as JSON) and shows the [`ParamError`] messages beside them.
//! Messages say what was wrong and what is allowed: "threads must be a whole number from 1
//! to 16, got 0".

mod choice;
mod spec;

pub use choice::{Choice, Switch};
pub use spec::{Also, Caps, DemoSpec, Need, Threads};

use serde::Serialize;
use std::collections::BTreeMap;

/// The type and range of one input.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Kind {
    /// A whole number in `min..=max`.
    Int { min: i64, max: i64 },
    /// A finite number in `min..=max`; `step` is what a slider moves by.
    Float { min: f64, max: f64, step: f64 },
    /// One of a fixed set of words.
    Choice { values: &'static [&'static str] },
    /// Numbers separated by commas, each finite and in `min..=max`; `x*n` stands for n
    /// copies of x. At most `items` numbers in all, once the copies are counted.
    List { min: f64, max: f64, items: usize },
    /// Free text of at most `max_len` characters, which `check` accepts (a cron expression, a
    /// date): `check` says what is wrong in a sentence, shown beside the control.
    Text {
        max_len: usize,
        #[serde(skip)]
        #[cfg_attr(test, ts(skip))]
        check: fn(&str) -> Result<(), String>,
    },
}

/// One input of a demo.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    #[serde(flatten)]
    pub kind: Kind,
    /// The default as it would be written in a URL.
    pub default: &'static str,
}


/// A checked value.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Float(f64),
    Choice(&'static str),
    List(NumberList),
    Text(String),
}

/// A checked list of numbers: the text as the learner wrote it (trimmed), which is what a URL
/// and the answer's `params` carry, and the numbers it stands for.
#[cfg_attr(test, derive(ts_rs::TS), ts(type = "string"))]
#[derive(Debug, Clone, PartialEq)]
pub struct NumberList {
    pub text: String,
    pub numbers: Vec<f64>,
}

impl Serialize for NumberList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Why one input was refused. `param` is empty for a problem with no single control.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamError {
    pub param: String,
    pub message: String,
}


/// Query keys that belong to the page, not to a demo, and are never reported as unknown.
pub const PAGE_KEYS: &[&str] = &["demo", "run", "embed", "step", "theme"];

/// The validated inputs of one demo: every parameter of its spec, defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    values: BTreeMap<&'static str, Value>,
    /// Keys that were given but that this demo does not have (ignored, told to the learner).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

impl Params {
    pub fn int(&self, name: &str) -> i64 {
        match self.values.get(name) {
            Some(Value::Int(v)) => *v,
            other => panic!("parameter {name} is not an int in the spec: {other:?}"),
        }
    }

    pub fn float(&self, name: &str) -> f64 {
        match self.values.get(name) {
            Some(Value::Float(v)) => *v,
            other => panic!("parameter {name} is not a float in the spec: {other:?}"),
        }
    }

    pub fn choice(&self, name: &str) -> &'static str {
        match self.values.get(name) {
            Some(Value::Choice(v)) => v,
            other => panic!("parameter {name} is not a choice in the spec: {other:?}"),
        }
    }

    pub fn list(&self, name: &str) -> &NumberList {
        match self.values.get(name) {
            Some(Value::List(v)) => v,
            other => panic!("parameter {name} is not a list in the spec: {other:?}"),
        }
    }

    pub fn text(&self, name: &str) -> &str {
        match self.values.get(name) {
            Some(Value::Text(v)) => v,
            other => panic!("parameter {name} is not text in the spec: {other:?}"),
        }
    }

    /// Choice input `name` as its enum ([`choice!`]). The spec's words come from the same
    /// enum, so a validated value always has a variant.
    /// Whether the [`Switch`] input `name` is on.
    pub fn on(&self, name: &str) -> bool {
        self.pick::<Switch>(name) == Switch::On
    }

    pub fn pick<C: Choice>(&self, name: &str) -> C {
        let word = self.choice(name);
        match C::WORDS.iter().position(|w| *w == word) {
            Some(i) => C::ALL[i],
            None => panic!("parameter {name} is {word}, not one of {:?}: its spec must list the enum's WORDS", C::WORDS),
        }
    }

    pub fn values(&self) -> &BTreeMap<&'static str, Value> {
        &self.values
    }
}

/// Checks `raw` (name, text) pairs against `spec`. A name given twice keeps the last value,
/// as a URL query does. All problems are reported at once, not just the first.
pub fn validate(spec: &DemoSpec, raw: &[(String, String)]) -> Result<Params, Vec<ParamError>> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    let mut ignored = Vec::new();
    for (name, _) in raw {
        let known = spec.params.iter().any(|p| p.name == name) || PAGE_KEYS.contains(&name.as_str());
        if !known && !ignored.contains(name) {
            ignored.push(name.clone());
        }
    }
    for p in spec.params {
        let given = raw.iter().rev().find(|(n, _)| n == p.name).map(|(_, v)| v.as_str());
        let text = given.unwrap_or(p.default);
        match parse(p, text) {
            Ok(v) => {
                values.insert(p.name, v);
            }
            Err(message) => errors.push(ParamError { param: p.name.to_string(), message }),
        }
    }
    if errors.is_empty() {
        Ok(Params { values, ignored })
    } else {
        Err(errors)
    }
}

/// Shortens what the learner typed for an error message (a pasted novel stays readable).
fn shown(text: &str) -> String {
    const MAX: usize = 24;
    if text.chars().count() <= MAX {
        format!("\"{text}\"")
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("\"{head}…\"")
    }
}

fn parse(p: &ParamSpec, raw: &str) -> Result<Value, String> {
    let text = raw.trim();
    let name = p.name;
    match p.kind {
        Kind::Int { min, max } => {
            let allowed = format!("{name} must be a whole number from {min} to {max}");
            if text.is_empty() {
                return Err(format!("{allowed}; it is empty"));
            }
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{allowed}, got {}", shown(text)));
            }
            match text.parse::<i64>() {
                Ok(v) if (min..=max).contains(&v) => Ok(Value::Int(v)),
                Ok(v) => Err(format!("{allowed}, got {v}")),
                // Only overflow is left: more digits than an i64 holds.
                Err(_) => Err(format!("{allowed}, got {}", shown(text))),
            }
        }
        Kind::Float { min, max, .. } => {
            let allowed = format!("{name} must be a number from {min} to {max}");
            if text.is_empty() {
                return Err(format!("{allowed}; it is empty"));
            }
            // Rust's parser also takes "inf" and "NaN"; neither is a fraction or a count.
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(Value::Float(v)),
                Ok(v) if v.is_finite() => Err(format!("{allowed}, got {v}")),
                _ => Err(format!("{allowed}, got {}", shown(text))),
            }
        }
        Kind::Choice { values } => {
            match values.iter().find(|v| v.eq_ignore_ascii_case(text)) {
                Some(v) => Ok(Value::Choice(v)),
                None => Err(format!(
                    "{name} must be one of {}, got {}",
                    values.join(", "),
                    shown(text)
                )),
            }
        }
        Kind::List { min, max, items } => parse_list(name, text, min, max, items).map(Value::List),
        Kind::Text { max_len, check } => {
            if text.chars().count() > max_len {
                return Err(format!("{name} must be at most {max_len} characters, got {}", text.chars().count()));
            }
            check(text).map(|()| Value::Text(text.to_string()))
        }
    }
}

/// Most copies one `x*n` may stand for is `items`; past that the count itself is refused.
fn parse_list(name: &str, text: &str, min: f64, max: f64, items: usize) -> Result<NumberList, String> {
    let allowed = format!("{name} must be numbers from {min} to {max} separated by commas (x*n is n copies of x)");
    if text.is_empty() {
        return Err(format!("{allowed}; it is empty"));
    }
    let mut numbers = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let (x, n) = match part.split_once('*') {
            Some((x, n)) => (x.trim(), Some(n.trim())),
            None => (part, None),
        };
        let copies = match n {
            None => 1,
            Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => match n.parse::<usize>() {
                Ok(c) if (1..=items).contains(&c) => c,
                _ => return Err(format!("{name}: the n of x*n must be a whole number from 1 to {items}, got {}", shown(n))),
            },
            Some(n) => return Err(format!("{name}: the n of x*n must be a whole number from 1 to {items}, got {}", shown(n))),
        };
        let v = match x.parse::<f64>() {
            Ok(v) if v.is_finite() && (min..=max).contains(&v) => v,
            _ if x.is_empty() => return Err(format!("{allowed}; one of them is empty")),
            _ => return Err(format!("{allowed}, got {}", shown(x))),
        };
        if numbers.len() + copies > items {
            return Err(format!("{name} must hold at most {items} numbers in all"));
        }
        numbers.extend(std::iter::repeat_n(v, copies));
    }
    Ok(NumberList { text: text.to_string(), numbers })
}

#[cfg(test)]
mod tests;
