#!/usr/bin/env node
// `npm run build`: src/ → dist/ with the same folder layout (code finds files relative to its own
// module: loadConfig's ../../configs, the wasm pthread worker beside wasmThreads.js).
//  1. tsc -p tsconfig.build.json: JavaScript, declarations and source maps; `rewriteRelativeImportExtensions`
//     turns the sources' './x.ts' / './x.tsx' specifiers into './x.js' in the JavaScript.
//  2. tsc leaves them as '.ts' in the declarations (microsoft/TypeScript#61037; tsc itself accepts that,
//     other tools and editors do not), so they are rewritten here too.
//  3. Files in src that are not TypeScript (the wasm pthread worker) are copied.
//  4. Check: no emitted file still imports a relative '.ts' path.
// A type error fails the build (no dist is left behind).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const src = join(root, 'src');
const dist = join(root, 'dist');

/** Every file under `dir`, as absolute paths. */
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

rmSync(dist, { recursive: true, force: true });

// this repo's TypeScript (7, native), by its package's bin entry rather than whichever `tsc` is on PATH
const require = createRequire(import.meta.url);
const tsPkg = require.resolve('typescript/package.json');
const tsc = join(dirname(tsPkg), JSON.parse(readFileSync(tsPkg, 'utf8')).bin.tsc);
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  console.error(`build: tsc failed (exit ${r.status ?? r.signal}); dist/ removed`);
  process.exit(1);
}

// relative specifiers with a TypeScript extension, in import/export ... from, import('...'), import '...'
const TS_SPECIFIER = /((?:\bfrom|\bimport)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.([mc]?)tsx?\2/g;
const JS_EXT = { '': 'js', m: 'mjs', c: 'cjs' };
let declarations = 0;
for (const file of walk(dist)) {
  if (!/\.d\.[mc]?ts$/.test(file)) continue;
  const text = readFileSync(file, 'utf8');
  const out = text.replace(TS_SPECIFIER, (_, lead, q, path, kind) => `${lead}${q}${path}.${JS_EXT[kind]}${q}`);
  if (out !== text) writeFileSync(file, out);
  declarations++;
}

let assets = 0;
for (const file of walk(src)) {
  if (/\.(?:[mc]?tsx?)$/.test(file)) continue; // compiled (ambient .d.ts files in src are compile-time only)
  const to = join(dist, relative(src, file));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(file, to);
  assets++;
}

const left = walk(dist).filter((f) => /\.(?:[mc]?js|d\.[mc]?ts)$/.test(f) && (TS_SPECIFIER.lastIndex = 0, TS_SPECIFIER.test(readFileSync(f, 'utf8'))));
if (left.length) {
  console.error(`build: relative .ts imports left in:\n  ${left.map((f) => relative(root, f)).join('\n  ')}`);
  process.exit(1);
}
console.log(`build: dist/ written (${declarations} declaration files, ${assets} asset${assets === 1 ? '' : 's'} copied)`);
