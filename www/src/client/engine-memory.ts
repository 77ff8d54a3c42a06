// The words of the engine's shared memory that the page reads and writes: the control block
// (crate/src/control.rs: cancel, progress, the latest compute) and the live feed
// (crate/src/live.rs: length, bytes, events dropped). Only Atomics.load and Atomics.store,
// never Atomics.wait: the page's main thread never blocks.

import type { ReadyInfo } from '../shared/protocol';

export interface Progress {
  done: number;
  total: number;
}

export class SharedWords {
  private readonly memory: WebAssembly.Memory;
  private readonly controlAddress: number;
  private readonly feedLayout: ReadyInfo['feed'];
  /** Which word is which, from the engine (crate/src/control.rs `Control::WORDS`). */
  readonly at: ReadyInfo['limits']['control'];

  constructor(memory: WebAssembly.Memory, info: ReadyInfo) {
    this.memory = memory;
    this.controlAddress = info.controlAddress;
    this.feedLayout = info.feed;
    this.at = info.limits.control;
  }

  // The memory may have grown since the last access: take a fresh view every time.
  private control(): Int32Array {
    return new Int32Array(this.memory.buffer, this.controlAddress, this.at.len);
  }

  private word(address: number): Int32Array {
    return new Int32Array(this.memory.buffer, address, 1);
  }

  load(word: number): number {
    return Atomics.load(this.control(), word);
  }

  store(word: number, value: number) {
    Atomics.store(this.control(), word, value);
  }

  /** Stores `value` unless the word already holds a larger one (the page is its only writer). */
  raise(word: number, value: number) {
    if (this.load(word) < value) this.store(word, value);
  }

  /** Before a run is posted (the last one has answered): its progress and feed start empty. */
  resetRun() {
    this.store(this.at.done, 0);
    this.store(this.at.total, 0);
    Atomics.store(this.word(this.feedLayout[0]), 0, 0);
    Atomics.store(this.word(this.feedLayout[3]), 0, 0);
  }

  progress(): Progress {
    return { done: this.load(this.at.done), total: this.load(this.at.total) };
  }

  explored(): Progress {
    return { done: this.load(this.at.explored), total: this.load(this.at.exploreLimit) };
  }

  /** Events of the live feed from byte `from` on (JSON lines), and where to read next time. */
  feed(from: number): { events: unknown[]; next: number } {
    const [lenAddr, bytesAddr] = this.feedLayout;
    const len = Atomics.load(this.word(lenAddr), 0);
    if (len < from) from = 0; // a new run cleared the feed
    if (len === from) return { events: [], next: from };
    // Copy out of the shared buffer first: TextDecoder refuses shared views.
    const bytes = new Uint8Array(this.memory.buffer, bytesAddr + from, len - from).slice();
    const text = new TextDecoder().decode(bytes);
    const events = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
    return { events, next: len };
  }

  /** Events of this run that did not fit in the feed (the page says it skipped them). */
  feedDropped(): number {
    return Atomics.load(this.word(this.feedLayout[3]), 0);
  }
}
