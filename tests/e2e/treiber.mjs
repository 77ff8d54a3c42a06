// An enumerator of the Treiber stack's interleavings, independent of the engine, for the
// explorer's and chapter 16's tests.

/**
 * The Treiber stack of crate/src/sched/chapter16.rs, written again here from its listing:
 * A pops once (into got); B pops x, pops y (kept), pushes x back (`reuse`) or node 4. Every
 * interleaving is counted by a recursion memoised on the whole state; returns the total and
 * those that end with top == kept (B's node back on the stack).
 */
export function treiberCounts(reuse) {
  const pop = (into, ret) => [
    (s, l) => ((l[into] = s.top), 1),
    (s, l) => (l[into] === 0 ? 5 : 2),
    (s, l) => ((l.n = s.next[l[into]]), 3),
    (s, l) => ((l.ok = s.top === l[into] ? ((s.top = l.n), 1) : 0), 4),
    (s, l) => (l.ok === 0 ? 0 : 5),
    ...(ret ? [(s, l) => ((s[ret] = l[into]), 6)] : []),
  ];
  const push = (node) => [
    (s, l) => ((l.t = s.top), 1),
    (s, l) => ((s.next[node(l)] = l.t), 2),
    (s, l) => ((l.ok = s.top === l.t ? ((s.top = node(l)), 1) : 0), 3),
    (s, l) => (l.ok === 0 ? 0 : 4),
  ];
  // Lay operations end to end: each op's step indices are shifted by where it starts.
  const thread = (...ops) => {
    const steps = [];
    for (const op of ops) {
      const base = steps.length;
      steps.push(...op.map((f) => (s, l) => base + f(s, l)));
    }
    return steps;
  };
  const threads = [thread(pop('t', 'got')), thread(pop('x'), pop('y', 'kept'), push((l) => (reuse ? l.x : 4)))];
  const start = { top: 1, next: { 1: 2, 2: 3, 3: 0, 4: 0 }, got: 0, kept: 0, pc: [0, 0], locals: [{}, {}] };
  const memo = new Map();
  const count = (st) => {
    const key = JSON.stringify(st);
    if (memo.has(key)) return memo.get(key);
    let total = 0n;
    let broken = 0n;
    const live = threads.map((steps, i) => i).filter((i) => st.pc[i] < threads[i].length);
    if (live.length === 0) [total, broken] = [1n, st.top === st.kept ? 1n : 0n];
    for (const i of live) {
      const next = structuredClone(st);
      next.pc[i] = threads[i][st.pc[i]](next, next.locals[i]);
      const [t, b] = count(next);
      total += t;
      broken += b;
    }
    memo.set(key, [total, broken]);
    return [total, broken];
  };
  return count(start);
}
