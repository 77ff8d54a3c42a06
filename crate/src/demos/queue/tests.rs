use super::*;
use crate::demos;
use std::collections::BTreeSet;

fn run_with(pairs: &[(&str, &str)], pool: u32) -> Result<Outcome, DemoError> {
    run_ctl(pairs, pool, &Control::new())
}

fn run_ctl(pairs: &[(&str, &str)], pool: u32, ctl: &Control) -> Result<Outcome, DemoError> {
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let p = demos::validate("queue", &raw).unwrap();
    let tp = rayon::ThreadPoolBuilder::new().num_threads(pool as usize).build().unwrap();
    let feed = Feed::with_capacity(1 << 18);
    let out = tp.install(|| run(&p, Env { cores: 2, pool_threads: pool }, ctl, &feed));
    if let Ok(o) = &out {
        let puts = feed.text().lines().filter(|l| l.contains("\"e\":\"put\"")).count();
        assert_eq!(puts as u32, o.produced, "the feed carried every put");
    }
    out
}

/// Every item made is either consumed exactly once or reported left in the queue.
fn assert_each_item_once(o: &Outcome, total: u32) {
    let mut seen = o.order_out.clone();
    seen.extend(&o.left);
    seen.sort_unstable();
    assert_eq!(seen, (0..total).collect::<Vec<_>>(), "out {:?} left {:?}", o.order_out, o.left);
    assert_eq!(o.produced, total);
    assert_eq!(o.items.len() as u32, total);
    for path in &o.items {
        assert_eq!(path.consumer.is_some(), !o.left.contains(&path.id), "{path:?}");
    }
}

#[test]
fn every_item_is_consumed_exactly_once_in_every_order_and_stop() {
    for order in ["fifo", "lifo", "priority"] {
        for stop in ["pills", "shutdown"] {
            let o = run_with(
                &[("producers", "3"), ("consumers", "3"), ("items", "12"), ("maxsize", "2"), ("order", order), ("stop", stop), ("produce", "0"), ("consume", "1")],
                6,
            )
            .unwrap();
            assert_each_item_once(&o, 36);
            if !(order == "lifo" && stop == "pills") {
                assert!(o.left.is_empty(), "{order} {stop}: left {:?}", o.left);
            }
            assert_eq!(o.producers.len(), 3);
            assert_eq!(o.consumers.len(), 3);
            let lanes: BTreeSet<u32> = o.producers.iter().chain(&o.consumers).map(|r| r.lane).collect();
            assert_eq!(lanes.len(), 6, "every producer and consumer on a pool thread of its own");
            assert_eq!(o.producers.iter().map(|r| r.items).sum::<u32>(), 36);
            assert_eq!(o.consumers.iter().map(|r| r.items).sum::<u32>(), o.consumed);
        }
    }
}

#[test]
fn the_fill_level_never_exceeds_maxsize() {
    for maxsize in [1, 3] {
        let o = run_with(&[("producers", "4"), ("consumers", "1"), ("items", "6"), ("maxsize", &maxsize.to_string()), ("produce", "0"), ("consume", "1")], 5).unwrap();
        assert!(o.fill.iter().all(|f| f[1] <= f64::from(maxsize)), "{:?}", o.fill);
        assert!(o.max_fill <= maxsize && o.max_fill >= 1);
        assert!(o.fill.len() > 2 * 24, "a sample at every put and get");
    }
}

#[test]
fn one_producer_and_one_consumer_see_fifo_order() {
    let o = run_with(&[("producers", "1"), ("consumers", "1"), ("items", "20"), ("maxsize", "4"), ("produce", "0"), ("consume", "0")], 2).unwrap();
    assert_eq!(o.order_out, (0..20).collect::<Vec<_>>());
    assert_eq!(o.order_check, Some(true));
}

