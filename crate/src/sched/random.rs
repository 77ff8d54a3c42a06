//! A seeded random scheduler: at each step it picks one of the runnable threads. Same seed,
//! same program: same trace, on every machine and in wasm (no clock, no OS randomness).
//!
//! The generator is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014; constants as in Vigna's public-domain `splitmix64.c`): one add
//! and three xor-shift-multiplies, good enough to shuffle schedules, not for cryptography.

use super::machine::Machine;
use super::program::{Program, ThreadId};
use crate::sync::Arc;

/// SplitMix64: a 64-bit counter passed through a mixing function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-and-shift (Lemire): the bias is below
    /// n / 2^64, far too small to see with a handful of threads.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0) has no answer");
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
}

/// Picks a random runnable thread at each step.
#[derive(Debug, Clone)]
pub struct RandomScheduler {
    rng: SplitMix64,
}

impl RandomScheduler {
    pub fn new(seed: u64) -> RandomScheduler {
        RandomScheduler { rng: SplitMix64::new(seed) }
    }

    /// The thread to step next; `None` when none can (done or deadlocked).
    pub fn pick(&mut self, machine: &Machine) -> Option<ThreadId> {
        let runnable = machine.runnable();
        if runnable.is_empty() {
            None
        } else {
            Some(runnable[self.rng.below(runnable.len())])
        }
    }
}

/// Runs `program` under the scheduler seeded with `seed` until it is done, deadlocks, or has
/// taken `max_steps` steps (a spinning `try_lock` loop may never end). Read the outcome from
/// [`Machine::status`] and the schedule from [`Machine::trace`].
pub fn run_random(program: &Arc<Program>, seed: u64, max_steps: usize) -> Machine {
    let mut machine = Machine::new(Arc::clone(program));
    let mut scheduler = RandomScheduler::new(seed);
    while machine.trace().len() < max_steps {
        let Some(tid) = scheduler.pick(&machine) else { break };
        machine.step(tid).expect("the scheduler picks only runnable threads");
    }
    machine
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs of Vigna's splitmix64.c seeded with 1234567.
        let mut rng = SplitMix64::new(1234567);
        let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(got, [6457827717110365317, 3203168211198807973, 9817491932198370423]);
    }

    #[test]
    fn below_stays_in_range_and_reaches_every_value() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [0usize; 3];
        for _ in 0..300 {
            seen[rng.below(3)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
        assert_eq!(SplitMix64::new(7).below(1), 0);
    }
}
