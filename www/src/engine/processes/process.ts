// One worker process (crate/src/demos/processes/process.rs): a Web Worker that the engine
// worker ("main") starts, with its own instance of the engine's wasm module and its own
// fresh memory, which nothing else can see. It talks to main by messages only: this script
// pumps each one through the demo's Rust (`processStep`) and keeps the state between two.
//
// Passed bytes (a clone or a transfer) are read here, one byte a page, and the clone is
// written to, so that main can see whether a process's write reaches main's memory.

import init, * as wasm from '../../../pkg/io/playground.js';
import type { Envelope } from '../../shared/protocol';
import type { In } from '../../generated/processes/In';
import type { State } from '../../generated/processes/State';
import type { Step } from '../../generated/processes/Step';

declare const self: DedicatedWorkerGlobalScope;

/** From main: start (which demo's Rust to run), a message for the process's loop, or bytes. */
export type ToProcess = { type: 'boot'; demo: string; module: WebAssembly.Module } | { type: 'msg'; msg: In } | { type: 'bytes'; buf: ArrayBuffer; write: boolean };
/** To main. */
export type FromProcess =
  | { type: 'ready' }
  | { type: 'out'; out: Step['send'][number] }
  | { type: 'touched'; sum: number }
  | { type: 'fatal'; message: string };

/** One byte in this many is read by every receiver (crate/src/demos/processes/pool_side.rs STRIDE). */
const STRIDE = 4096;

let demo = '';
let state: State = { role: null, count: 0 };

function post(m: FromProcess) {
  self.postMessage(m);
}

function turn(msg: In) {
  const answer = wasm.processStep(demo, { state, msg }) as Envelope<Step>;
  if (!answer.ok) {
    post({ type: 'fatal', message: answer.error.message });
    self.close();
    return;
  }
  const step = answer.result;
  state = step.state;
  for (const out of step.send) post({ type: 'out', out });
  if (step.exit) self.close();
  else if (step.againMs !== null) setTimeout(() => turn({ type: 'tick' }), step.againMs);
}

self.onmessage = (e: MessageEvent<ToProcess>) => {
  const m = e.data;
  switch (m.type) {
    case 'boot':
      demo = m.demo;
      // Main's compiled module, and no memory: the glue makes a fresh one for this instance alone.
      init({ module_or_path: m.module }).then(
        () => post({ type: 'ready' }),
        (err: unknown) => post({ type: 'fatal', message: `the process could not start its wasm: ${String(err)}` }),
      );
      break;
    case 'msg':
      turn(m.msg);
      break;
    case 'bytes': {
      const bytes = new Uint8Array(m.buf);
      let sum = 0;
      for (let i = 0; i < bytes.length; i += STRIDE) sum += bytes[i];
      if (m.write && bytes.length > 0) bytes[0] = 255;
      post({ type: 'touched', sum });
      break;
    }
  }
};
