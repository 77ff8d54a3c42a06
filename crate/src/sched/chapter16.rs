//! Chapter 16's programs on the step-through scheduler: ABA on a Treiber stack whose popped
//! nodes are reused, and a reader racing a delete (the book's `KeyError`). Each is built from
//! [`Op`]s, so that [`assemble`] also gives its atomic twin, the sequential specification the
//! explorer checks linearizability against.
//!
//! **The stack.** Nodes are numbers, 0 is null: the shared `top` and the shared array `next`
//! are the whole stack. It starts as A → B → C (1 → 2 → 3). Thread A pops once and returns
//! the node in `got`. Thread B pops twice, keeps the second node (`kept`: it is B's now, and
//! must never be on the stack again), and pushes a node back:
//! - with reuse, the *first node it popped*, straight from a free list: the address comes back.
//!   If A read `top = 1` and `next[1] = 2`, then B pops 1 and 2 and pushes 1 back, A's
//!   `CAS(top, 1, 2)` still sees 1 and succeeds: `top` becomes 2, the node B kept. That is ABA:
//!   the value compared was A, then B, then A again, and the CAS cannot tell.
//! - without reuse, a fresh node D (4), as a scheme that never frees a node while a thread may
//!   hold its address gives (the demo's graveyard, crossbeam-epoch, hazard pointers): A's CAS
//!   then sees 4, fails, and A reads `top` again.
//!
//! The assertion is `top != kept`. (Tagged pointers, a counter beside the address in one CAS,
//! are the other classic fix; they need a double-width CAS, which this model leaves out.)

use super::examples::thread_name;
use super::instr::{Cmp, Instr, Operand};
use super::ops::{assemble, Op, ATOMIC};
use super::program::{Program, ProgramSpec, ThreadSpec};
use super::Assertion;

/// The stack's nodes. A, B and C start on the stack; D is the fresh node.
pub const NODES: [(&str, i64); 4] = [("A", 1), ("B", 2), ("C", 3), ("D", 4)];

/// `into = pop()`: Treiber's pop, and `ret = into` when the popped node is returned in a
/// shared variable. An empty stack returns 0.
fn pop(into: &str, ret: Option<&str>) -> Op {
    let mut steps = vec![
        Instr::read("top", into),                      // 0: t = top
        Instr::jump_if(into, Cmp::Eq, 0, 5),           // 1: empty: return null
        Instr::read_at("next", into, "n"),             // 2: n = t.next
        Instr::cas("top", into, "n", "ok"),            // 3: swing top from t to n
        Instr::jump_if("ok", Cmp::Eq, 0, 0),           // 4: someone changed top: again
    ];
    steps.extend(ret.map(|ret| Instr::write(ret, into)));
    Op::new("pop", steps)
}

/// `push(node)`: Treiber's push.
fn push(node: impl Into<Operand> + Clone) -> Op {
    Op::new(
        "push",
        [
            Instr::read("top", "t"),                   // 0: t = top
            Instr::write_at("next", node.clone(), "t"), // 1: node.next = t
            Instr::cas("top", "t", node, "ok"),        // 2: swing top from t to node
            Instr::jump_if("ok", Cmp::Eq, 0, 0),       // 3: someone changed top: again
        ],
    )
}

/// The ABA program: with `reuse`, B pushes back the node it popped first; without, a fresh
/// one. `atomic`: each pop and push is one step to the other thread (the sequential twin).
pub fn treiber(reuse: bool, atomic: bool) -> Program {
    let name = if reuse { "Treiber stack, popped node reused (ABA)" } else { "Treiber stack, no node reused" };
    let pushed: Operand = if reuse { "x".into() } else { NODES[3].1.into() };
    let a = [pop("t", Some("got"))];
    let b = [pop("x", None), pop("y", Some("kept")), push(pushed)];
    let mut spec = ProgramSpec::new(name).var("top", 1).array("next", 1, if reuse { &[2, 3, 0][..] } else { &[2, 3, 0, 0][..] }).var("got", 0).var("kept", 0);
    if atomic {
        spec = spec.lock(ATOMIC);
    }
    let thread = |i: usize, locals: &[&str], ops: &[Op]| {
        locals.iter().fold(ThreadSpec::new(&thread_name(i)), |t, l| t.local(l, 0)).steps(assemble(ops, atomic))
    };
    spec = spec.thread(thread(0, &["t", "n", "ok"], &a)).thread(thread(1, &["x", "y", "t", "n", "ok"], &b));
    super::examples::build(spec)
}

/// What a Treiber program must keep: B's node is not on the stack.
pub fn treiber_assertion() -> Assertion {
    Assertion::vars("top", Cmp::Ne, "kept")
}

/// The value `d[k]` holds once the key is deleted (there are no absent variables here).
pub const DELETED: i64 = -1;

/// The book's reader racing a delete: R checks `"k" in d` and then reads `d["k"]`, two steps
/// with room between them for D's `del d["k"]`; a read after the delete is a `KeyError`
/// (counted in `keyerrors`). With `copy`, R copies the dict under a lock and checks and reads
/// the copy, which no delete can change: copy-on-read. `atomic`: R's lookup and D's delete are
/// each one step to the other (the sequential twin).
pub fn dict_race(copy: bool, atomic: bool) -> Program {
    let name = if copy { "reader with a copy, and a delete" } else { "reader racing a delete" };
    let mut spec = ProgramSpec::new(name).var("d[k]", 7).var("keyerrors", 0);
    let (lookup, delete) = if copy {
        spec = spec.lock("lock");
        let lookup = Op::new("lookup", [
            Instr::lock("lock"),                             // 0: with lock:
            Instr::read("d[k]", "copy"),                     // 1:   copy = dict(d)
            Instr::unlock("lock"),                           // 2
            Instr::jump_if("copy", Cmp::Eq, DELETED, 5),     // 3: if "k" in copy:
            Instr::print("d[k] = {copy}"),                   // 4:   print(copy["k"])
        ]);
        let delete = Op::new("delete", [Instr::lock("lock"), Instr::write("d[k]", DELETED), Instr::unlock("lock")]);
        (lookup, delete)
    } else {
        let lookup = Op::new("lookup", [
            Instr::read("d[k]", "v"),                        // 0: if "k" in d:
            Instr::jump_if("v", Cmp::Eq, DELETED, 7),        // 1
            Instr::read("d[k]", "v"),                        // 2:   v = d["k"]
            Instr::jump_if("v", Cmp::Ne, DELETED, 6),        // 3
            Instr::write("keyerrors", 1),                    // 4:   KeyError: deleted in between
            Instr::jump(7),                                  // 5
            Instr::print("d[k] = {v}"),                      // 6:   print(v)
        ]);
        (lookup, Op::new("delete", [Instr::write("d[k]", DELETED)]))
    };
    if atomic {
        spec = spec.lock(ATOMIC);
    }
    let reader = ThreadSpec::new("R").local(if copy { "copy" } else { "v" }, 0).steps(assemble(&[lookup], atomic));
    let deleter = ThreadSpec::new("D").steps(assemble(&[delete], atomic));
    super::examples::build(spec.thread(reader).thread(deleter))
}

/// What the reader must never meet.
pub fn dict_assertion() -> Assertion {
    Assertion::new("keyerrors", Cmp::Eq, 0)
}

#[cfg(test)]
#[path = "chapter16_tests.rs"]
mod tests;
