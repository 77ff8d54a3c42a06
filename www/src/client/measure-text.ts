// Sentences about measurements (crate/src/measure.rs), shared by the demos that measure.

import type { WarmUp } from '../generated/WarmUp';

/** What the warmed-up kernel is and what one unit of it does. */
export interface Kernel {
  /** "the prime checks" */
  name: string;
  /** "a check" */
  unit: string;
}

const PRIME_CHECKS: Kernel = { name: 'the prime checks', unit: 'a check' };

/**
 * One sentence on a warm-up (crate/src/measure.rs): `where` says on which threads it ran.
 * It claims the code was optimised only when the time per unit did stop falling.
 */
export function warmUpText(w: WarmUp, where: string, kernel: Kernel = PRIME_CHECKS): string {
  const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`;
  const unit = (us: number) => `${(us / 1000).toFixed(2)} ms`;
  const how = w.settled
    ? `until they stopped getting faster, which is when the browser had optimised them (${unit(w.first_unit_us)} ${kernel.unit} at first, ${unit(w.last_unit_us)} after)`
    : `for as long as a warm-up may take, and they were still getting faster (${unit(w.first_unit_us)} ${kernel.unit} at first, ${unit(w.last_unit_us)} at the end): the first measurements may be slow`;
  return `Before measuring, ${kernel.name} ran ${w.rounds} warm-up rounds ${where} (${ms(w.ms)}) ${how}.`;
}

/** "1.85–2.01×": the range of speedups a measurement's samples allow. */
export function spreadText(range: [number, number]): string {
  return `${range[0].toFixed(2)}–${range[1].toFixed(2)}×`;
}
