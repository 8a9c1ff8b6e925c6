#!/usr/bin/env node
// The installed `versiflow` command: runs the compiled JavaScript in dist/ (built by `npm run build`,
// which `npm install` in a checkout runs through the `prepare` script). Working on the sources,
// use bin/versiflow-dev.mjs (`npm start`): it runs src/ through tsx, so an edit is never shadowed by a stale build.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('versiflow: dist/ is missing: run `npm run build`, or run the sources with `node bin/versiflow-dev.mjs`');
  process.exit(1);
}
// `versiflow ... | head` closes the pipe early: end quietly, as Unix tools do
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
