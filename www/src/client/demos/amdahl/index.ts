// Chapter 2 on the page: the calculator (instant), the curves, and a measured run over them.

import type { DemoContext, DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/amdahl';
import { h, ms, times } from '../../dom';
import { lineChart, type Chart, type Series } from '../../chart';
import { figures, headline } from '../../kit';
import { legend, renderTimeline } from '../../timeline';
import { spreadText, warmUpText } from '../../measure-text';
import type { Calculator } from '../../../generated/amdahl/Calculator';
import type { Measured } from '../../../generated/amdahl/Measured';
import type { Outcome } from '../../../generated/amdahl/Outcome';

const COLOURS = ['#2563eb', '#9ca3af', '#a3a3a3', '#b4b4b4', '#c4c4c4', '#d4d4d4'];

export default {
  runLabel: 'Measure on real threads',
  notes: [
    'However many processors you add, the speedup stays under the ceiling 1/B: the serial part does not shrink.',
    'Each added processor gains less than the one before (see the table of gains).',
    'Measured speedups fall a little below the curve: starting threads and sharing work cost time too. Karp-Flatt reads that cost as extra serial fraction.',
    'Gustafson: if the problem grows with the processors, the serial share shrinks and the scaled speedup grows almost linearly.',
  ],
  snippet,
  create(ctx, area) {
    const chart = lineChart('Speedup S(j) for serial fractions B (Amdahl) and scaled speedup (Gustafson)', 'processors j', 'speedup');
    const calc = {
      speedup: h('span', { class: 'big', 'data-field': 'speedup' }),
      words: h('p', { class: 'explanation', 'data-field': 'calculator' }),
      gains: h('tbody'),
      tradeoff: h('p', { class: 'tradeoff', 'data-field': 'tradeoff' }),
    };
    area.append(
      h(
        'p',
        { class: 'presets' },
        h('button', { type: 'button', class: 'chip', 'data-preset': 'book', onclick: () => ctx.setParams({ serial: '0.6', processors: '4' }) }, "The book's example: 40 % parallel, 4 processors"),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ serial: '0.05', processors: '64' }) }, '95 % parallel, 64 processors'),
      ),
      h(
        'section',
        { class: 'calculator', 'aria-label': 'Calculator' },
        // Announced politely as the inputs change (the rest of the page is not read out).
        h('div', { class: 'headline', 'aria-live': 'polite', 'aria-atomic': 'true' }, calc.speedup, h('span', {}, 'predicted speedup')),
        calc.words,
        calc.tradeoff,
      ),
      chart.element,
      h(
        'details',
        { class: 'gains' },
        h('summary', {}, 'What each added processor gains'),
        h('table', { class: 'figures' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Processor'), h('th', { scope: 'col' }, 'Speedup'), h('th', { scope: 'col' }, 'Gain'))), calc.gains),
      ),
    );
    void tradeoff(ctx, calc.tradeoff);
    return {
      computed(c) {
        calc.speedup.textContent = times(c.speedup);
        const pct = Math.round(c.parallel * 100);
        calc.words.textContent =
          `With ${pct} % of the work parallel (B = ${c.serial}) on ${c.processors} processor${c.processors === 1 ? '' : 's'}, ` +
          `Amdahl's law gives S = 1 / (B + (1 − B) / j) = ${c.speedup.toFixed(2)}. ` +
          (c.ceiling === null ? 'With nothing serial there is no ceiling: S grows with j.' : `No number of processors can pass 1/B = ${c.ceiling.toFixed(2)}. `) +
          `Gustafson's scaled speedup for the same B and j is ${c.gustafson.toFixed(2)}.`;
        let s = 1;
        calc.gains.replaceChildren(
          ...c.gains.map((g, i) => {
            s += g;
            return h('tr', {}, h('th', { scope: 'row' }, String(i + 1)), h('td', {}, s.toFixed(3)), h('td', {}, i === 0 ? '—' : `+${g.toFixed(3)}`));
          }),
        );
        draw(chart, c, undefined);
      },
      result(o, area) {
        const m = o.measured;
        if (!m) {
          area.append(h('p', {}, 'No measurement: this page has no worker threads (it is not cross-origin isolated). The calculator above still works.'));
          return;
        }
        draw(chart, o.calculator, m);
        area.append(...measuredView(o.calculator, m));
      },
    };
  },
} satisfies DemoUnit<Calculator, Outcome>;

