//! The explorer's numbers for the dining philosophers, checked against an independent model.
//!
//! The model below is written from the listing of `examples::philosophers`, not from the
//! machine: it uses no `Machine`, `Program`, scheduler or explorer code. What it models:
//!
//! - k philosophers P1..Pk and k forks f1..fk. Pi's left fork is fi, its right fork is
//!   f(i mod k + 1). Unordered, Pi takes left then right; ordered, it takes the
//!   lower-numbered fork first (so only Pk differs: f1, then fk).
//! - Each philosopher runs five steps, one step being one indivisible move:
//!   `0: take first fork`, `1: take second fork`, `2: eat`, `3: put second down`,
//!   `4: put first down`; after step 4 it is done (position 5).
//! - A philosopher at 0 or 1 can move only if the fork it reaches for is on the table; it
//!   takes it. Every other step can always move (it owns what it puts down).
//! - A state is every philosopher's position plus who holds each fork. (The program's only
//!   local, `meals`, is 1 exactly when the position is past `eat`, so it adds nothing.)
//! - A schedule is a sequence of moves from the start (every fork on the table) until no
//!   philosopher can move. It ends *finished* (everyone done) or *deadlocked* (someone not
//!   done, nobody can move).
//!
//! Counted by plain recursion with a memo: from each state, the schedules to each end state.
//! The memo's size is the number of reachable states; the sum of each state's possible moves
//! is the number of transitions (edges of the explorer's graph).
//!
//! By hand (asserted below): the only deadlock of the unordered table is everyone holding
//! the left fork. A deadlocked philosopher is at 0 or 1 (nothing else blocks). One at 0 waits
//! for its left fork, which only its left neighbour can hold, as a second fork, at 2 or 3:
//! not blocked, so nobody is at 0. One at 1 waits for its right neighbour, who cannot be done
//! (a done philosopher holds nothing) and so is at 1 too: all are at 1. Everyone's first
//! step is always possible, so the k first steps in any order reach it: k! deadlocking
//! schedules, each k steps long.

use super::{explore, Count, Counting, Limits, Outcome};
use crate::sched::examples::philosophers;
use std::collections::{BTreeMap, HashMap};
use crate::sync::Arc;

/// Who reaches for which fork first and second (forks and philosophers numbered from 0).
struct Table {
    first: Vec<usize>,
    second: Vec<usize>,
}

const DONE: u8 = 5;

/// One state: each philosopher's position in its five steps, and each fork's holder.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
struct Dinner {
    at: Vec<u8>,
    holder: Vec<Option<usize>>,
}

impl Table {
    fn new(k: usize, ordered: bool) -> Table {
        let (mut first, mut second) = (Vec::new(), Vec::new());
        for p in 0..k {
            let (left, right) = (p, (p + 1) % k);
            let (a, b) = if ordered { (left.min(right), left.max(right)) } else { (left, right) };
            first.push(a);
            second.push(b);
        }
        Table { first, second }
    }

    fn start(&self) -> Dinner {
        let k = self.first.len();
        Dinner { at: vec![0; k], holder: vec![None; k] }
    }

    /// The state after philosopher `p` moves, or `None` if it cannot move now.
    fn step(&self, d: &Dinner, p: usize) -> Option<Dinner> {
        let mut next = d.clone();
        match d.at[p] {
            0 | 1 => {
                let fork = if d.at[p] == 0 { self.first[p] } else { self.second[p] };
                if d.holder[fork].is_some() {
                    return None;
                }
                next.holder[fork] = Some(p);
            }
            2 => {}
            3 => next.holder[self.second[p]] = None,
            4 => next.holder[self.first[p]] = None,
            _ => return None,
        }
        next.at[p] += 1;
        Some(next)
    }

    fn moves(&self, d: &Dinner) -> Vec<Dinner> {
        (0..d.at.len()).filter_map(|p| self.step(d, p)).collect()
    }
}

