// Chapter 8, image processing: the learner's own picture (or the test picture) beside the
// filter's output, a heat map of which worker filtered which tile, the speedup per thread
// count, and the check that the tiles wrote the bytes of one pass over the whole picture.

import type { DemoContext, DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/images';
import { h } from '../../dom';
import { lineChart } from '../../chart';
import { figures, headline, presets } from '../../kit';
import { legend, renderTimeline } from '../../timeline';
import { spreadText, warmUpText } from '../../measure-text';
import type { Outcome } from '../../../generated/images/Outcome';
import type { Plan } from '../../../generated/images/Plan';
import type { Preview } from '../../../generated/images/Preview';
import './style.css';

/** One colour per worker lane (1 + pool thread); cells also carry the lane's number. */
const LANE_COLOURS = ['#9ca3af', '#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];
const laneColour = (lane: number) => LANE_COLOURS[lane % LANE_COLOURS.length];

function drawPreview(p: Preview, label: string, field: string): HTMLElement {
  const canvas = h('canvas', { width: p.width, height: p.height, role: 'img', 'aria-label': label, 'data-field': field });
  const rgba = new Uint8ClampedArray(p.rgba.buffer as ArrayBuffer, p.rgba.byteOffset, p.rgba.byteLength);
  canvas.getContext('2d')?.putImageData(new ImageData(rgba, p.width, p.height), 0, 0);
  return h('figure', { class: 'images-picture' }, canvas, h('figcaption', {}, label));
}

/** The tiles as a grid, each in its worker's colour with the worker's number when it fits. */
function heatMap(o: Outcome): HTMLElement {
  const { cols, rows, width, height } = o.plan;
  const side = Math.min(720, width);
  const scale = side / width;
  const canvas = h('canvas', { width: Math.round(width * scale), height: Math.max(1, Math.round(height * scale)) });
  const ctx = canvas.getContext('2d');
  const cell = o.plan.tile * scale;
  const counts = new Map<number, number>();
  if (ctx) {
    ctx.font = `${Math.min(14, cell * 0.6)}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    o.tile_lanes.forEach((lane, i) => {
      counts.set(lane, (counts.get(lane) ?? 0) + 1);
      const x = (i % cols) * cell;
      const y = Math.floor(i / cols) * cell;
      ctx.fillStyle = laneColour(lane);
      ctx.fillRect(x, y, cell, cell);
      ctx.strokeStyle = 'rgba(255,255,255,0.8)';
      if (cell >= 4) ctx.strokeRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
      if (cell >= 16) {
        ctx.fillStyle = '#fff';
        ctx.fillText(String(lane), x + cell / 2, y + cell / 2);
      }
    });
  }
  const shares = [...counts.entries()].sort(([a], [b]) => a - b);
  const words = shares.map(([lane, n]) => `worker ${lane}: ${n} tile${n === 1 ? '' : 's'}`).join(', ');
  return h(
    'figure',
    { class: 'images-heat' },
    h('figcaption', {}, `Which worker filtered which tile (the last run, on ${o.points[o.points.length - 1].threads} thread${o.threads === 1 ? '' : 's'}; ${cols} × ${rows} tiles)`),
    h('div', { class: 'images-heat-map', role: 'img', 'aria-label': words }, canvas),
    h('ul', { class: 'images-lanes', 'data-field': 'shares' }, ...shares.map(([lane, n]) => h('li', {}, h('span', { class: 'swatch', style: `background:${laneColour(lane)}` }), `worker ${lane}: ${n}`))),
  );
}

function speedupChart(o: Outcome): HTMLElement {
  const chart = lineChart('Speedup per thread count (best of each; the dashed line is k× for k threads)', 'threads', 'speedup');
  const ks = o.points.map((p) => p.threads);
  chart.update(ks, [
    { label: 'ideal: k×', values: ks, stroke: '#9ca3af', dash: [6, 4], endLabel: 'ideal' },
    { label: 'measured', values: o.points.map((p) => p.speedup), stroke: '#2563eb', width: 3, points: true, endLabel: 'measured' },
  ]);
  return chart.element;
}

/** The table scrolls inside its own box on a phone, from the keyboard too. */
function pointsTable(o: Outcome): HTMLElement {
  return h('div', { class: 'images-scroll', tabindex: 0, role: 'region', 'aria-label': 'Times per thread count' }, figures(
    ['Threads', 'Best time', 'Median (range)', 'Speedup (range)', 'Threads that worked'],
    o.points.map((p) => [
      String(p.threads),
      `${p.wall_ms.toFixed(1)} ms`,
      `${p.samples.median.toFixed(1)} ms (${p.samples.min.toFixed(1)}–${p.samples.max.toFixed(1)})`,
      `${p.speedup.toFixed(2)}× (${spreadText(p.speedup_range)})`,
      String(p.threads_used),
    ]),
    `Each thread count measured ${o.points[0]?.samples.ms.length ?? 0} times, in rotation`,
  ));
}

/** The file control: choose or drop a picture; it is decoded by the browser and stays here. */
function picker(ctx: DemoContext): HTMLElement {
  const message = h('p', { class: 'images-pick-message', role: 'status', 'aria-live': 'polite', 'data-field': 'picture-message' });
  const input = h('input', { type: 'file', accept: 'image/*', id: `images-file-${Math.random().toString(36).slice(2)}`, 'data-field': 'picture-file' });
  const take = async (file: File | undefined) => {
    if (!file) return;
    message.textContent = `Reading ${file.name}…`;
    message.classList.remove('error');
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      message.textContent = `${file.name} is not a picture this browser can read (try a PNG or a JPEG).`;
      message.classList.add('error');
      return;
    }
    const { width, height } = bitmap;
    const env = await ctx.attach(bitmap);
    if (!env.ok) {
      message.textContent = env.error.errors?.[0]?.message ?? env.error.message;
      message.classList.add('error');
      return;
    }
    message.textContent = `Your picture, ${width} × ${height}: it stays on this device (a link cannot carry it).`;
    ctx.setParams({ picture: 'yours' });
  };
  input.addEventListener('change', () => void take(input.files?.[0]));
  const zone = h(
    'div',
    { class: 'images-drop', 'data-field': 'drop' },
    h('label', { for: input.id }, 'Your own picture (nothing is uploaded): '),
    input,
    h('span', { class: 'muted' }, ' or drop one here.'),
    message,
  );
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    void take(e.dataTransfer?.files[0]);
  });
  return zone;
}

export default {
  runLabel: 'Filter on real threads',
  notes: [
    'Each tile is one task; k pool threads take the next tile left until none are. The tiles share one input and one output in shared memory: nothing is copied to a thread.',
    'An adaptive threshold compares a pixel with the 11 × 11 block around it, so a tile reads 5 pixels into its neighbours (its halo). Turn the halo off to see the seams go wrong.',
    'A small picture gets slower with threads: when a tile is a few microseconds of work, waking threads and handing out tiles costs more than it saves.',
    'The book used processes (multiprocessing) because of Python’s GIL; here threads share the picture directly.',
    'The book’s times over 400 pieces with 1 to 6 processes: 0.66, 0.32, 0.32, 0.34, 0.33 and 0.33 s, on the book’s machine. Compare the shape of the curve, not the seconds.',
  ],
  snippet,
  create(ctx, area) {
    const plan = h('p', { class: 'muted', 'data-field': 'plan' });
    area.append(
      presets(ctx, [
        { label: 'The book’s adaptive mean', values: { filter: 'adaptive-mean', picture: 'test', size: '1024', tile: '128', halo: 'on' } },
        { label: 'Global threshold at 127', values: { filter: 'threshold', picture: 'test', size: '1024', tile: '128', halo: 'on' } },
        { label: 'A small picture: threads stop paying', values: { filter: 'threshold', picture: 'test', size: '64', tile: '16', halo: 'on' } },
        { label: 'Without the halo', values: { filter: 'adaptive-mean', picture: 'test', size: '512', tile: '64', halo: 'off' } },
      ]),
      picker(ctx),
      plan,
    );
    return {
      computed(p: Plan) {
        plan.textContent = `${p.picture === 'yours' ? 'Your picture' : 'The test picture'}: ${p.width} × ${p.height} pixels, ${p.tiles} tile${p.tiles === 1 ? '' : 's'} of ${p.tile} px (${p.cols} × ${p.rows}).`;
      },
      result(o: Outcome, out: HTMLElement) {
        const best = o.points.reduce((a, b) => (b.speedup > a.speedup ? b : a), o.points[0]);
        out.append(
          headline(`${best.speedup.toFixed(2)}×`, 'speedup', h('span', {}, `best speedup, on ${best.threads} thread${best.threads === 1 ? '' : 's'} (${o.threads_used} worked at most)`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          h(
            'p',
            { class: `images-check ${o.identical ? 'same' : 'differs'}`, 'data-field': 'identical' },
            o.identical ? '✓ Tiled output = whole-picture output, byte for byte' : `✗ Tiled output ≠ whole-picture output: ${o.differing.toLocaleString('en')} pixels differ (red)`,
            h('span', { class: 'muted' }, ` · FNV-1a ${o.checksum.toString(16).padStart(8, '0')} · one pass over the whole picture: ${o.whole_ms.toFixed(1)} ms`),
          ),
          h('div', { class: 'images-pair' }, drawPreview(o.input, 'The picture', 'input'), drawPreview(o.output, `After ${o.filter}`, 'output')),
          heatMap(o),
          speedupChart(o),
          pointsTable(o),
          ...(o.warm_up ? [h('p', { class: 'muted', 'data-field': 'warm-up' }, warmUpText(o.warm_up, `on all ${o.threads} threads`, { name: 'the filter of one tile', unit: 'a tile' }))] : []),
          legend(),
          renderTimeline(o.timeline, 'The last run: one bar per tile, on the worker that filtered it', o.timeline.wall_ms, { taskWord: 'tile' }),
        );
      },
    };
  },
} satisfies DemoUnit<Plan, Outcome>;
