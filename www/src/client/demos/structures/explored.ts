// Chapter 16 on the deterministic scheduler: ABA on a Treiber stack and the book's reader
// racing a delete, each against its fix, as the engine explored them on this compute
// (crate/src/demos/structures/steps.rs). The chosen story is the step-through's program, so
// its shortest counterexample replays there.

import type { DemoContext } from '../../demo-module';
import { h } from '../../dom';
import { figures, scrolling } from '../../kit';
import type { Explored } from '../../../generated/structures/Explored';
import type { Found } from '../../../generated/structures/Found';
import type { Story } from '../../../generated/structures/Story';

const STORY: Record<Story, string> = {
  aba: 'Treiber stack, a popped node reused',
  'no-reuse': 'Treiber stack, no node reused',
  delete: 'The book’s reader racing a delete',
  'copy-on-read': 'Copy-on-read',
};

const grouped = (n: string | null) => (n === null ? '∞' : n.replace(/\B(?=(\d{3})+(?!\d))/g, ','));

export function exploredView(ctx: DemoContext): { element: HTMLElement; update(v: Explored, story: string): void } {
  const element = h('section', { class: 'structures-explored', 'data-field': 'explored', 'aria-label': 'Explored on the step-through scheduler' });
  return {
    element,
    update(v, story) {
      const chosen = v.stories.find((f) => f.story === story) ?? v.stories[0]!;
      element.replaceChildren(
        h('h3', {}, 'Every interleaving, explored'),
        h(
          'p',
          {},
          'The step-through below runs these programs one step at a time. The explorer tries every order of their steps, counts the ones that break the assertion, and checks each result against the operations done one at a time (linearizability).',
        ),
        scrolling(
          'What the explorer finds',
          figures(
            ['Program', 'Assertion', 'Interleavings', 'Break it', 'Linearizable', 'In the explorer'],
            v.stories.map((f: Found) => [
              STORY[f.story],
              f.assertion,
              h('span', { 'data-story': f.story, 'data-count': 'interleavings' }, grouped(f.interleavings)),
              h('span', { 'data-story': f.story, 'data-count': 'broken' }, grouped(f.broken)),
              f.linearizable ? 'yes' : 'no',
              h('a', { href: `?demo=explorer&program=${f.program}` }, f.program),
            ]),
            'Found by trying every interleaving',
          ),
        ),
        chosen.trace
          ? h(
              'p',
              { 'data-field': 'shortest' },
              `${STORY[chosen.story]}: a shortest interleaving that breaks ${chosen.assertion} takes ${chosen.threads.length} steps (${chosen.threads.join(' ')}) and ends with ${chosen.ends}. `,
              h('button', { type: 'button', class: 'primary', 'data-action': 'replay', disabled: !ctx.replay, onclick: () => ctx.replay?.(chosen.trace!) }, 'Replay it step by step'),
            )
          : h('p', { 'data-field': 'shortest' }, `${STORY[chosen.story]}: no interleaving breaks ${chosen.assertion}.`),
      );
    },
  };
}
