//! A claim about the shared variables at the end of a run, such as `counter == 2`: what the
//! [explorer](mod@super::explore) checks in every interleaving that finishes.
//!
//! Written as text, `name op number` or `name op name`, with `op` one of `==`, `!=`, `<`,
//! `<=`, `>`, `>=`: `counter == 2`, `top != kept`. Parsing checks the form;
//! [`Assertion::check`] checks the names against a program.

use super::instr::Cmp;
use super::machine::State;
use super::program::Program;
use std::fmt;
use std::str::FromStr;

/// `var cmp value`, e.g. `counter == 2` or `top != kept`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub var: String,
    pub cmp: Cmp,
    pub value: Against,
}

/// What an assertion compares its variable with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Against {
    Value(i64),
    /// Another shared variable.
    Var(String),
}

impl fmt::Display for Against {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Against::Value(v) => write!(f, "{v}"),
            Against::Var(name) => f.write_str(name),
        }
    }
}

/// Why a text is not an assertion, or names a variable the program does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssertionError {
    Form { text: String },
    UnknownVar { var: String, vars: Vec<String> },
}

impl fmt::Display for AssertionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssertionError::Form { text } => {
                let shown: String = text.chars().take(40).collect();
                let more = if shown.len() < text.len() { "…" } else { "" };
                write!(
                    f,
                    "the assertion \"{shown}{more}\" is not of the form name op number or name op name, like counter == 2 \
                     or top != kept; op is one of ==, !=, <, <=, >, >="
                )
            }
            AssertionError::UnknownVar { var, vars } if vars.is_empty() => {
                write!(f, "the assertion uses \"{var}\", but this program has no shared variables")
            }
            AssertionError::UnknownVar { var, vars } => write!(
                f,
                "the assertion uses \"{var}\", which is not a shared variable; the shared variables are {}",
                vars.join(", ")
            ),
        }
    }
}

impl std::error::Error for AssertionError {}

impl Assertion {
    pub fn new(var: &str, cmp: Cmp, value: i64) -> Assertion {
        Assertion { var: var.to_string(), cmp, value: Against::Value(value) }
    }

    /// `var cmp other`, two shared variables.
    pub fn vars(var: &str, cmp: Cmp, other: &str) -> Assertion {
        Assertion { var: var.to_string(), cmp, value: Against::Var(other.to_string()) }
    }

    /// The variables exist in `program`.
    pub fn check(&self, program: &Program) -> Result<(), AssertionError> {
        let other = match &self.value {
            Against::Var(name) => Some(name),
            Against::Value(_) => None,
        };
        match [Some(&self.var), other].into_iter().flatten().find(|name| !program.vars.iter().any(|v| &v.name == *name)) {
            None => Ok(()),
            Some(missing) => {
                let vars = program.vars.iter().map(|v| v.name.clone()).collect();
                Err(AssertionError::UnknownVar { var: missing.clone(), vars })
            }
        }
    }

    /// Whether it holds in `state` (of a program that [`check`](Self::check) accepted).
    pub fn holds(&self, state: &State) -> bool {
        let rhs = match &self.value {
            Against::Value(v) => *v,
            Against::Var(name) => state.vars[name],
        };
        self.cmp.holds(state.vars[&self.var], rhs)
    }

    /// The values it compared in `state`: `top is 2, kept is 2`.
    pub fn values(&self, state: &State) -> String {
        let mut text = format!("{} is {}", self.var, state.vars[&self.var]);
        if let Against::Var(other) = &self.value {
            text.push_str(&format!(", {other} is {}", state.vars[other]));
        }
        text
    }
}

impl fmt::Display for Assertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.var, self.cmp.symbol(), self.value)
    }
}

impl FromStr for Assertion {
    type Err = AssertionError;

    fn from_str(text: &str) -> Result<Assertion, AssertionError> {
        let bad = || AssertionError::Form { text: text.to_string() };
        let at = text.find(['=', '!', '<', '>']).ok_or_else(bad)?;
        let (var, rest) = (text[..at].trim(), &text[at..]);
        // Longest operators first, so that "<=" is not read as "<" followed by "=1".
        let ops = [("==", Cmp::Eq), ("!=", Cmp::Ne), ("<=", Cmp::Le), (">=", Cmp::Ge), ("<", Cmp::Lt), (">", Cmp::Gt)];
        let (op, cmp) = ops.into_iter().find(|(op, _)| rest.starts_with(op)).ok_or_else(bad)?;
        let name = |text: &str| !text.is_empty() && !text.contains(char::is_whitespace) && !text.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') && !text.contains(['=', '!', '<', '>']);
        let number = rest[op.len()..].trim();
        if !name(var) {
            return Err(bad());
        }
        if name(number) {
            return Ok(Assertion::vars(var, cmp, number));
        }
        let digits = number.strip_prefix(['-', '+']).unwrap_or(number);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let value = number.parse().map_err(|_| bad())?;
        Ok(Assertion::new(var, cmp, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::examples;

    #[test]
    fn texts_parse_and_print_back() {
        for (text, shown) in [
            ("counter == 2", "counter == 2"),
            ("counter==2", "counter == 2"),
            ("  n >= -3 ", "n >= -3"),
            ("x<=+7", "x <= 7"),
            ("x != 0", "x != 0"),
            ("x < 1", "x < 1"),
            ("x > 1", "x > 1"),
            ("top!=kept", "top != kept"),
            ("next[2] == next[3]", "next[2] == next[3]"),
        ] {
            let a: Assertion = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(a.to_string(), shown);
            assert_eq!(a.to_string().parse::<Assertion>().unwrap(), a);
        }
    }

    #[test]
    fn malformed_texts_say_what_is_allowed() {
        for text in ["", "counter", "counter = 2", "== 2", "counter ==", "counter == 2two", "my counter == 2", "c == 2 3", "c == a b", "c == 99999999999999999999", "2 == c"] {
            let e = text.parse::<Assertion>().unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "the assertion \"{text}\" is not of the form name op number or name op name, like counter == 2 or top != kept; op is one of ==, !=, <, <=, >, >="
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn names_are_checked_against_the_program() {
        let counter: Assertion = "counter == 2".parse().unwrap();
        assert_eq!(counter.check(&examples::lost_update(2)), Ok(()));
        let count: Assertion = "count == 2".parse().unwrap();
        assert_eq!(
            count.check(&examples::lost_update(2)).unwrap_err().to_string(),
            "the assertion uses \"count\", which is not a shared variable; the shared variables are counter"
        );
        let two: Assertion = "counter == count".parse().unwrap();
        assert_eq!(
            two.check(&examples::lost_update(2)).unwrap_err().to_string(),
            "the assertion uses \"count\", which is not a shared variable; the shared variables are counter"
        );
        assert_eq!(
            counter.check(&examples::opposite_order_locks()).unwrap_err().to_string(),
            "the assertion uses \"counter\", but this program has no shared variables"
        );
    }
}
