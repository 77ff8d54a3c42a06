// Traces as the page reads them: "0.1*3" is thread 0, then thread 1 three times (the text
// form of crate/src/sched/trace.rs). A trace may come from a URL, so the page never expands
// one it has not checked: `readTrace` counts the steps first and refuses more than the
// engine's own cap (`ReadyInfo.limits.traceSteps`, the Rust MAX_TRACE_LEN), so that
// `?step=0*999999999` costs the page nothing. Why a trace is refused is the engine's to say
// (the page shows its message); here there is only "readable within the cap" or not.

/** The threads of `text`, one per step, or `undefined` if it is not a trace of at most
 *  `maxSteps` steps. Never allocates more than `maxSteps` entries. */
export function readTrace(text: string, maxSteps: number): string[] | undefined {
  const t = text.trim();
  if (t === '') return [];
  const items: [string, number][] = [];
  let total = 0;
  for (const item of t.split('.')) {
    const m = /^(\d+)(?:\*(\d+))?$/.exec(item);
    if (!m) return undefined;
    const count = m[2] === undefined ? 1 : Number(m[2]);
    if (!Number.isSafeInteger(count) || count < 1) return undefined;
    total += count;
    if (total > maxSteps) return undefined;
    items.push([m[1], count]);
  }
  const steps: string[] = [];
  for (const [tid, count] of items) for (let i = 0; i < count; i++) steps.push(tid);
  return steps;
}