#[test]
fn lifo_and_priority_orders_hold_for_one_producer_and_one_consumer() {
    for order in ["lifo", "priority"] {
        // A slow consumer lets items pile up, so the order has something to choose from.
        let o = run_with(
            &[("producers", "1"), ("consumers", "1"), ("items", "10"), ("maxsize", "0"), ("order", order), ("stop", "shutdown"), ("produce", "0"), ("consume", "3")],
            2,
        )
        .unwrap();
        assert_each_item_once(&o, 10);
        assert!(o.left.is_empty());
        assert!(order_allowed(if order == "lifo" { Order::Lifo } else { Order::Priority }, &o.order_out), "{order}: {:?}", o.order_out);
        assert_eq!(o.order_check, Some(true));
    }
}

#[test]
fn order_rules_accept_what_each_queue_can_give_and_refuse_the_rest() {
    assert!(order_allowed(Order::Fifo, &[0, 1, 2, 3]));
    assert!(!order_allowed(Order::Fifo, &[0, 2, 1]));
    // LIFO: 0 went out at once, then 1, 2, 3 piled up and left newest first.
    assert!(order_allowed(Order::Lifo, &[0, 3, 2, 1]));
    assert!(order_allowed(Order::Lifo, &[0, 1, 2, 3]));
    assert!(!order_allowed(Order::Lifo, &[2, 0, 1]), "1 was above 0 when 2 left");
    // Priorities of 0..4 are 3, 0, 7, 4: with all four waiting, 1 (priority 0) goes first.
    assert_eq!((0..4).map(priority).collect::<Vec<_>>(), [3, 0, 7, 4]);
    assert!(order_allowed(Order::Priority, &[0, 1, 3, 2]));
    assert!(!order_allowed(Order::Priority, &[0, 2, 1]), "1 waited with a smaller priority than 2");
    let ten: BTreeSet<u32> = (0..10).map(priority).collect();
    assert_eq!(ten.len(), 10, "ten neighbouring ids, ten priorities");
}

#[test]
fn pills_sort_after_every_item_in_the_priority_queue() {
    let q = Queue::priority(0);
    q.put_nowait(Msg::Pill).unwrap();
    for id in [5, 1, 8] {
        q.put_nowait(Msg::Item(Item { id, producer: 0, priority: priority(id), put_ms: 0.0 })).unwrap();
    }
    let ids: Vec<Option<u32>> = std::iter::from_fn(|| q.get_nowait().ok()).map(|m| if let Msg::Item(i) = m { Some(i.id) } else { None }).collect();
    assert_eq!(ids, [Some(1), Some(5), Some(8), None]); // priorities 0, 8, 9, then the pill
}

#[test]
fn a_full_queue_makes_the_producer_wait() {
    // Each item takes the consumer 25 ms; the producer makes them at once into a queue of
    // one. After the first two, every put finds the queue full.
    let o = run_with(&[("producers", "1"), ("consumers", "1"), ("items", "5"), ("maxsize", "1"), ("produce", "0"), ("consume", "25")], 2).unwrap();
    assert!(o.producers[0].blocked_count >= 1, "{:?}", o.producers);
    assert!(o.blocked_put_ms > 0.0);
    assert_eq!(o.max_fill, 1);
    assert!(o.explanation.contains("put blocks"), "{}", o.explanation);
}

