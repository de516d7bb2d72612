// Runs before every test file: starts tfjs on the cpu backend with its tfjs-node banner silenced.
import { useBackend } from '../runtime/reference/backend.ts';

await useBackend('cpu');
