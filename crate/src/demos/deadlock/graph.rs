//! The wait-for graph of a set of locks, and the cycle in it that is a deadlock.
//!
//! Nodes are threads. An edge `from -> to` says: `from` waits for a lock that `to` holds.
//! A thread that waits can release nothing, so if the edges close a circle, every thread on
//! it waits for the next one for ever: Coffman's fourth condition, circular wait (the other
//! three, mutual exclusion, hold and wait, and no preemption, are how the locks work).

use crate::locks::observed::LockView;
use serde::Serialize;

/// `from` waits for `lock`, which `to` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
pub struct Edge {
    pub from: usize,
    pub lock: usize,
    pub to: usize,
}

/// Every wait-for edge of `locks` (indexed by lock number), sorted by thread, then lock.
pub fn wait_for(locks: &[LockView]) -> Vec<Edge> {
    let mut edges: Vec<Edge> = locks
        .iter()
        .enumerate()
        .flat_map(|(lock, v)| {
            v.waiters.iter().flat_map(move |&from| {
                v.holders.iter().filter(move |&&to| to != from).map(move |&to| Edge { from, lock, to })
            })
        })
        .collect();
    edges.sort_by_key(|e| (e.from, e.lock, e.to));
    edges
}

/// A cycle of `edges`, as the edges in order round it, starting at its lowest-numbered
/// thread; `None` when the graph has no cycle. Depth-first search with three colours.
pub fn find_cycle(edges: &[Edge]) -> Option<Vec<Edge>> {
    let n = edges.iter().map(|e| e.from.max(e.to) + 1).max().unwrap_or(0);
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        New,
        OnPath,
        Done,
    }
    let mut colour = vec![Colour::New; n];
    let mut path: Vec<Edge> = Vec::new();

    fn visit(node: usize, edges: &[Edge], colour: &mut [Colour], path: &mut Vec<Edge>) -> Option<Vec<Edge>> {
        colour[node] = Colour::OnPath;
        for e in edges.iter().filter(|e| e.from == node) {
            path.push(*e);
            match colour[e.to] {
                Colour::OnPath => {
                    // The cycle is the part of the path that starts where it leaves `e.to`.
                    let start = path.iter().position(|p| p.from == e.to).expect("on the path");
                    return Some(path[start..].to_vec());
                }
                Colour::New => {
                    if let Some(c) = visit(e.to, edges, colour, path) {
                        return Some(c);
                    }
                }
                Colour::Done => {}
            }
            path.pop();
        }
        colour[node] = Colour::Done;
        None
    }

    for start in 0..n {
        if colour[start] == Colour::New {
            if let Some(mut cycle) = visit(start, edges, &mut colour, &mut path) {
                let lowest = (0..cycle.len()).min_by_key(|&i| cycle[i].from).unwrap_or(0);
                cycle.rotate_left(lowest);
                return Some(cycle);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(holders: &[usize], waiters: &[usize]) -> LockView {
        LockView { holders: holders.to_vec(), waiters: waiters.to_vec(), permits: holders.len().max(1), changes: 0 }
    }

    fn threads(cycle: &[Edge]) -> Vec<usize> {
        cycle.iter().map(|e| e.from).collect()
    }

    /// Philosopher i holds fork i and waits for fork i + 1 (mod k).
    fn table(k: usize) -> Vec<LockView> {
        (0..k).map(|f| lock(&[f], &[(f + k - 1) % k])).collect()
    }

    #[test]
    fn every_philosopher_holding_the_left_fork_is_a_cycle_of_all_k() {
        for k in 2..=8 {
            let cycle = find_cycle(&wait_for(&table(k))).unwrap();
            assert_eq!(threads(&cycle), (0..k).collect::<Vec<_>>(), "k = {k}");
            assert!(cycle.iter().all(|e| e.lock == e.to && e.to == (e.from + 1) % k));
        }
    }

    #[test]
    fn waits_without_a_circle_are_no_deadlock() {
        // 0 waits for 1, 1 waits for 2, 2 waits for nobody.
        let locks = [lock(&[1], &[0]), lock(&[2], &[1]), lock(&[], &[])];
        assert_eq!(wait_for(&locks).len(), 2);
        assert_eq!(find_cycle(&wait_for(&locks)), None);
        assert_eq!(find_cycle(&[]), None);
    }

    #[test]
    fn the_cycle_is_found_among_threads_that_are_not_on_it() {
        // 0 waits for 3; 3 and 4 wait for each other (two locks in opposite order).
        let locks = [lock(&[3], &[0]), lock(&[3], &[4]), lock(&[4], &[3])];
        let cycle = find_cycle(&wait_for(&locks)).unwrap();
        assert_eq!(threads(&cycle), [3, 4]);
        assert_eq!(cycle[0], Edge { from: 3, lock: 2, to: 4 });
        assert_eq!(cycle[1], Edge { from: 4, lock: 1, to: 3 });
    }

    #[test]
    fn a_semaphore_gives_one_edge_per_holder() {
        let seats = lock(&[0, 1, 2], &[3]);
        let edges = wait_for(&[seats]);
        assert_eq!(edges.iter().map(|e| e.to).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(find_cycle(&edges), None);
    }
}
