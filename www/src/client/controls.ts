// Controls rendered from the Rust schema. The text a learner typed (or a URL carried) stays
// in the control even when it is invalid, and the engine's message appears beside it.

import type { ParamError, ParamSpec } from '../shared/protocol';
import { h } from './dom';

export interface ControlSet {
  element: HTMLElement;
  /** Current text of every control, in schema order. */
  values(): [string, string][];
  set(name: string, value: string): void;
  showErrors(errors: ParamError[]): void;
  setDisabled(disabled: boolean): void;
}

export function renderControls(
  demoId: string,
  specs: ParamSpec[],
  initial: Map<string, string>,
  onChange: () => void,
): ControlSet {
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const sliders = new Map<string, HTMLInputElement>();
  const messages = new Map<string, HTMLElement>();
  const fields: HTMLElement[] = [];

  for (const p of specs) {
    const id = `${demoId}-${p.name}`;
    const value = initial.get(p.name) ?? p.default;
    const msg = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
    messages.set(p.name, msg);
    let input: HTMLInputElement | HTMLSelectElement;
    let slider: HTMLInputElement | null = null;
    if (p.type === 'choice') {
      input = h(
        'select',
        { id, name: p.name, 'aria-describedby': `${id}-help ${id}-error` },
        ...p.values.map((v) => h('option', { value: v }, v)),
      );
      // An invalid value from a URL is kept visible as an extra option, so the message
      // beside the control refers to what the learner actually sees.
      if (!p.values.includes(value)) input.append(h('option', { value }, value));
      input.value = value;
      input.addEventListener('change', onChange);
    } else {
      const step = p.type === 'float' ? p.step : 1;
      input = h('input', {
        id,
        name: p.name,
        type: 'text',
        inputmode: p.type === 'float' ? 'decimal' : p.type === 'text' ? 'text' : 'numeric',
        autocomplete: 'off',
        spellcheck: 'false',
        value,
        'aria-describedby': `${id}-help ${id}-error`,
      });
      // A slider for ranges a hand can sweep; the text box stays the source of truth.
      if (p.type !== 'text' && p.max - p.min <= 1024) {
        slider = h('input', {
          type: 'range',
          min: p.min,
          max: p.max,
          step,
          value: Number.isFinite(Number(value)) ? Number(value) : p.default,
          'aria-label': `${p.label} slider`,
          tabindex: -1,
        });
        const s = slider;
        s.addEventListener('input', () => {
          (input as HTMLInputElement).value = s.value;
          onChange();
        });
        sliders.set(p.name, s);
      }
      input.addEventListener('input', () => {
        const n = Number((input as HTMLInputElement).value);
        if (slider && Number.isFinite(n)) slider.value = String(n);
        onChange();
      });
    }
    inputs.set(p.name, input);
    fields.push(
      h(
        'div',
        { class: 'field', 'data-param': p.name },
        h('label', { for: id }, p.label),
        h('div', { class: 'field-inputs' }, input, slider),
        h('p', { class: 'field-help', id: `${id}-help` }, p.help),
        msg,
      ),
    );
  }

  const element = h('div', { class: 'controls' }, ...fields);
  return {
    element,
    values: () => specs.map((p) => [p.name, inputs.get(p.name)!.value]),
    set(name, value) {
      const input = inputs.get(name);
      if (!input) return;
      input.value = value;
      const s = sliders.get(name);
      if (s) s.value = value;
    },
    showErrors(errors) {
      for (const [name, el] of messages) {
        const err = errors.find((e) => e.param === name);
        el.textContent = err ? err.message : '';
        inputs.get(name)!.setAttribute('aria-invalid', err ? 'true' : 'false');
        el.closest('.field')!.classList.toggle('invalid', Boolean(err));
      }
    },
    setDisabled(disabled) {
      for (const i of inputs.values()) i.disabled = disabled;
      for (const s of sliders.values()) s.disabled = disabled;
    },
  };
}
