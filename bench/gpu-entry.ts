/** esbuild entry for the GPU host bundle (.gpu/app.mjs, see scripts/gpu-bundle.sh). */
import { benchGpu } from './gpu.ts';

await benchGpu();
