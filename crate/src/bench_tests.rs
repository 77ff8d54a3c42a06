use super::*;

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap()
}

#[test]
fn locks_count_every_op() {
    pool(4).install(|| {
        for kind in [LockKind::Mutex, LockKind::Spin] {
            for t in [1, 2, 4] {
                let r = lock_throughput(kind, t, 10_000).unwrap();
                // ops is what the loops did; counted is what the guarded counter says: equal
                // only if no increment was lost to another thread.
                assert_eq!((r.ops, r.counted), (10_000 * t as u64, 10_000 * t as u64), "{kind:?} x{t}");
                assert!(r.ops_per_sec > 0.0 && !r.capped);
            }
        }
        assert!(lock_throughput(LockKind::Mutex, 5, 10).is_err());
    });
}

#[test]
fn every_item_goes_through_the_queue_once() {
    pool(8).install(|| {
        for (p, c) in [(1, 1), (1, 4), (4, 1), (3, 2), (4, 4)] {
            let r = queue_throughput(p, c, 5_001).unwrap();
            assert_eq!((r.items, r.capped), (5_001, false), "{p}x{c}");
        }
        assert!(queue_throughput(4, 5, 10).is_err());
    });
}

#[test]
fn the_suite_fits_the_pool() {
    pool(3).install(|| {
        let cfg = SuiteConfig { lock_ops: 1000, queue_items: 500, pool_tasks: 500, pool_workers: 2, repeats: 2 };
        let s = suite(&cfg).unwrap();
        assert_eq!(s.locks.len(), 4); // 1 and 2 threads, no 4 on a pool of 3
        assert_eq!(s.queues.len(), 3); // 1x1, 1x2, 2x1
        assert!(s.pool.task_queue_ns > 0.0 && s.pool.rayon_scope_ns > 0.0);
    });
    #[cfg(not(target_arch = "wasm32"))]
    assert!(thread_per_task(20).ns > 0.0);
}
