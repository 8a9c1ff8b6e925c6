// The published package, as a user gets it: build dist/, `npm pack`, install the tarball into an empty
// project, then use it from plain Node (no tsx), typecheck against its .d.ts, and run its `versiflow` bin.
// Slow (an npm install of tfjs and the rest from the npm cache, about a minute): its own timeouts.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'); // the repo's TypeScript (7)
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const MINUTES = 60_000;

// `npm test` runs this under npm, which exports its own project's settings (npm_package_*, the local
// prefix): the npm commands below must see the temp project as theirs, not this repository
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|INIT_CWD$)/i.test(k)),
);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs a command; resolves with its exit code and output whether it succeeds or not. */
const run = (cmd: string, args: string[], cwd: string, timeout = 5 * MINUTES): Promise<Run> =>
  promisify(execFile)(cmd, args, { cwd, env, timeout, maxBuffer: 64 << 20, shell: process.platform === 'win32' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: number | string; stdout?: string; stderr?: string; message: string }) => ({
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr || e.message,
    }),
  );
const ok = (r: Run, what: string): Run => {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
};

let tmp = '';
let app = '';
let packed: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'vf-pack-'));
  // dist from the sources as they are now
  ok(await run(NPM, ['run', 'build'], ROOT), 'npm run build');
  // --ignore-scripts: `prepare` would build a second time
  const pack = ok(await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT), 'npm pack');
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packed = info.files.map((f) => f.path);
  const tarball = join(tmp, info.filename);

  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'vf-pack-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
  // --omit=optional: the optional GPU backends download native binaries at install
  ok(
    await run(NPM, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--loglevel=error'], app, 8 * MINUTES),
    'npm install <tarball>',
  );
}, 10 * MINUTES);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships dist (JavaScript, declarations, the wasm worker), configs and the bin, and no tests or dev entry', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/model/backend/wasmPthreadWorker.cjs', 'configs/tiny.yaml', 'bin/versiflow.mjs', 'package.json']) {
      expect(packed, f).toContain(f);
    }
    expect(packed.filter((f) => /^(test|bench|scripts|examples|node_modules)\//.test(f) || f === 'bin/versiflow-dev.mjs')).toEqual([]);
    // every relative import in the shipped JavaScript and declarations names a .js file
    const installed = join(app, 'node_modules', 'versiflow');
    for (const f of packed.filter((p) => /^dist\/.*(\.js|\.d\.ts)$/.test(p))) {
      expect(readFileSync(join(installed, f), 'utf8'), f).not.toMatch(/(?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*\.tsx?['"]/);
    }
  });

  it('imports from plain Node (no tsx): a tokenizer round trip, packing, config defaults, the wasm backend', async () => {
    writeFileSync(
      join(app, 'main.mjs'),
      `import { CharTokenizer, normalizeConfig, pack, setupBackend } from 'versiflow';
import { from, lastValueFrom, toArray } from 'rxjs';

const tok = CharTokenizer.fromTexts(['привет, мир', 'hello world']);
const ids = tok.encode('мир, hello');
const hello = tok.encode('hello world');
const windows = await lastValueFrom(from([{ index: 0, ids: Int32Array.from(hello) }]).pipe(pack(4), toArray()));
const config = normalizeConfig({ context: 64, layers: 2 });
const backend = await setupBackend('wasm');
console.log(JSON.stringify({ vocab: tok.vocabSize, ids, hello, text: tok.decode(ids), windows: windows.map((w) => [...w.ids]), context: config.context, layers: config.layers, frozen: Object.isFrozen(config), backend }));
`,
    );
    const r = ok(await run(process.execPath, ['main.mjs'], app), 'node main.mjs');
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.text).toBe('мир, hello');
    expect(out.vocab).toBe(3 + new Set('привет, мирhello world').size);
    expect(out.ids.every((id: number) => id >= 3)).toBe(true); // no [UNK]
    // 11 tokens → windows of T+1 = 5 tokens with stride 4; the 3-token tail is dropped
    expect(out.windows).toEqual([out.hello.slice(0, 5), out.hello.slice(4, 9)]);
    expect(out.context).toBe(64);
    expect(out.layers).toBe(2);
    expect(out.frozen).toBe(true);
    expect(JSON.stringify(out.backend)).toMatch(/wasm/);
  });

  it("typechecks against the package's .d.ts (NodeNext), and a wrong use fails", async () => {
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], skipLibCheck: true };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['right.ts'] }));
    writeFileSync(join(app, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions, files: ['wrong.ts'] }));
    writeFileSync(
      join(app, 'right.ts'),
      `import { CharTokenizer, normalizeConfig, type Config, type TrainEvent } from 'versiflow';

const config: Config = normalizeConfig({ context: 64 });
const context: number = config.context;
const ids: number[] = CharTokenizer.fromTexts(['abc']).encode('cab');
export function loss(e: TrainEvent): number | undefined {
  return e.type === 'train/step' ? e.loss : undefined;
}
export { context, ids };
`,
    );
    const right = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    expect(right.stdout + right.stderr).toBe('');
    expect(right.code).toBe(0);

    // with the declaration files checked too: tfjs's own and @webgpu/types' have errors (hence skipLibCheck
    // above, as any user of tfjs needs), versiflow's must have none (e.g. its `ws` types come with it)
    const lib = await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--skipLibCheck', 'false'], app);
    expect(lib.stdout.split('\n').filter((l) => l.includes('versiflow/'))).toEqual([]);

    // the same project, one wrong line: the types are real (not `any`), so tsc must reject it
    writeFileSync(
      join(app, 'wrong.ts'),
      `import { normalizeConfig, type Config } from 'versiflow';

const config: Config = normalizeConfig({});
export const context: string = config.context;
`,
    );
    const wrong = await run(process.execPath, [TSC, '-p', 'tsconfig.wrong.json'], app);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.ts\(4,14\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it('runs the installed `versiflow` bin, which finds its shipped configs', async () => {
    const cfg = ok(await run(NPX, ['--no', '--', 'versiflow', 'config', '--config', 'tiny'], app), 'npx versiflow config');
    expect(cfg.stdout).toMatch(/^name\s+"tiny"/m);
    const help = ok(await run(NPX, ['--no', '--', 'versiflow', '--help'], app), 'npx versiflow --help');
    expect(help.stdout).toMatch(/versiflow train/);
    // the installed package runs the compiled JavaScript, never the TypeScript sources
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
  });
});
