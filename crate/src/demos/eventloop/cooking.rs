//! Chapter 9's analogy: one cook (the loop) and three dishes. A step is either hands-on
//! (chopping, kneading: the cook is busy, the loop computes) or a wait (simmering, baking: an
//! `await`, during which the cook can turn to another dish). Done one dish after another,
//! every wait is stood through; overlapped, the cook moves on at each wait; and in the best
//! order, found here by trying every order, the long waits start first.
//!
//! The book's totals are 28, 17 and 15 minutes; its exact steps are not given, so these dishes
//! are this page's own, chosen to give the same three totals. A minute of the kitchen is
//! [`MINUTE`] ms of the loop's clock.

use crate::aio::Loop;

pub const MINUTE: f64 = 1000.0;

/// One step of a dish.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// The cook's hands are busy for this many minutes.
    Hands(&'static str, f64),
    /// The dish waits on its own (the cook is free) for this many minutes.
    Wait(&'static str, f64),
}

pub struct Dish {
    pub name: &'static str,
    pub steps: &'static [Step],
}

use Step::{Hands, Wait};

/// The dishes, in the order the recipe card lists them.
pub const DISHES: [Dish; 3] = [
    Dish { name: "soup", steps: &[Hands("chop the vegetables", 4.0), Wait("simmer", 2.0), Hands("season", 2.0)] },
    Dish { name: "bread", steps: &[Hands("knead", 5.0), Wait("bake", 7.0), Hands("slice", 1.0)] },
    Dish { name: "tea", steps: &[Hands("fill the kettle", 2.0), Wait("boil", 4.0), Hands("pour", 1.0)] },
];

/// The one wait that the blocking switch makes the cook stand through: watching the oven.
pub const WATCHED: (&str, &str) = ("bread", "bake");

/// Spawns the dishes in `order` (indices into [`DISHES`]; empty: as listed).
pub fn cook(lp: &Loop, blocking: bool, all_blocking: bool, order: &[usize]) {
    let listed: Vec<usize> = (0..DISHES.len()).collect();
    for &d in if order.is_empty() { &listed[..] } else { order } {
        let dish = &DISHES[d];
        let lp2 = lp.clone();
        lp.spawn(dish.name, async move {
            for step in dish.steps {
                match *step {
                    Hands(what, min) => {
                        lp2.work(min * MINUTE);
                        lp2.print(format!("{}: {what} ({min} min)", dish.name));
                    }
                    Wait(what, min) => {
                        let watched = blocking && (dish.name, what) == WATCHED;
                        if all_blocking || watched {
                            lp2.block(min * MINUTE);
                        } else {
                            lp2.sleep(min * MINUTE).await;
                        }
                        lp2.print(format!("{}: {what} done ({min} min)", dish.name));
                    }
                }
            }
        });
    }
}

/// Every order in which the dishes can be started.
pub fn orders() -> Vec<Vec<usize>> {
    fn permute(rest: &mut Vec<usize>, chosen: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if rest.is_empty() {
            out.push(chosen.clone());
        }
        for i in 0..rest.len() {
            let d = rest.remove(i);
            chosen.push(d);
            permute(rest, chosen, out);
            chosen.pop();
            rest.insert(i, d);
        }
    }
    let mut out = Vec::new();
    permute(&mut (0..DISHES.len()).collect(), &mut Vec::new(), &mut out);
    out
}

pub fn names(order: &[usize]) -> Vec<String> {
    order.iter().map(|&d| DISHES[d].name.to_string()).collect()
}