/// From one state: the schedules to each end state, the longest one and the shortest that
/// deadlocks (in moves).
#[derive(Clone, Default)]
struct Futures {
    ends: BTreeMap<Dinner, u128>,
    longest: usize,
    shortest_deadlock: Option<usize>,
}

struct Truth {
    states: usize,
    transitions: usize,
    ends: BTreeMap<Dinner, u128>,
    longest: usize,
    shortest_deadlock: Option<usize>,
}

impl Truth {
    fn finished(&self) -> u128 {
        self.ends.iter().filter(|(d, _)| d.at.iter().all(|&a| a == DONE)).map(|(_, n)| n).sum()
    }
    fn deadlocked(&self) -> u128 {
        self.ends.iter().filter(|(d, _)| d.at.iter().any(|&a| a != DONE)).map(|(_, n)| n).sum()
    }
    fn deadlocked_states(&self) -> usize {
        self.ends.keys().filter(|d| d.at.iter().any(|&a| a != DONE)).count()
    }
}

fn futures(t: &Table, d: &Dinner, memo: &mut HashMap<Dinner, Futures>, edges: &mut usize) -> Futures {
    if let Some(f) = memo.get(d) {
        return f.clone();
    }
    let moves = t.moves(d);
    *edges += moves.len();
    let mut f = Futures::default();
    if moves.is_empty() {
        f.ends.insert(d.clone(), 1);
        if d.at.iter().any(|&a| a != DONE) {
            f.shortest_deadlock = Some(0);
        }
    }
    for next in moves {
        let g = futures(t, &next, memo, edges);
        for (end, n) in g.ends {
            *f.ends.entry(end).or_default() += n;
        }
        f.longest = f.longest.max(g.longest + 1);
        if let Some(s) = g.shortest_deadlock {
            f.shortest_deadlock = Some(f.shortest_deadlock.map_or(s + 1, |m: usize| m.min(s + 1)));
        }
    }
    memo.insert(d.clone(), f.clone());
    f
}

fn enumerate(k: usize, ordered: bool) -> Truth {
    let table = Table::new(k, ordered);
    let (mut memo, mut edges) = (HashMap::new(), 0);
    let f = futures(&table, &table.start(), &mut memo, &mut edges);
    Truth { states: memo.len(), transitions: edges, ends: f.ends, longest: f.longest, shortest_deadlock: f.shortest_deadlock }
}

/// The same model with no memo: every schedule walked one by one (small tables only).
fn walk(t: &Table, d: &Dinner, ends: &mut BTreeMap<Dinner, u128>) {
    let moves = t.moves(d);
    if moves.is_empty() {
        *ends.entry(d.clone()).or_default() += 1;
    }
    for next in moves {
        walk(t, &next, ends);
    }
}

/// How the explorer words an end state: the held forks in fork order, or "every lock free".
fn summary(d: &Dinner) -> String {
    let held: Vec<String> =
        d.holder.iter().enumerate().filter_map(|(f, h)| h.map(|p| format!("f{} held by P{}", f + 1, p + 1))).collect();
    if held.is_empty() {
        "every lock free".to_string()
    } else {
        held.join(", ")
    }
}

fn factorial(k: usize) -> u128 {
    (1..=k as u128).product()
}

