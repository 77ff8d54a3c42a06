//! The sentence under the queue's figures: what was consumed, in which order, and who waited.

use super::{Outcome, QueueOrder, StopOn};

pub(super) fn explain(o: &Outcome, producers: usize, consumers: usize, produce: u32, consume: u32) -> String {
    let mut s = if o.left.is_empty() {
        format!("All {} items were consumed, each exactly once. ", o.produced)
    } else if (o.order, o.stop) == (QueueOrder::Lifo, StopOn::Pills) {
        format!(
            "{} of {} items were consumed; {} were still in the queue when the consumers stopped: in a LIFO queue the \
             pills, put last, came out first. Poison pills only work if they come out after the items; join and \
             shutdown() do not depend on the order. ",
            o.consumed,
            o.produced,
            o.left.len()
        )
    } else {
        format!("{} of {} items were consumed; {} were left in the queue. ", o.consumed, o.produced, o.left.len())
    };
    s += match o.order {
        QueueOrder::Lifo => "LIFO: each get took the newest item in the queue, like a stack. ",
        QueueOrder::Priority => "Priority: each get took the item with the smallest priority number waiting at that moment. ",
        QueueOrder::Fifo if producers > 1 => "FIFO: items left in the order they went in, and each producer's items stayed in order. ",
        QueueOrder::Fifo => "FIFO: items left in the order they went in. ",
    };
    if let Some(ok) = o.order_check {
        s += "With one producer and one consumer that order can be checked: ";
        s += if ok { "it holds. " } else { "it does NOT hold; please report it. " };
    }
    // Items per second each side can manage, if nothing waited.
    let rate = |n: usize, ms: u32| if ms == 0 { f64::INFINITY } else { n as f64 * 1000.0 / f64::from(ms) };
    let (made, taken) = (rate(producers, produce), rate(consumers, consume));
    let bound = if o.maxsize == 0 { "unbounded".to_string() } else { format!("maxsize {}", o.maxsize) };
    s += &format!("The queue held at most {} ({bound}). ", o.max_fill);
    if made > taken && o.maxsize == 0 {
        s += "Producers can make items faster than consumers take them, and the queue is unbounded: it grows, and put never blocks.";
    } else if made > taken {
        s += &format!(
            "Producers can make items faster than consumers take them, so the queue fills and put blocks: producers waited {:.0} ms in all for a free slot.",
            o.blocked_put_ms
        );
    } else {
        s += &format!(
            "Consumers can take items as fast as producers make them, so the queue stays short: consumers waited {:.0} ms in all on an empty queue.",
            o.blocked_get_ms
        );
    }
    s
}
