//! A spin lock: the simplest mutual exclusion there is.
//!
//! The state is one flag (`false`: unlocked, `true`: locked). `lock` swaps `true` in until
//! the old value was `false`; the `Acquire` of that swap pairs with the `Release` store in
//! `unlock`, so everything the previous holder wrote is visible to the next one. While it
//! waits a thread burns its core, which is why a blocking mutex (that sleeps instead) wins
//! as soon as critical sections are long or threads outnumber cores. After the spin lock in
//! Mara Bos, *Rust Atomics and Locks*, chapter 4.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use crate::sync::AtomicBool;
use crate::sync::Ordering::{Acquire, Relaxed, Release};

pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `value` to one thread at a time (see `lock`), so
// sharing a `SpinLock<T>` between threads is as safe as sending the `T` between them.
unsafe impl<T: Send> Sync for SpinLock<T> {}

pub struct Guard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> SpinLock<T> {
    pub const fn new(value: T) -> Self {
        SpinLock { locked: AtomicBool::new(false), value: UnsafeCell::new(value) }
    }

    /// Spins until the lock is free; returns the guard and how many times it asked in vain.
    pub fn lock(&self) -> (Guard<'_, T>, u64) {
        let mut spins = 0;
        while self.locked.swap(true, Acquire) {
            // Wait with plain loads until the lock looks free: swapping in a loop would keep
            // taking the cache line away from the holder.
            while self.locked.load(Relaxed) {
                spins += 1;
                std::hint::spin_loop();
            }
        }
        (Guard { lock: self }, spins)
    }

    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a Guard exists only while this thread holds the lock, so no other
        // reference to the value exists.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this the only borrow through the guard.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_threads_count_exactly() {
        let lock = SpinLock::new(0u64);
        let start = crate::sync::Barrier::new(4); // all four contend from the first increment
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    start.wait();
                    for _ in 0..10_000 {
                        *lock.lock().0 += 1;
                    }
                });
            }
        });
        assert_eq!(lock.into_inner(), 40_000);
    }
}
