//! The interleaving explorer (chapter 19): every schedule of a step-through [`Program`], the
//! final states they reach and how many reach each, which ones deadlock or break an
//! [`Assertion`], and a shortest counterexample to replay step by step.
//!
//! The algorithm, in four passes over one graph whose nodes are distinct [`State`](super::State)s and whose
//! edges are "thread t takes its next step":
//! 1. **Search** from the start state with a stack of machines (depth first). Each new state
//!    is expanded once: every runnable thread is stepped on a clone. A state seen before is
//!    not expanded again, which is what makes the classics instant: the 2,430,842,120
//!    interleavings of five dining philosophers pass through 2,623 states. Past
//!    [`Limits::max_states`] the search stops, and every count below is of the part explored
//!    ("at least").
//! 2. **Order** (Kahn's algorithm): a topological order of the graph. If some state is never
//!    freed, the graph has a cycle: a schedule comes back to a state it was in (a spin loop,
//!    a livelock), so there are infinitely many schedules and none are counted.
//! 3. **Count** forward in that order: `ways(start) = 1`, and each edge `s → s'` adds
//!    `ways(s)` to `ways(s')`. The ways of an end state is the number of interleavings that
//!    end there; their sum is the number of complete interleavings (the same number as the
//!    memoised `paths(s) = Σ paths(successor)`, `paths(end) = 1`, read from the other side).
//!    Counts are `u128`; one that would overflow saturates and is reported as "at least".
//! 4. **Shortest** (breadth first over the stored edges, threads in id order): the fewest
//!    steps to each end state, so each final state comes with its shortest interleaving, and
//!    the first bad end state met is a shortest counterexample.
//!
//! **The key is the whole state, printed output included.** Two states merge only if they
//! are equal, so merging never changes what can happen next nor what a run printed: the final
//! states (which include the output, the point of chapter 3's countdown) are exact. Leaving
//! output out would merge more (every order of prints would collapse) but would then report
//! one arbitrary output per merged state. The key is a compact byte encoding of the state
//! (see `key.rs`), equal exactly when the states are equal.
//!
//! **No partial-order reduction.** POR skips interleavings that differ only in the order of
//! independent steps, and those are exactly what this explorer counts. The state cache gets
//! most of the saving anyway: independent steps taken in either order reach the same state,
//! so the "diamond" is explored once and counted twice.

mod key;

use super::assertion::Assertion;
use super::machine::{Machine, ThreadStatus};
use super::program::{Program, ThreadId};
use super::trace::{replay, Trace};
use serde::{Serialize, Serializer};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

/// How far the search may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Distinct states to visit at most; the search stops before visiting one more.
    pub max_states: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_states: 200_000 }
    }
}

/// Final states listed at most (a program can have more; the total is reported).
pub const MAX_FINAL_STATES: usize = 1000;

/// How an interleaving ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every thread finished, and the assertion (if any) holds.
    Ok,
    /// Every thread finished, and the assertion does not hold.
    Broken,
    /// Every thread has ended, and some ended with an error (e.g. released a lock it did not hold).
    Failed,
    /// Some threads have not finished and none can step.
    Deadlock,
}

/// A number of interleavings. In JSON a decimal string: counts pass 2^53, where a JSON
/// number read by JavaScript would silently round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Count(pub u128);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

/// Digits in groups of three: `155,117,520`.
impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&grouped(self.0))
    }
}

pub(crate) fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the counts in an [`Exploration`] mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// Every interleaving, counted exactly.
    Exact,
    /// Lower bounds: the search stopped at its state limit, or a count passed 2^128.
    AtLeast,
    /// Not counted: some schedule returns to a state it was in, so there are infinitely many.
    Unbounded,
}

/// One final state (or several that differ only in the threads' locals) and the
/// interleavings that end in it.
#[derive(Debug, Clone, Serialize)]
pub struct FinalState {
    pub outcome: Outcome,
    /// The shared state, readably: `counter = 1`, `a held by A, b held by B`.
    pub summary: String,
    /// Why it is bad: who waits for whom, the error, or the assertion that failed.
    pub detail: Vec<String>,
    /// `None` when [`Counting::Unbounded`].
    pub interleavings: Option<Count>,
    /// A shortest interleaving that ends here, as trace text (`0.1.0.0.1.1`).
    pub trace: String,
    /// Its length in steps.
    pub steps: usize,
    #[serde(skip)]
    pub vars: Vec<i64>,
}

/// Interleavings by outcome (`None` when [`Counting::Unbounded`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub ok: Option<Count>,
    pub broken: Option<Count>,
    pub failed: Option<Count>,
    pub deadlock: Option<Count>,
}