function measuredView(c: Calculator, m: Measured): HTMLElement[] {
  const last = m.points[m.points.length - 1];
  return [
    headline(times(last.speedup), 'measured-speedup', h('span', {}, `measured on ${last.threads} thread${last.threads === 1 ? '' : 's'} (Amdahl: ${times(last.predicted)})`)),
    h('p', { class: 'explanation', 'data-field': 'explanation' }, m.explanation),
    figures(
      ['Threads k', 'Best time', 'Range', 'Measured S', 'S range', 'Amdahl S', 'Karp-Flatt e'],
      m.points.map((p) => [
        String(p.threads),
        ms(p.wall_ms),
        `${ms(p.samples.min)}–${ms(p.samples.max)}`,
        times(p.speedup),
        spreadText(p.speedup_range),
        times(p.predicted),
        p.karp_flatt === null ? '—' : p.karp_flatt.toFixed(3),
      ]),
    ),
    h(
      'p',
      { class: 'muted', 'data-field': 'method' },
      `${warmUpText(m.warm_up, 'on every thread')} ` +
        `Then each k was measured ${m.repeats} times, taking turns (k = 1, 2, …, then again), so a busy moment of the machine is shared out; ` +
        'the table shows the best time of each (noise only adds time) and the range.',
    ),
    h('p', { class: 'muted' }, `Workload: ${m.work} units of prime checking; ${m.serial_units} must run on one thread, ${m.parallel_units} are shared. ` + (m.fitted_serial === null ? '' : `Fitted serial fraction: ${m.fitted_serial.toFixed(3)} (you set ${c.serial}).`)),
    legend(),
    renderTimeline(m.timeline, `Timeline at ${last.threads} threads: the serial part on one thread, then the parallel part shared`),
  ];
}

function draw(chart: Chart, c: Calculator, m: Measured | undefined) {
  const x = c.curves[0].points.map((p) => p[0]);
  const series: Series[] = c.curves.map((curve, i) => ({
    label: `B = ${curve.serial}${i === 0 ? ' (yours)' : ''}`,
    values: curve.points.map((p) => p[1]),
    stroke: COLOURS[i] ?? '#ccc',
    width: i === 0 ? 3 : 1.25,
    endLabel: i === 0 ? `yours (${curve.serial})` : `B = ${curve.serial}`,
  }));
  if (c.ceiling !== null) series.push({ label: `ceiling 1/B = ${c.ceiling.toFixed(2)}`, values: x.map(() => c.ceiling), stroke: '#dc2626', dash: [6, 4], endLabel: 'ceiling 1/B' });
  series.push({ label: 'Gustafson (scaled)', values: c.gustafson_curve.map((p) => p[1]), stroke: '#059669', dash: [2, 3], endLabel: 'Gustafson' });
  if (m) {
    const byK = new Map(m.points.map((p) => [p.threads, p.speedup]));
    series.push({ label: 'measured', values: x.map((j) => byK.get(j) ?? null), stroke: '#ea580c', points: true, line: true, width: 2, endLabel: 'measured' });
  }
  chart.update(x, series);
}

async function tradeoff(ctx: DemoContext, out: HTMLElement) {
  // The book's question, computed by the same Rust as the calculator.
  const [a, b] = await Promise.all([
    ctx.compute<Calculator>([['serial', '0.6'], ['processors', '4']]),
    ctx.compute<Calculator>([['serial', '0.2'], ['processors', '2']]),
  ]);
  if (!a.ok || !b.ok) return;
  const sa = a.result.value.speedup;
  const sb = b.result.value.speedup;
  out.textContent =
    `The book's trade-off: 4 processors at 40 % parallel give ${sa.toFixed(2)}×; 2 processors at 80 % parallel give ${sb.toFixed(2)}×. ` +
    `Making more of the program parallel beats buying processors.`;
}
