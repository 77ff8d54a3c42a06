// The memory engine's worker (crate/src/demos/mod.rs ENGINES): the GIL, concurrent data
// structures and memory models of chapters 15-17, its wasm module, served.

import init, * as wasm from '../../pkg/memory/playground.js';
import { serve } from './worker';

serve(init, wasm);