/// Everything the explorer found.
#[derive(Debug, Clone, Serialize)]
pub struct Exploration {
    /// Thread names by id, to read traces with.
    pub threads: Vec<String>,
    pub assertion: Option<String>,
    /// Distinct states visited.
    pub states: usize,
    /// Steps tried (edges of the state graph).
    pub transitions: usize,
    pub limit: usize,
    /// False when the search stopped at the state limit.
    pub complete: bool,
    /// Some schedule returns to a state it was in (so some schedules never end).
    pub cyclic: bool,
    pub counting: Counting,
    /// Complete interleavings (`None` when [`Counting::Unbounded`]).
    pub interleavings: Option<Count>,
    pub by_outcome: Tally,
    /// The longest complete interleaving, in steps (`None` when cyclic or none was found).
    pub longest: Option<usize>,
    /// The distinct final states found, by shared values (at most [`MAX_FINAL_STATES`]).
    pub final_states: Vec<FinalState>,
    pub final_states_total: usize,
    /// A shortest interleaving that deadlocks, fails or breaks the assertion.
    pub counterexample: Option<FinalState>,
    /// When the search stopped early: how far it got, in a sentence.
    pub stopped: Option<String>,
}

/// No group: the state is not an end state (or was never expanded).
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Node {
    first: u32,
    len: u32,
    /// The final-state group of an end state; [`NONE`] otherwise.
    end: u32,
}

/// End states that read the same (same outcome, same shared state in words).
struct Group {
    outcome: Outcome,
    summary: String,
    detail: Vec<String>,
    vars: Vec<i64>,
}

/// The explored state graph: node 0 is the start; a node's edges are `edges[first..first + len]`.
struct Graph {
    nodes: Vec<Node>,
    edges: Vec<(ThreadId, u32)>,
    groups: Vec<Group>,
    /// False when the search stopped at the state limit.
    complete: bool,
}

impl Graph {
    fn out(&self, n: u32) -> &[(ThreadId, u32)] {
        let node = self.nodes[n as usize];
        &self.edges[node.first as usize..(node.first + node.len) as usize]
    }
}

// snippet:start explorer
/// Step 1, search: from the start state, depth first; each distinct state is expanded once, by
/// stepping every runnable thread on a clone of its machine.
fn search(program: &Arc<Program>, assertion: Option<&Assertion>, limits: Limits) -> Graph {
    let mut g = Graph { nodes: Vec::new(), edges: Vec::new(), groups: Vec::new(), complete: true };
    let mut keys = key::Keys::default();
    let mut group_of: HashMap<(Outcome, String), u32> = HashMap::new();
    let start = Machine::new(Arc::clone(program));
    let key = keys.encode(start.state());
    keys.index.insert(key, 0);
    g.nodes.push(Node { first: 0, len: 0, end: NONE });
    let mut stack = vec![(0u32, start)];
    while let Some((id, machine)) = stack.pop() {
        let runnable = machine.runnable();
        g.nodes[id as usize].first = g.edges.len() as u32;
        if runnable.is_empty() {
            // An end state: done or deadlocked. Group it with those that read the same.
            let group = end_state(&machine, assertion);
            let next = g.groups.len() as u32;
            let n = *group_of.entry((group.outcome, group.summary.clone())).or_insert(next);
            if n == next {
                g.groups.push(group);
            }
            g.nodes[id as usize].end = n;
        }
        for tid in runnable {
            let mut next = machine.clone();
            next.step(tid).expect("a runnable thread can step");
            let key = keys.encode(next.state());
            let to = match keys.index.get(&key) {
                Some(&to) => to, // seen before: its future is explored once, from there
                None if g.nodes.len() >= limits.max_states => {
                    g.complete = false;
                    return g;
                }
                None => {
                    let to = g.nodes.len() as u32;
                    keys.index.insert(key, to);
                    g.nodes.push(Node { first: 0, len: 0, end: NONE });
                    stack.push((to, next));
                    to
                }
            };
            g.edges.push((tid, to));
            g.nodes[id as usize].len += 1;
        }
    }
    g
}

