//! The explorer's state graph: the depth-first search that builds it (each distinct state
//! expanded once), the exact interleaving counts along a topological order, and the shortest
//! trace to every group of end states, by breadth-first search.

use super::key;
use super::{Halt, Limits, Outcome, WATCH_EVERY};
use crate::sched::assertion::Assertion;
use crate::sched::machine::{Machine, ThreadStatus};
use crate::sched::program::{Program, ThreadId};
use crate::sched::trace::Trace;
use std::collections::{HashMap, VecDeque};
use crate::sync::Arc;

/// No group: the state is not an end state (or was never expanded).
pub(super) const NONE: u32 = u32::MAX;

#[derive(Clone, Copy)]
pub(super) struct Node {
    pub(super) first: u32,
    pub(super) len: u32,
    /// The final-state group of an end state; [`NONE`] otherwise.
    pub(super) end: u32,
}

/// End states that read the same (same outcome, same shared state in words).
pub(super) struct Group {
    pub(super) outcome: Outcome,
    pub(super) summary: String,
    pub(super) detail: Vec<String>,
    pub(super) vars: Vec<i64>,
}

/// The explored state graph: node 0 is the start; a node's edges are `edges[first..first + len]`.
pub(super) struct Graph {
    pub(super) nodes: Vec<Node>,
    pub(super) edges: Vec<(ThreadId, u32)>,
    pub(super) groups: Vec<Group>,
    /// False when the search stopped at the state limit or was halted.
    pub(super) complete: bool,
    /// Why the watch stopped the search, if it did.
    pub(super) halted: Option<Halt>,
}

impl Graph {
    pub(super) fn out(&self, n: u32) -> &[(ThreadId, u32)] {
        let node = self.nodes[n as usize];
        &self.edges[node.first as usize..(node.first + node.len) as usize]
    }
}

// snippet:start explorer
/// Step 1, search: from the start state, depth first; each distinct state is expanded once, by
/// stepping every runnable thread on a clone of its machine. Every [`WATCH_EVERY`] new
/// states `watch` hears how many there are, and may halt the search.
pub(super) fn search(
    program: &Arc<Program>,
    assertion: Option<&Assertion>,
    limits: Limits,
    watch: &mut dyn FnMut(usize) -> Option<Halt>,
) -> Graph {
    let mut g = Graph { nodes: Vec::new(), edges: Vec::new(), groups: Vec::new(), complete: true, halted: None };
    let mut keys = key::Keys::default();
    let mut group_of: HashMap<(Outcome, String), u32> = HashMap::new();
    let start = Machine::new(Arc::clone(program));
    let key = keys.encode(start.state());
    keys.index.insert(key, 0);
    g.nodes.push(Node { first: 0, len: 0, end: NONE });
    let mut stack = vec![(0u32, start)];
    let mut watched = 0;
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
                    let _ = watch(g.nodes.len());
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
        if g.nodes.len() >= watched + WATCH_EVERY {
            watched = g.nodes.len();
            if let Some(halt) = watch(g.nodes.len()) {
                g.complete = false;
                g.halted = Some(halt);
                return g;
            }
        }
    }
    let _ = watch(g.nodes.len()); // the last count; the search is over, nothing to halt
    g
}

/// Step 3, count in topological order: `ways(start) = 1`, and each step `s → s'` adds
/// `ways(s)` to `ways(s')`. The interleavings that end in a group are the ways into its end
/// states. Also the longest interleaving; `saturated` if a count passed `u128`.
pub(super) fn count(g: &Graph, order: &[u32]) -> (Vec<u128>, Option<usize>, bool) {
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
pub(super) fn topological_order(g: &Graph) -> Option<Vec<u32>> {
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
pub(super) fn shortest(g: &Graph) -> (Vec<Trace>, Option<usize>) {
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

/// How a run that can go no further ended: deadlocked, some thread failed, the assertion
/// broken, or fine (in that order of precedence). The fuzzer judges its runs by this too.
pub(super) fn outcome_of(m: &Machine, assertion: Option<&Assertion>) -> Outcome {
    let s = m.state();
    if m.is_deadlocked() {
        Outcome::Deadlock
    } else if s.threads.iter().any(|t| matches!(t.status, ThreadStatus::Failed { .. })) {
        Outcome::Failed
    } else if assertion.is_some_and(|a| !a.holds(s)) {
        Outcome::Broken
    } else {
        Outcome::Ok
    }
}

/// How an end state is reported: its outcome, the shared state in words, and why it is bad.
pub(super) fn end_state(m: &Machine, assertion: Option<&Assertion>) -> Group {
    let p = m.program();
    let s = m.state();
    let outcome = outcome_of(m, assertion);
    let detail = match outcome {
        Outcome::Deadlock => m.blocked().into_iter().map(|b| b.message).collect(),
        Outcome::Failed => s
            .threads
            .iter()
            .filter_map(|t| match &t.status {
                ThreadStatus::Failed { message } => Some(message.clone()),
                _ => None,
            })
            .collect(),
        Outcome::Broken => {
            let a = assertion.expect("only an assertion breaks");
            vec![format!("{a} does not hold: {}", a.values(s))]
        }
        Outcome::Ok => Vec::new(),
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
