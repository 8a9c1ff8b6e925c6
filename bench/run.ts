/**
 * Benchmark dispatcher: `npm run bench -- <name>` with name one of train, gpu, tokenizer, watermark,
 * generate, generate-batch, token-cache, padding, soak, crash, feed-load, gguf, data, cpu, cpu-attention,
 * ship.
 * Each bench lives in its own file and is imported only when asked for (gpu pulls in Dawn).
 * A bench with `options` takes them after its name (`npm run bench -- soak --steps 2000`); the
 * others take none.
 *
 * `npm run bench -- <name> --check` imports the bench (so a bad import fails), resolves and verifies
 * every input it needs (data files, configs, scripts it spawns or bundles, packages it loads; see
 * bench/inputs.ts) and prints what it found, without measuring anything; exit 1 names each missing
 * input. The gpu check covers files, not the adapter: it passes on a machine without a GPU.
 */
import { pathToFileURL } from 'node:url';
import { type BenchInput, checkInputs } from './inputs.ts';

export interface Bench {
  /** The measurement, given the options after the bench's name. */
  run(args: readonly string[]): Promise<void>;
  /** The options it takes, for the usage line; absent = none. */
  readonly options?: string;
  /** What `--check` verifies. */
  inputs(): BenchInput[];
}

/** Each bench's module, loaded on demand. */
export const BENCHES: Readonly<Record<string, () => Promise<Bench>>> = {
  train: async () => {
    const m = await import('./train.ts');
    return { run: () => m.benchTrain(), inputs: m.trainInputs };
  },
  gpu: async () => {
    const [m, i] = await Promise.all([import('./gpu.ts'), import('./gpuInputs.ts')]);
    return { run: () => m.benchGpu(), inputs: i.gpuInputs };
  },
  tokenizer: async () => {
    const m = await import('./tokenizer.ts');
    return { run: () => m.benchTokenizer(), inputs: m.tokenizerInputs };
  },
  watermark: async () => {
    const m = await import('./watermark.ts');
    return { run: () => m.benchWatermark(), inputs: m.watermarkInputs };
  },
  generate: async () => {
    const m = await import('./generate.ts');
    return { run: () => m.benchGenerate(), inputs: m.generateInputs };
  },
  'generate-batch': async () => {
    const m = await import('./generateBatch.ts');
    return { run: () => m.benchGenerateBatch(), inputs: m.generateBatchInputs };
  },
  'token-cache': async () => {
    const m = await import('./tokenCache.ts');
    return { run: () => m.benchTokenCache(), inputs: m.tokenCacheInputs };
  },
  padding: async () => {
    const m = await import('./padding.ts');
    return { run: () => m.benchPadding(), inputs: m.paddingInputs };
  },
  soak: async () => {
    const m = await import('./soak.ts');
    return { run: (args) => m.benchSoak(args), inputs: m.soakInputs, options: m.SOAK_OPTIONS };
  },
  crash: async () => {
    const m = await import('./crash.ts');
    return { run: (args) => m.benchCrash(args), inputs: m.crashInputs, options: m.CRASH_OPTIONS };
  },
  'feed-load': async () => {
    const m = await import('./feedLoad.ts');
    return { run: (args) => m.benchFeedLoad(args), inputs: m.feedLoadInputs, options: m.FEED_LOAD_OPTIONS };
  },
  gguf: async () => {
    const m = await import('./gguf.ts');
    return { run: () => m.benchGguf(), inputs: m.ggufInputs };
  },
  data: async () => {
    const m = await import('./data.ts');
    return { run: (args) => m.benchData(args), inputs: m.dataInputs, options: m.DATA_OPTIONS };
  },
  cpu: async () => {
    const m = await import('./cpu.ts');
    return { run: () => m.benchCpu(), inputs: m.cpuInputs };
  },
  'cpu-attention': async () => {
    const m = await import('./cpuAttention.ts');
    return { run: () => m.benchCpuAttention(), inputs: m.cpuAttentionInputs };
  },
  ship: async () => {
    const m = await import('./ship.ts');
    return { run: () => m.benchShip(), inputs: m.shipInputs };
  },
};

/** The bench names, in the order of the usage line. */
export const BENCH_NAMES: readonly string[] = Object.keys(BENCHES);

/**
 * `--check` for one bench: imports it (`load`, by default its entry of BENCHES), prints each input
 * found to `out` and each missing one to `err`; returns the exit code.
 */
export async function checkBench(name: string, out: (s: string) => void, err: (s: string) => void, load = BENCHES[name]): Promise<number> {
  const t0 = performance.now();
  let bench: Bench;
  try {
    bench = await load();
  } catch (e) {
    err(`bench ${name} --check: importing its module failed: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
  out(`bench ${name} --check: module imports`);
  const { found, missing } = await checkInputs(bench.inputs());
  for (const f of found) out(`  found    ${f}`);
  for (const m of missing) err(`  MISSING  ${m}`);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (missing.length) {
    err(`bench ${name} --check: ${missing.length} input(s) missing (${s} s)`);
    return 1;
  }
  out(`bench ${name} --check: ${found.length} input(s) resolved (${s} s); the measurement was not run`);
  return 0;
}

async function main(args: readonly string[]): Promise<number> {
  const check = args.includes('--check');
  const rest = args.filter((a) => a !== '--check');
  const name = rest[0];
  const usage = (why: string) => {
    process.stderr.write(`usage: npm run bench -- <${BENCH_NAMES.join('|')}> [--check] [the bench's options: soak, crash, feed-load, data]${why}\n`);
    return 2;
  };
  if (!name || !(name in BENCHES)) return usage(name ? ` (unknown bench "${name}")` : '');
  if (check) {
    if (rest.length > 1) return usage(` (unexpected "${rest.slice(1).join(' ')}" with --check)`);
    return checkBench(name, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  }
  const bench = await BENCHES[name]();
  if (rest.length > 1 && !bench.options) return usage(` (unexpected "${rest.slice(1).join(' ')}": ${name} takes no options)`);
  try {
    await bench.run(rest.slice(1));
  } catch (e) {
    if (!(e instanceof Error) || !/: bad option /.test(e.message)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
