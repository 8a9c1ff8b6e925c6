#!/usr/bin/env node
// Development entry (`npm start`, the CLI tests): runs the TypeScript sources through tsx, no build step,
// so it always runs what is in src/ now. The published `versiflow` command is bin/versiflow.mjs (dist/).
import { register } from 'tsx/esm/api';

register();
// `versiflow ... | head` closes the pipe early: end quietly, as Unix tools do
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