#[test]
fn the_model_agrees_with_hand_counts_and_with_walking_every_schedule() {
    // Two philosophers by hand: whoever moves first (2 ways), the other taking its first fork
    // next deadlocks (1 way); otherwise the first holds both forks, and its last step (put f1
    // down) goes before the other's first or second step (2 ways). 2 × (1 + 2) = 6.
    let two = enumerate(2, false);
    assert_eq!((two.finished(), two.deadlocked()), (4, 2));
    for k in 2..=5 {
        let t = enumerate(k, false);
        assert_eq!((t.deadlocked(), t.deadlocked_states(), t.shortest_deadlock), (factorial(k), 1, Some(k)), "k = {k}");
        let only = t.ends.keys().find(|d| d.at.iter().any(|&a| a != DONE)).unwrap();
        assert_eq!(only.at, vec![1; k], "everyone holds the left fork");
        let ordered = enumerate(k, true);
        assert_eq!((ordered.deadlocked(), ordered.ends.len()), (0, 1), "k = {k}");
        // No schedule ends early when nothing deadlocks: all are 5k moves long.
        assert_eq!(ordered.longest, 5 * k);
    }
    for (k, ordered) in [(2, false), (3, false), (3, true)] {
        let table = Table::new(k, ordered);
        let mut walked = BTreeMap::new();
        walk(&table, &table.start(), &mut walked);
        assert_eq!(walked, enumerate(k, ordered).ends, "k = {k}, ordered = {ordered}");
    }
}

/// (k, ordered, states, transitions, complete schedules, deadlocking schedules), all from
/// [`enumerate`]; written out so that a change in the model shows too.
const TABLE: [(usize, bool, usize, usize, u128, u128); 5] = [
    (3, false, 111, 189, 234, 6),
    (4, false, 543, 1_244, 1_167_000, 24),
    (5, false, 2_623, 7_515, 2_430_842_120, 120),
    (4, true, 464, 1_000, 763_404, 0),
    (5, true, 2_240, 6_112, 2_005_231_620, 0),
];

#[test]
fn the_explorer_counts_what_the_model_counts() {
    for (k, ordered, states, transitions, schedules, deadlocks) in TABLE {
        let name = format!("k = {k}, ordered = {ordered}");
        let truth = enumerate(k, ordered);
        let total = truth.finished() + truth.deadlocked();
        assert_eq!(
            (truth.states, truth.transitions, total, truth.deadlocked()),
            (states, transitions, schedules, deadlocks),
            "the model, {name}"
        );

        let e = explore(&Arc::new(philosophers(k, ordered)), None, Limits::default());
        assert_eq!((e.complete, e.cyclic, e.counting), (true, false, Counting::Exact), "{name}");
        // Distinct states reached (the start included), and the moves between them.
        assert_eq!((e.states, e.transitions), (truth.states, truth.transitions), "{name}");
        // Complete schedules: sequences of steps from the start until no thread can step.
        assert_eq!(e.interleavings, Some(Count(total)), "{name}");
        assert_eq!(e.by_outcome.ok, Some(Count(truth.finished())), "{name}");
        assert_eq!(e.by_outcome.deadlock, Some(Count(truth.deadlocked())), "{name}");
        assert_eq!((e.by_outcome.broken, e.by_outcome.failed), (Some(Count(0)), Some(Count(0))), "{name}");
        assert_eq!(e.longest, Some(truth.longest), "{name}");
        // Final states: one per distinct end state here (no two read the same), with the
        // schedules that end in it; deadlocked ones are the distinct deadlocked states.
        let mut expected: Vec<(Outcome, String, u128)> = truth
            .ends
            .iter()
            .map(|(d, &n)| {
                let outcome = if d.at.iter().all(|&a| a == DONE) { Outcome::Ok } else { Outcome::Deadlock };
                (outcome, summary(d), n)
            })
            .collect();
        expected.sort();
        let mut got: Vec<(Outcome, String, u128)> =
            e.final_states.iter().map(|f| (f.outcome, f.summary.clone(), f.interleavings.unwrap().0)).collect();
        got.sort();
        assert_eq!(got, expected, "{name}");
        assert_eq!(e.final_states_total, truth.ends.len(), "{name}");
        let deadlocked_finals = e.final_states.iter().filter(|f| f.outcome == Outcome::Deadlock).count();
        assert_eq!(deadlocked_finals, truth.deadlocked_states(), "{name}");
        // The shortest deadlock, in steps.
        assert_eq!(e.counterexample.as_ref().map(|c| c.steps), truth.shortest_deadlock, "{name}");
    }
}

