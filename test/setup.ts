// Runs before every test file: starts tfjs on the cpu backend with its tfjs-node banner silenced, and
// gives the worker's event loop a turn after every test. Synchronous work (spawnSync, the StableHLO
// interpreter, tfjs cpu kernels) never yields, and vitest's worker RPC fails with "Timeout calling
// onTaskUpdate" when its reply waits more than 60 s for one: a file of such tests could add up to that.
import { afterEach } from 'vitest';
import { useBackend } from '../compiler/semantics/backend.ts';

await useBackend('cpu');

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
