import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The project's layering (DESIGN.md, README "Layout"), as data: each room of src/ and the rooms it may
 * import. A room is the first folder under src/ (src/model/* and src/streams/* count one level deeper).
 *
 *   core ← model (tokenizer, watermark, formats, kernels ← backend (also formats: the native GEMM's ONNX graphs), nn ← tuners) ← operators
 *        ← streams (sources, cache, feed, checkpoints) ← eval ← pipeline ← cli;   dashboard imports core only.
 */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  'model/tokenizer': ['core'],
  'model/watermark': ['core'],
  'model/formats': ['core', 'model/tokenizer'],
  'model/kernels': ['core'],
  'model/backend': ['core', 'model/kernels', 'model/formats'],
  'model/nn': ['core', 'model/kernels', 'model/formats', 'model/tokenizer', 'model/watermark'],
  'model/tuners': ['core', 'model/kernels', 'model/backend', 'model/nn'],
  operators: ['core', 'model/*'],
  'streams/sources': ['core', 'model/*', 'operators'],
  'streams/cache': ['core', 'model/*', 'operators', 'streams/sources'],
  'streams/checkpoints': ['core', 'model/*', 'operators'],
  'streams/feed': ['core', 'model/*', 'operators'],
  eval: ['core', 'model/*', 'operators', 'streams/*'],
  dashboard: ['core'],
  pipeline: ['core', 'model/*', 'operators', 'streams/*', 'eval', 'dashboard'],
  cli: ['core', 'model/*', 'operators', 'streams/*', 'eval', 'dashboard', 'pipeline'],
  index: ['*'],
};

/** Rooms whose files must not touch RxJS or the platform (files, network, env): the maths and formats are pure. */
export const PURE_ROOMS = ['core', 'model/tokenizer', 'model/watermark', 'model/formats', 'model/kernels', 'model/nn', 'model/tuners'];
export const IMPURE_MODULES = /^(rxjs|ws|node:(fs|fs\/promises|os|child_process|net|http|https|worker_threads))$/;

export interface Edge {
  readonly from: string; // file, relative to src/
  readonly to: string; // file, relative to src/
}

/** src-relative file → its room ('model/nn/gpt.ts' → 'model/nn'; 'index.ts' → 'index'). */
export function roomOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return parts[0].replace(/\.tsx?$/, '');
  if ((parts[0] === 'model' || parts[0] === 'streams') && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0];
}

const allows = (room: string, target: string): boolean => {
  if (room === target) return true;
  const rule = ALLOWED[room];
  if (!rule) return false;
  return rule.some((r) => r === '*' || r === target || (r.endsWith('/*') && target.startsWith(r.slice(0, -1))));
};

/** Every edge that breaks the layering, as "from → to (room a may not import room b)". */
export function backEdges(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = roomOf(e.from);
    const b = roomOf(e.to);
    if (!(a in ALLOWED)) out.push(`${e.from}: room "${a}" is not in the layering (add it to ALLOWED in test/architecture/layers.ts)`);
    else if (!allows(a, b)) out.push(`${e.from} → ${e.to} (${a} may not import ${b})`);
  }
  return out;
}

/** Every .ts/.tsx file under `dir`, relative to it (declaration files excepted). */
export function sourceFiles(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [relative(dir, join(d, e.name))] : []));
  return walk(dir).sort();
}

const SPEC = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** Module specifiers a file imports or re-exports (static, side-effect and dynamic imports). */
export function specifiers(text: string): string[] {
  return [...text.matchAll(SPEC)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The import graph of `srcDir`: relative imports as edges, bare ones (packages) per file. */
export function importGraph(srcDir: string): { edges: Edge[]; packages: Map<string, string[]> } {
  const edges: Edge[] = [];
  const packages = new Map<string, string[]>();
  for (const f of sourceFiles(srcDir)) {
    const specs = specifiers(readFileSync(join(srcDir, f), 'utf8'));
    packages.set(f, specs.filter((s) => !s.startsWith('.')));
    for (const s of specs.filter((s) => s.startsWith('.'))) edges.push({ from: f, to: relative(srcDir, resolve(srcDir, dirname(f), s)) });
  }
  return { edges, packages };
}
