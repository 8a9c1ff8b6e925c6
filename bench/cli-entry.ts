// The CLI as one bundle for the offline GPU host (scripts/gpu-bundle.sh → .gpu/cli.mjs).
// There, name configs by path: node .gpu/cli.mjs train --config configs/tiny.yaml --backend webgpu
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
