//! What travels through the queue demo's queue: items with their maker and put time, and
//! the poison pills that stop consumers; ordered like Python's `(priority, id)` tuples.

use std::cmp::Ordering;

/// One item, as it travels through the queue: who made it, and when it was offered.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Producer `p`'s `i`-th item is `p * items + i`.
    pub id: u32,
    pub producer: u32,
    /// The key of the priority queue: smaller comes out first. See [`priority`].
    pub priority: u32,
    /// When the producer called `put`, in ms from the start of the run.
    pub put_ms: f64,
}

/// What goes through the queue: an item, or a poison pill telling one consumer to stop.
#[derive(Debug, Clone, Copy)]
pub enum Msg {
    Item(Item),
    Pill,
}

/// The priority queue's order, Python's `(priority, id)` tuples: the smaller priority first,
/// and between equal priorities the smaller id (the tie-breaker Python's docs recommend). A
/// pill sorts after every item, so it never overtakes one.
impl Ord for Msg {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Msg::Item(a), Msg::Item(b)) => (a.priority, a.id).cmp(&(b.priority, b.id)),
            (Msg::Item(_), Msg::Pill) => Ordering::Less,
            (Msg::Pill, Msg::Item(_)) => Ordering::Greater,
            (Msg::Pill, Msg::Pill) => Ordering::Equal,
        }
    }
}

impl PartialOrd for Msg {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Msg {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Msg {}

/// An item's priority, 0 (most urgent) to 9, made up from its id so that every run uses the
/// same ones: `(7 * id + 3) mod 10`, which gives ten neighbouring ids ten different priorities.
pub fn priority(id: u32) -> u32 {
    (7 * (id % 10) + 3) % 10
}
