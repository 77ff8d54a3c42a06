//! The queue demo's bookkeeping: each item's path, the fill level, each role's record, and
//! the events for the live feed; and the guard that wakes every thread if one panics.

use super::{priority, Event, EventKind, Item, ItemPath, Msg, Role};
use crate::control::Control;
use crate::live::Feed;
use crate::pool::SpanLog;
use crate::queue::Queue;
use crate::sync::{Mutex, MutexGuard, PoisonError};

/// The run's shared bookkeeping: everything but the queue itself.
pub(super) struct Books<'a> {
    pub(super) feed: &'a Feed,
    pub(super) ctl: &'a Control,
    pub(super) log: SpanLog,
    /// Every item's path by id, and whether it was put at all.
    pub(super) paths: Mutex<Vec<(bool, ItemPath)>>,
    pub(super) out: Mutex<Vec<u32>>,
    pub(super) fill: Mutex<Vec<[f64; 2]>>,
    pub(super) roles: Mutex<Vec<(bool, u32, Role)>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Books<'_> {
    pub(super) fn now(&self) -> f64 {
        self.log.now()
    }

    /// Samples the fill level and tells the page.
    pub(super) fn note(&self, q: &Queue<Msg>, e: EventKind, who: &Role, item: Option<&Item>) {
        let size = q.qsize() as u32;
        let t = self.now();
        lock(&self.fill).push([t, f64::from(size)]);
        self.feed.push(&Event {
            e,
            t: (t * 100.0).round() / 100.0,
            who: who.name.clone(),
            lane: who.lane,
            id: item.map(|i| i.id),
            priority: item.map(|i| i.priority),
            size,
        });
    }
}

/// Ends every blocking call in the queue if the thread that owns this guard panics, so that
/// the other threads do not wait forever and the pool can report the panic.
pub(super) struct WakeAllOnPanic<'a>(pub(super) &'a Queue<Msg>);

impl Drop for WakeAllOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.shutdown(true);
        }
    }
}

impl Books<'_> {
    /// An item is in the queue.
    pub(super) fn put(&self, q: &Queue<Msg>, me: &mut Role, item: Item, blocked: bool) {
        let in_ms = self.now();
        me.items += 1;
        self.ctl.advance(1);
        {
            let mut paths = lock(&self.paths);
            let (made, path) = &mut paths[item.id as usize];
            *made = true;
            (path.producer_lane, path.put_ms, path.in_ms, path.blocked) = (me.lane, item.put_ms, in_ms, blocked);
            if let Some(got) = path.got_ms {
                path.queued_ms = Some((got - in_ms).max(0.0));
            }
        }
        self.note(q, EventKind::Put, me, Some(&item));
    }

    /// A consumer got an item. Its producer may not have recorded the put yet (its `put`
    /// returned, but it has not run on): then `queued_ms` is filled in by [`Books::put`].
    pub(super) fn got(&self, q: &Queue<Msg>, me: &mut Role, c: u32, item: Item) {
        me.items += 1;
        self.ctl.advance(1);
        let got_ms = self.now();
        lock(&self.out).push(item.id);
        {
            let mut paths = lock(&self.paths);
            let (made, path) = &mut paths[item.id as usize];
            (path.consumer, path.consumer_lane, path.got_ms) = (Some(c), Some(me.lane), Some(got_ms));
            if *made {
                path.queued_ms = Some((got_ms - path.in_ms).max(0.0));
            }
        }
        self.note(q, EventKind::Get, me, Some(&item));
    }
}

pub(super) fn blank_path(id: u32, producer: u32) -> ItemPath {
    ItemPath {
        id,
        priority: priority(id),
        producer,
        producer_lane: 0,
        put_ms: 0.0,
        in_ms: 0.0,
        blocked: false,
        consumer: None,
        consumer_lane: None,
        got_ms: None,
        queued_ms: None,
    }
}
