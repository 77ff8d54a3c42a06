//! The sentences under a reduction's result.

use super::ways::{Floats, Way};
use super::Operator;

/// A number as the page prints it: whole numbers without a fraction, tiny and huge ones in
/// scientific notation (`-4.4710031943395734e-7`), others in full.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() < 1e-4 || v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

fn count(n: usize) -> String {
    crate::sched::explore::grouped(n as u128)
}

pub fn explanation(op: Operator, n: usize, tree: &Way, rayon: &Way, sequential: &Way, floats: Option<&Floats>, pooled: bool) -> String {
    let mut out = Vec::new();
    let depth = tree.depth.unwrap_or(0);
    if n < 2 {
        out.push("One number is its own reduction: nothing to combine.".to_string());
    } else {
        out.push(format!(
            "The tree took {depth} round{} of {} combinations in all; one thread from left to right takes {} steps one after another.",
            if depth == 1 { "" } else { "s" },
            count(tree.additions),
            count(sequential.additions)
        ));
    }
    let agree = tree.result == sequential.result && (rayon.skipped.is_some() || rayon.result == tree.result);
    if op.associative() {
        match floats {
            Some(f) if f.pairwise != f.sequential => out.push(format!(
                "Addition is associative, but rounding is not: the pairwise sum is {} and the running sum {}. Each addition of a running sum rounds a big total, so its errors add up; the tree adds numbers of similar size.",
                number(f.pairwise),
                number(f.sequential)
            )),
            _ if agree => out.push("The operator is associative: every way gives the same result.".to_string()),
            _ => out.push("Associative in exact arithmetic, but floating-point rounding makes the ways differ in the last digits.".to_string()),
        }
    } else if agree {
        out.push("This operator is not associative, yet here every way happens to agree: try more numbers.".to_string());
    } else {
        out.push(format!(
            "{} is not associative: the tree gives {}, left to right gives {}{}. The shape of the reduction is part of the answer.",
            if op == Operator::Subtract { "Subtraction" } else { "A mean of means" },
            number(tree.result),
            number(sequential.result),
            if rayon.skipped.is_none() { format!(", and rayon's split gives {}", number(rayon.result)) } else { String::new() }
        ));
    }
    if !pooled {
        out.push("This page has no pool: one thread did every round of the tree.".to_string());
    }
    out.join(" ")
}