/// Step 3, count in topological order: `ways(start) = 1`, and each step `s → s'` adds
/// `ways(s)` to `ways(s')`. The interleavings that end in a group are the ways into its end
/// states. Also the longest interleaving; `saturated` if a count passed `u128`.
fn count(g: &Graph, order: &[u32]) -> (Vec<u128>, Option<usize>, bool) {
    let mut saturated = false;
    let mut add = |a: u128, b: u128| {
        a.checked_add(b).unwrap_or_else(|| {
            saturated = true;
            u128::MAX
        })
    };
    let mut ways = vec![0u128; g.nodes.len()];
    let mut depth = vec![0usize; g.nodes.len()];
    let mut per_group = vec![0u128; g.groups.len()];
    let mut longest = None;
    ways[0] = 1;
    for &n in order {
        let (w, d) = (ways[n as usize], depth[n as usize]);
        for &(_, to) in g.out(n) {
            ways[to as usize] = add(ways[to as usize], w);
            depth[to as usize] = depth[to as usize].max(d + 1);
        }
        let end = g.nodes[n as usize].end;
        if end != NONE {
            per_group[end as usize] = add(per_group[end as usize], w);
            longest = longest.max(Some(d));
        }
    }
    (per_group, longest, saturated)
}
// snippet:end explorer

/// Step 2, order (Kahn's algorithm): every state after all the states that step into it. `None`
/// when some states are never freed: they lie on a cycle.
fn topological_order(g: &Graph) -> Option<Vec<u32>> {
    let mut waiting_for = vec![0u32; g.nodes.len()];
    g.edges.iter().for_each(|&(_, to)| waiting_for[to as usize] += 1);
    let mut order = Vec::with_capacity(g.nodes.len());
    let mut ready: Vec<u32> = (waiting_for[0] == 0).then_some(0).into_iter().collect();
    while let Some(n) = ready.pop() {
        order.push(n);
        for &(_, to) in g.out(n) {
            waiting_for[to as usize] -= 1;
            if waiting_for[to as usize] == 0 {
                ready.push(to);
            }
        }
    }
    (order.len() == g.nodes.len()).then_some(order)
}

/// Step 4, shortest: breadth first, threads in id order. Returns a shortest trace to an end state
/// of each group, and the group of the first bad end state met (a shortest counterexample).
fn shortest(g: &Graph) -> (Vec<Trace>, Option<usize>) {
    let mut parent = vec![(NONE, 0 as ThreadId); g.nodes.len()];
    let mut seen = vec![false; g.nodes.len()];
    let mut nearest: Vec<Option<u32>> = vec![None; g.groups.len()];
    let mut nearest_bad = None;
    let mut queue = VecDeque::from([0u32]);
    seen[0] = true;
    while let Some(n) = queue.pop_front() {
        let end = g.nodes[n as usize].end as usize;
        if end != NONE as usize && nearest[end].is_none() {
            nearest[end] = Some(n);
            if g.groups[end].outcome != Outcome::Ok && nearest_bad.is_none() {
                nearest_bad = Some(end);
            }
        }
        for &(tid, to) in g.out(n) {
            if !seen[to as usize] {
                seen[to as usize] = true;
                parent[to as usize] = (n, tid);
                queue.push_back(to);
            }
        }
    }
    let trace_to = |mut n: u32| {
        let mut steps = Vec::new();
        while parent[n as usize].0 != NONE {
            steps.push(parent[n as usize].1);
            n = parent[n as usize].0;
        }
        steps.reverse();
        Trace::new(steps)
    };
    let traces = nearest.into_iter().map(|n| trace_to(n.expect("every end state is reachable from the start"))).collect();
    (traces, nearest_bad)
}

