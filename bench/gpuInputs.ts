/**
 * What `npm run bench -- gpu --check` verifies: the inputs of bench/gpu.ts and of the way it reaches
 * a GPU host (scripts/gpu-bundle.sh bundles it with the other GPU entry points and packs node, Dawn
 * and the Vulkan libraries with scripts/gpu/pack.sh; scripts/gpu-run.sh runs the bundle there). It
 * checks files, not the adapter, so it passes on a machine without a GPU. Kept apart from gpu.ts so
 * the GPU bundle does not carry the checker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchInput, configInput, packageInput, REPO_ROOT, repoFile, systemTool, wasmBinaries } from './inputs.ts';

const BUNDLE = 'scripts/gpu-bundle.sh';
const RUN = 'scripts/gpu-run.sh';

/** Non-comment lines of a shell script's text. */
const codeLines = (text: string): string[] => text.split('\n').filter((l) => !/^\s*#/.test(l));

/** Non-comment lines of a repository shell script. */
const scriptLines = (rel: string): string[] => codeLines(readFileSync(join(REPO_ROOT, rel), 'utf8'));

/**
 * The repository files a shell script names (`bench/x.ts`, `scripts/y.sh`, `configs/z.yaml`). Throws
 * when a line of code names a path of a build machine (/work/, /home/, /root/, /mnt/, /opt/, /srv/) or
 * climbs out with `../` (other than `cd "$(dirname "$0")/.."`, from scripts/ to the root): the script
 * must not reach outside the repository. System paths (/usr, /etc, /tmp, /dev) are allowed.
 */
export function scriptReferences(rel: string): string[] {
  return scriptReferencesIn(readFileSync(join(REPO_ROOT, rel), 'utf8'), rel);
}

/** {@link scriptReferences} of a script's text; `label` names it in the error. */
export function scriptReferencesIn(text: string, label: string): string[] {
  const lines = codeLines(text);
  for (const l of lines) {
    const outside = l.replace('"$(dirname "$0")/.."', '').match(/(?:^|[\s"'=(:])(\/(?:work|home|root|mnt|opt|srv)\/\S*|\.\.\/\S*|\.\.(?=["'\s;)]|$))/);
    if (outside) throw new Error(`${label} reaches outside the repository: ${outside[1]} (in: ${l.trim()})`);
  }
  return [...new Set(lines.flatMap((l) => [...l.matchAll(/\b((?:bench|scripts|configs)\/[\w./-]+\.(?:ts|sh|py|yaml|mjs))\b/g)].map((m) => m[1])))];
}

/** bench/<entry>.ts of each `entry:out` pair of the bundle script's `for entry in …` loop. */
export function bundleEntries(): string[] {
  const loop = scriptLines(BUNDLE).join('\n').match(/for entry in ([^;]+); do/);
  if (!loop) throw new Error(`${BUNDLE}: no "for entry in …; do" loop of bundle entry points`);
  return loop[1].trim().split(/\s+/).map((e) => `bench/${e.split(':')[0]}.ts`);
}

export function gpuInputs(): BenchInput[] {
  const scripts = (rel: string, why: string): BenchInput => ({
    ...repoFile('script', rel, why),
    verify: () => {
      const refs = scriptReferences(rel);
      for (const r of refs) repoFile('script', r, '').verify!();
      return `reaches nothing outside the repository${refs.length ? `; the repository files it names are present: ${refs.join(', ')}` : ''}`;
    },
  });
  return [
    configInput('configs/75m.yaml', '(c2): the configured 75M model, named from the project root as on the GPU host'),
    repoFile('script', 'bench/torch_train_ref.py', '(d): PyTorch on the same card, copied into the bundle'),
    scripts(BUNDLE, 'bundles the GPU entry points into .gpu/'),
    scripts('scripts/gpu/pack.sh', 'packs node, Dawn and the Vulkan libraries into .gpu/'),
    scripts(RUN, 'the device run on the GPU host'),
    {
      kind: 'script',
      path: join(REPO_ROOT, BUNDLE),
      why: 'its bundle entry points',
      verify: () => {
        const entries = [...bundleEntries(), 'bench/stub-devtools.ts'];
        for (const e of entries) repoFile('script', e, '').verify!();
        return entries.join(', ');
      },
    },
    configInput('configs/tiny.yaml', `${RUN} step 2: the CLI on webgpu`),
    packageInput('esbuild', `${BUNDLE}: the bundler`),
    ...wasmBinaries('(a): the wasm CPU reference, copied into the bundle', ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']),
    packageInput('webgpu', 'Dawn for Node (optional dependency; without it the bench runs the CPU part of (a))', true),
    systemTool('xz', 'scripts/gpu/pack.sh compresses node and Dawn'),
    systemTool('apt-get', 'scripts/gpu/pack.sh downloads the Vulkan and glvnd .debs'),
  ];
}
