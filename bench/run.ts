/**
 * Benchmark dispatcher: `npm run bench -- <name>` with name one of train, gpu, tokenizer, watermark,
 * generate, token-cache, padding.
 * Each bench lives in its own file and is imported only when asked for (gpu pulls in Dawn).
 */
const BENCHES: Record<string, () => Promise<void>> = {
  train: async () => (await import('./train.ts')).benchTrain(),
  gpu: async () => (await import('./gpu.ts')).benchGpu(),
  tokenizer: async () => (await import('./tokenizer.ts')).benchTokenizer(),
  watermark: async () => (await import('./watermark.ts')).benchWatermark(),
  generate: async () => (await import('./generate.ts')).benchGenerate(),
  'token-cache': async () => (await import('./tokenCache.ts')).benchTokenCache(),
  padding: async () => (await import('./padding.ts')).benchPadding(),
};

const name = process.argv[2];
const bench = name ? BENCHES[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>${name ? ` (unknown bench "${name}")` : ''}\n`);
  process.exitCode = 2;
} else {
  await bench();
}
