// The io engine's worker (crate/src/demos/mod.rs ENGINES): its wasm module, served, with the
// host of the demo whose run starts worker processes of its own.

import init, * as wasm from '../../pkg/io/playground.js';
import { hostProcesses } from './processes/host';
import { serve } from './worker';

serve(init, wasm, { processes: hostProcesses });