/// Explores every interleaving of `program`, checking `assertion` where all threads finish.
pub fn explore(program: &Arc<Program>, assertion: Option<&Assertion>, limits: Limits) -> Exploration {
    let graph = search(program, assertion, limits);
    let order = topological_order(&graph);
    let cyclic = order.is_none();
    let (counts, longest, saturated) = match &order {
        Some(order) => count(&graph, order),
        None => (vec![0; graph.groups.len()], None, false),
    };
    let (traces, nearest_bad) = shortest(&graph);
    let complete = graph.complete;

    let finals: Vec<FinalState> = graph
        .groups
        .iter()
        .zip(counts)
        .zip(traces)
        .map(|((g, count), trace)| {
            // The words of the state this trace reaches (states of one group share a summary,
            // but who waits for whom, or which error, may differ between them).
            let end = replay(program, &trace).expect("a path of the graph replays");
            FinalState {
                outcome: g.outcome,
                summary: g.summary.clone(),
                detail: end_state(&end, assertion).detail,
                interleavings: (!cyclic).then_some(Count(count)),
                trace: trace.to_string(),
                steps: trace.len(),
                vars: g.vars.clone(),
            }
        })
        .collect();
    let counterexample = nearest_bad.map(|g| finals[g].clone());
    let total = |which: Option<Outcome>| {
        let sum = finals
            .iter()
            .filter(|f| which.is_none_or(|o| f.outcome == o))
            .fold(0u128, |sum, f| sum.saturating_add(f.interleavings.unwrap_or_default().0));
        (!cyclic).then_some(Count(sum))
    };
    let interleavings = total(None);
    let by_outcome = Tally {
        ok: total(Some(Outcome::Ok)),
        broken: total(Some(Outcome::Broken)),
        failed: total(Some(Outcome::Failed)),
        deadlock: total(Some(Outcome::Deadlock)),
    };
    let counting = if cyclic {
        Counting::Unbounded
    } else if !complete || saturated {
        Counting::AtLeast
    } else {
        Counting::Exact
    };
    let stopped = (!complete).then(|| {
        let counted = match interleavings {
            Some(n) => format!("at least {n} complete interleavings"),
            None => "infinitely many interleavings (a schedule loops)".to_string(),
        };
        format!(
            "Stopped after {} states (the limit). Explored so far: {counted}, {} final state{}{}. \
             A property that held in the part explored may still fail in the rest.",
            grouped(graph.nodes.len() as u128),
            finals.len(),
            if finals.len() == 1 { "" } else { "s" },
            if counterexample.is_some() { ", and a counterexample" } else { "" },
        )
    });
    let mut final_states = finals;
    final_states.sort_by(|a, b| (&a.vars, a.outcome, &a.summary).cmp(&(&b.vars, b.outcome, &b.summary)));
    let final_states_total = final_states.len();
    final_states.truncate(MAX_FINAL_STATES);
    Exploration {
        threads: program.threads.iter().map(|t| t.name.clone()).collect(),
        assertion: assertion.map(|a| a.to_string()),
        states: graph.nodes.len(),
        transitions: graph.edges.len(),
        limit: limits.max_states,
        complete,
        cyclic,
        counting,
        interleavings,
        by_outcome,
        longest,
        final_states,
        final_states_total,
        counterexample,
        stopped,
    }
}

/// How an end state is reported: its outcome, the shared state in words, and why it is bad.
fn end_state(m: &Machine, assertion: Option<&Assertion>) -> Group {
    let p = m.program();
    let s = m.state();
    let (outcome, detail) = if m.is_deadlocked() {
        (Outcome::Deadlock, m.blocked().into_iter().map(|b| b.message).collect())
    } else {
        let failures: Vec<String> = s
            .threads
            .iter()
            .filter_map(|t| match &t.status {
                ThreadStatus::Failed { message } => Some(message.clone()),
                _ => None,
            })
            .collect();
        match assertion {
            _ if !failures.is_empty() => (Outcome::Failed, failures),
            Some(a) if !a.holds(s) => {
                (Outcome::Broken, vec![format!("{a} does not hold: {} is {}", a.var, s.vars[&a.var])])
            }
            _ => (Outcome::Ok, Vec::new()),
        }
    };
    let mut parts: Vec<String> = p.vars.iter().map(|v| format!("{} = {}", v.name, s.vars[&v.name])).collect();
    parts.extend(p.locks.iter().filter_map(|l| s.locks[l].map(|o| format!("{l} held by {}", p.thread_name(o)))));
    parts.extend(p.queues.iter().filter(|q| !s.queues[&q.name].is_empty()).map(|q| {
        let items: Vec<String> = s.queues[&q.name].iter().map(i64::to_string).collect();
        format!("{} = [{}]", q.name, items.join(", "))
    }));
    if !s.output.is_empty() {
        let lines: Vec<String> = s.output.iter().map(|l| format!("“{}”", l.text)).collect();
        parts.push(format!("printed {}", lines.join(" ")));
    }
    if parts.is_empty() {
        parts.push(if p.locks.is_empty() { "nothing shared".to_string() } else { "every lock free".to_string() });
    }
    let vars = p.vars.iter().map(|v| s.vars[&v.name]).collect();
    Group { outcome, summary: parts.join(", "), detail, vars }
}

/// The number of interleavings of independent threads with `steps[i]` steps each:
/// (Σ steps)! / Π (steps of each)!, the multinomial coefficient; `None` past `u128`.
/// For two threads it is C(a + b, a).
pub fn interleavings_of(steps: &[u32]) -> Option<u128> {
    let mut total: u128 = 1;
    let mut n: u128 = 0;
    for &k in steps {
        // Multiply by C(n + k, k), one factor at a time: each partial product is a binomial,
        // so every division is exact.
        let mut c: u128 = 1;
        for i in 1..=k as u128 {
            c = c.checked_mul(n + i)? / i;
        }
        total = total.checked_mul(c)?;
        n += k as u128;
    }
    Some(total)
}

#[cfg(test)]
mod tests;
