// The async engine's worker (crate/src/demos/mod.rs ENGINES): the event loop of chapters
// 9-11, its wasm module, served.

import init, * as wasm from '../../pkg/async/playground.js';
import { serve } from './worker';

serve(init, wasm);