#[test]
fn too_many_roles_for_the_pool_or_no_pool_is_refused_with_a_reason() {
    let raw: Vec<(String, String)> = [("producers", "4"), ("consumers", "4")].iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let p = demos::validate("queue", &raw).unwrap();
    // The registry's check of the thread inputs, which comes before every run.
    match demos::check_threads(&SPEC, &p, Env { cores: 2, pool_threads: 6 }) {
        Err(DemoError::Invalid(e)) => {
            assert_eq!(e[0].param, "consumers");
            assert!(e[0].message.starts_with("producers + consumers must be at most 6 here: the engine's pool has 6 workers"), "{}", e[0].message);
        }
        other => panic!("{other:?}"),
    }
    match demos::check_threads(&SPEC, &p, Env { cores: 2, pool_threads: 0 }) {
        Err(DemoError::Invalid(e)) => assert!(e[0].message.contains("need real threads"), "{}", e[0].message),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_cancel_stops_the_run_in_either_stop_mode() {
    for stop in ["pills", "shutdown"] {
        let ctl = Control::new();
        std::thread::scope(|s| {
            // Cancel once a few items have moved: the run itself would last many seconds.
            s.spawn(|| {
                while ctl.progress().0 < 4 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                ctl.cancel();
            });
            let r = run_ctl(&[("producers", "3"), ("consumers", "1"), ("items", "50"), ("maxsize", "2"), ("stop", stop), ("produce", "1"), ("consume", "100")], 4, &ctl);
            assert!(matches!(r, Err(DemoError::Cancelled)), "{stop}: {:?}", r.map(|o| o.consumed));
        });
    }
}

#[test]
fn the_summary_says_only_the_inputs_before_a_run() {
    let p = demos::validate("queue", &[]).unwrap();
    let v = demos::to_json(&Summary::new(&p, None));
    let params = serde_json::json!({ "producers": 2, "consumers": 2, "items": 8, "maxsize": 3, "order": "fifo", "produce": 20, "consume": 45, "stop": "pills" });
    assert_eq!(v, serde_json::json!({ "demo": "queue", "params": params }));
}

#[test]
fn the_summary_of_a_lifo_run_with_pills_counts_what_was_left() {
    // One producer, one consumer, an unbounded LIFO queue stopped by a pill: how many items
    // the pill overtakes depends on the timing, but each is either consumed or left.
    let pairs = [("producers", "1"), ("consumers", "1"), ("items", "4"), ("maxsize", "0"), ("order", "lifo"), ("stop", "pills"), ("produce", "0"), ("consume", "0")];
    let o = run_with(&pairs, 2).unwrap();
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let v = demos::to_json(&Summary::new(&demos::validate("queue", &raw).unwrap(), Some(&o)));
    assert_eq!((v["demo"].as_str(), v["order"].as_str(), v["stop"].as_str(), v["params"]["order"].as_str()), (Some("queue"), Some("lifo"), Some("pills"), Some("lifo")));
    assert_eq!((v["produced"].as_u64(), v["threadsUsed"].as_u64(), v["maxsize"].as_u64()), (Some(4), Some(2), Some(0)));
    let (consumed, left) = (v["consumed"].as_u64().unwrap(), v["left"].as_array().unwrap().len() as u64);
    assert_eq!(consumed + left, 4, "every item is consumed or left");
    assert_eq!(v["orderOut"].as_array().unwrap().len() as u64, consumed);
    // Paths name roles from 1: the one producer is P1, and only consumed items have a consumer.
    let paths = v["paths"].as_array().unwrap();
    assert_eq!(paths.iter().map(|p| p["id"].as_u64().unwrap()).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert!(paths.iter().all(|p| p["producer"] == 1 && (p["consumer"].is_null() || p["consumer"] == 1)));
    assert_eq!(paths.iter().filter(|p| p["consumer"].is_null()).count() as u64, left);
    // (7 × id + 3) mod 10.
    assert_eq!(paths.iter().map(|p| p["priority"].as_u64().unwrap()).collect::<Vec<_>>(), [3, 0, 7, 4]);
    assert_eq!(v["lanes"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(), ["P1", "C1"]);
    assert_eq!((v["blockedMs"]["producers"].as_array().unwrap().len(), v["blockedMs"]["consumers"].as_array().unwrap().len()), (1, 1));
    assert_eq!(v["blockedPutMs"], 0.0, "an unbounded queue never blocks a put");
    let fill: Vec<f64> = v["fill"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert_eq!(fill[0], 0.0, "the queue starts empty");
    assert_eq!(fill.iter().copied().fold(0.0, f64::max), v["maxFill"].as_f64().unwrap());
    assert!(v["orderCheck"].is_boolean(), "one producer and one consumer: the order is checked");
}
