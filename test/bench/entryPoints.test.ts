/**
 * Every `npm run bench -- NAME` entry point resolves its inputs from the repository alone: each is
 * spawned as npm spawns it, with `--check` (imports the bench, verifies its data files, configs,
 * scripts and packages, measures nothing), and must exit 0; an input pointed at a missing folder
 * must fail naming it. The names come from bench/run.ts itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptReferencesIn } from '../../bench/gpuInputs.ts';
import { checkInputs, REPO_ROOT, repoFile, systemTool } from '../../bench/inputs.ts';
import { BENCH_NAMES, checkBench } from '../../bench/run.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

/** `npm run bench` without npm: package.json's bench script, split into argv. */
function benchCommand(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return pkg.scripts.bench.split(/\s+/);
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function bench(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const [cmd, ...rest] = benchCommand();
  const file = cmd === 'node' ? process.execPath : cmd;
  try {
    const { stdout, stderr } = await exec(file, [...rest, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string; message: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('npm run bench entry points', () => {
  it('package.json runs bench/run.ts with node --import tsx (the command these tests spawn)', () => {
    expect(benchCommand()).toEqual(['node', '--import', 'tsx', 'bench/run.ts']);
  });

  it("bench/run.ts's usage and header list exactly the benches of its table", async () => {
    const r = await bench([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`<${BENCH_NAMES.join('|')}> [--check]`);
    const header = readFileSync(join(ROOT, 'bench/run.ts'), 'utf8').replace(/\n \* /g, ' ').match(/with name one of ([^.]+)\./)?.[1];
    expect(header?.split(/,\s*/).map((s) => s.trim())).toEqual([...BENCH_NAMES]);
  });

  it.each(BENCH_NAMES.map((n) => [n]))('%s --check resolves every input from the repository', async (name) => {
    const t0 = performance.now();
    const r = await bench([name, '--check']);
    const s = (performance.now() - t0) / 1000;
    expect(r.stderr, r.stderr).not.toMatch(/MISSING/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`bench ${name} --check: module imports`);
    expect(r.stdout).toMatch(new RegExp(`bench ${name} --check: \\d+ input\\(s\\) resolved`));
    expect(s).toBeLessThan(45);
  });

  it('the benches that read the corpus name the shipped Parquet files', async () => {
    const r = await bench(['tokenizer', '--check']);
    for (const f of ['ru_poetry', 'fr_poetry', 'en_poetry']) expect(r.stdout).toMatch(new RegExp(`data/${f}\\.parquet: [\\d,]+ rows`));
    expect(r.stdout).not.toMatch(/\.jsonl|shared\//);
  });

  describe('a missing input fails, naming it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'versiflow-bench-nodata-'));
    afterAll(() => rmSync(empty, { recursive: true, force: true }));

    it.each([['tokenizer'], ['token-cache'], ['padding']])('%s --check with BENCH_DATA_DIR at an empty folder exits 1', async (name) => {
      const r = await bench([name, '--check'], { BENCH_DATA_DIR: empty });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`MISSING  data   ${join(empty, 'ru_poetry.parquet')}: ${join(empty, 'ru_poetry.parquet')} does not exist`);
      expect(r.stderr).toMatch(new RegExp(`bench ${name} --check: \\d+ input\\(s\\) missing`));
    });

    it('an unknown bench is a usage error', async () => {
      const r = await bench(['nope', '--check']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('unknown bench "nope"');
    });
  });
});

describe('checkBench', () => {
  it('fails, naming the module, when the bench does not import', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const load = () => import('../../bench/no-such-bench.ts' as string);
    expect(await checkBench('broken', (s) => out.push(s), (s) => err.push(s), load)).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/bench broken --check: importing its module failed: .*no-such-bench/);
  });
});

describe('checkInputs', () => {
  it('reports a missing repository file, a path outside the repository, and an absent optional tool', async () => {
    const { found, missing } = await checkInputs([
      repoFile('script', 'bench/torch_train_ref.py', 'present'),
      repoFile('script', 'bench/no-such-script.py', 'absent'),
      { kind: 'data', path: join(REPO_ROOT, '..', 'elsewhere', 'data', 'ru_poetry.jsonl'), why: 'outside' },
      systemTool('/no/such/python3', 'optional'),
    ]);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^script bench\/torch_train_ref\.py: [\d,]+ bytes \(present\)$/);
    expect(found[1]).toMatch(/^tool {3}\/no\/such\/python3: not found, optional/);
    expect(missing).toHaveLength(2);
    expect(missing[0]).toContain(`bench/no-such-script.py: ${join(REPO_ROOT, 'bench/no-such-script.py')} does not exist (absent)`);
    expect(missing[1]).toContain('resolves outside the repository');
  });

  it('an external input (a folder the user chose) may lie outside the repository', async () => {
    const { found, missing } = await checkInputs([{ kind: 'data', path: '/x', why: 'chosen', external: true, verify: () => 'ok' }]);
    expect([found.length, missing]).toEqual([1, []]);
  });
});

describe('shell scripts reach nothing outside the repository', () => {
  it('flags a build-machine path or a climb out of the root, allows system paths and cd "$(dirname "$0")/.."', () => {
    expect(() => scriptReferencesIn('bash /work/elsewhere/tool.sh .gpu\n', 'x.sh')).toThrow('x.sh reaches outside the repository: /work/elsewhere/tool.sh');
    expect(() => scriptReferencesIn('bash ../elsewhere/tool.sh\n', 'x.sh')).toThrow('../elsewhere/tool.sh');
    expect(() => scriptReferencesIn('cp a /home/me/b\n', 'x.sh')).toThrow('/home/me/b');
    expect(
      scriptReferencesIn('# comment: /work/elsewhere is fine here\ncd "$(dirname "$0")/.."\ncp /usr/share/x /tmp/y\nbash scripts/gpu/pack.sh .gpu\n', 'x.sh'),
    ).toEqual(['scripts/gpu/pack.sh']);
  });

  it.each([['scripts/gpu-bundle.sh'], ['scripts/gpu/pack.sh'], ['scripts/gpu-run.sh'], ['scripts/install-lavapipe.sh'], ['.ci/run']])('%s', (rel) => {
    expect(() => scriptReferencesIn(readFileSync(join(ROOT, rel), 'utf8'), rel)).not.toThrow();
  });
});
