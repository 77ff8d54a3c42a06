// The data engine's worker (crate/src/demos/mod.rs ENGINES): its wasm module, served.

import init, * as wasm from '../../pkg/data/playground.js';
import { serve } from './worker';

serve(init, wasm);
