//! What one step does: each instruction's effect on a [`Machine`]'s state (the machine has
//! already checked that the thread can step), and the program counter moved on.

use super::*;
use crate::sched::program::element;

impl Machine {
    /// Does the step (the caller has checked that it can run) and moves the program counter.
    pub(super) fn execute(&mut self, tid: ThreadId) -> Action {
        let me = self.program.thread_name(tid).to_string();
        let st = &mut self.state;
        let th = &mut st.threads[tid];
        if let ThreadStatus::Reacquiring { lock } = &th.status {
            let lock = lock.clone();
            st.locks.insert(lock.clone(), Some(tid));
            th.status = ThreadStatus::Active;
            th.pc += 1;
            return Action::Reacquired { lock };
        }
        let instr = &self.program.threads[tid].steps[th.pc];
        let value = |locals: &BTreeMap<String, i64>, o: &Operand| match o {
            Operand::Const(v) => *v,
            Operand::Local(name) => locals[name],
        };
        let mut next = th.pc + 1;
        let action = match instr {
            Instr::Read { var, into } => {
                let v = st.vars[var];
                th.locals.insert(into.clone(), v);
                Action::Read { var: var.clone(), value: v }
            }
            Instr::Write { var, from } => {
                let v = value(&th.locals, from);
                st.vars.insert(var.clone(), v);
                Action::Wrote { var: var.clone(), value: v }
            }
            Instr::Add { local, value: amount } => {
                let (a, b) = (th.locals[local], value(&th.locals, amount));
                match a.checked_add(b) {
                    Some(v) => {
                        th.locals.insert(local.clone(), v);
                        Action::Added { local: local.clone(), value: v }
                    }
                    None => Action::Failed {
                        message: format!("{me}'s {local} overflowed ({a} + {b}); values must stay within 64 bits"),
                    },
                }
            }
            Instr::ReadAt { array, index, into } => {
                let name = element(array, value(&th.locals, index));
                match st.vars.get(&name) {
                    Some(&v) => {
                        th.locals.insert(into.clone(), v);
                        Action::Read { var: name, value: v }
                    }
                    None => Action::Failed { message: no_element(&me, "read", &name, array, &st.vars) },
                }
            }
            Instr::WriteAt { array, index, from } => {
                let name = element(array, value(&th.locals, index));
                let v = value(&th.locals, from);
                match st.vars.get_mut(&name) {
                    Some(slot) => {
                        *slot = v;
                        Action::Wrote { var: name, value: v }
                    }
                    None => Action::Failed { message: no_element(&me, "wrote", &name, array, &st.vars) },
                }
            }
            Instr::Cas { var, expect, new, into } => {
                let (seen, expect, new) = (st.vars[var], value(&th.locals, expect), value(&th.locals, new));
                let swapped = seen == expect;
                if swapped {
                    st.vars.insert(var.clone(), new);
                }
                th.locals.insert(into.clone(), i64::from(swapped));
                Action::Cas { var: var.clone(), seen, swapped }
            }
            Instr::Lock { lock } => {
                st.locks.insert(lock.clone(), Some(tid));
                Action::Locked { lock: lock.clone() }
            }
            Instr::TryLock { lock, on_fail } => match st.locks[lock] {
                None => {
                    st.locks.insert(lock.clone(), Some(tid));
                    Action::Locked { lock: lock.clone() }
                }
                Some(owner) => {
                    next = *on_fail;
                    Action::LockBusy { lock: lock.clone(), owner }
                }
            },
            Instr::Unlock { lock } => match st.locks[lock] {
                Some(owner) if owner == tid => {
                    st.locks.insert(lock.clone(), None);
                    Action::Unlocked { lock: lock.clone() }
                }
                other => {
                    let state = match other {
                        Some(owner) => format!("it is held by {}", self.program.thread_name(owner)),
                        None => "it is free".to_string(),
                    };
                    Action::Failed {
                        message: format!(
                            "{me} released lock \"{lock}\" without holding it ({state}); only the thread that holds a lock may release it"
                        ),
                    }
                }
            },
            Instr::Put { queue, value: item } => {
                let v = value(&th.locals, item);
                st.queues.get_mut(queue).expect("validated queue").push_back(v);
                Action::Put { queue: queue.clone(), value: v }
            }
            Instr::Get { queue, into } | Instr::TryGet { queue, into, .. } => {
                match st.queues.get_mut(queue).expect("validated queue").pop_front() {
                    Some(v) => {
                        th.locals.insert(into.clone(), v);
                        Action::Got { queue: queue.clone(), value: v }
                    }
                    None => {
                        let Instr::TryGet { on_empty, .. } = instr else { unreachable!("a blocked get never runs") };
                        next = *on_empty;
                        Action::QueueEmpty { queue: queue.clone() }
                    }
                }
            }
            Instr::Empty { queue, into } => {
                let size = st.queues[queue].len();
                th.locals.insert(into.clone(), i64::from(size == 0));
                Action::Checked { queue: queue.clone(), size }
            }
            Instr::Wait { cond } | Instr::Notify { cond } | Instr::NotifyAll { cond } => {
                let lock = self.program.cond_lock(cond);
                if st.locks[lock] != Some(tid) {
                    let verb = match instr {
                        Instr::Wait { .. } => "waited on",
                        _ => "notified",
                    };
                    Action::Failed {
                        message: format!(
                            "{me} {verb} condition \"{cond}\" without holding its lock \"{lock}\"; wait and notify need the lock held"
                        ),
                    }
                } else if let Instr::Wait { .. } = instr {
                    st.locks.insert(lock.to_string(), None);
                    st.waiters.get_mut(cond).expect("validated condition").push_back(tid);
                    th.status = ThreadStatus::Waiting { cond: cond.clone() };
                    next = th.pc; // it stays inside `wait` until it has the lock back
                    Action::Waiting { cond: cond.clone(), released: lock.to_string() }
                } else {
                    let queue = st.waiters.get_mut(cond).expect("validated condition");
                    let n = if matches!(instr, Instr::Notify { .. }) { queue.len().min(1) } else { queue.len() };
                    let woken: Vec<ThreadId> = queue.drain(..n).collect();
                    for &w in &woken {
                        st.threads[w].status = ThreadStatus::Reacquiring { lock: lock.to_string() };
                    }
                    Action::Notified { cond: cond.clone(), woken }
                }
            }
            Instr::Print { text } => {
                let th = &st.threads[tid];
                let line: String = print_parts(text)
                    .expect("validated print text")
                    .into_iter()
                    .map(|part| match part {
                        Part::Text(s) => s.to_string(),
                        Part::Local(name) => th.locals[name].to_string(),
                    })
                    .collect();
                st.output.push(Line { thread: tid, text: line.clone() });
                Action::Printed { text: line }
            }
            Instr::Jump { target } => {
                next = *target;
                Action::Jumped { taken: true, to: *target }
            }
            Instr::JumpIf { local, cmp, value: rhs, target } => {
                let taken = cmp.holds(th.locals[local], value(&th.locals, rhs));
                if taken {
                    next = *target;
                }
                Action::Jumped { taken, to: next }
            }
        };
        let th = &mut self.state.threads[tid];
        if let Action::Failed { message } = &action {
            th.status = ThreadStatus::Failed { message: message.clone() };
        } else {
            th.pc = next;
        }
        action
    }
}

/// Why element `name` of `array` could not be read or written: the indices it has.
fn no_element(me: &str, verb: &str, name: &str, array: &str, vars: &BTreeMap<String, i64>) -> String {
    let prefix = format!("{array}[");
    let have: Vec<&str> = vars.keys().filter_map(|k| k.strip_prefix(&prefix)?.strip_suffix(']')).collect();
    format!("{me} {verb} {name}, which does not exist; {array} has the indices {}", have.join(", "))
}
