import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backEdges, importGraph, IMPURE_MODULES, PURE_ROOMS, roomOf, specifiers } from './layers.ts';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

describe('import direction', () => {
  it('finds back-edges in a made-up graph (the checker can fail)', () => {
    expect(
      backEdges([
        { from: 'model/nn/gpt.ts', to: 'model/kernels/select.ts' }, // allowed: maths → kernels
        { from: 'model/kernels/webgpu/rope.ts', to: 'model/nn/rope.ts' }, // kernels → maths
        { from: 'model/nn/gpt.ts', to: 'model/tuners/tuneForRun.ts' }, // maths → tuners
        { from: 'operators/trainStep.ts', to: 'streams/sources/batchSchedule.ts' }, // operators → streams
        { from: 'dashboard/TuiApp.tsx', to: 'model/nn/gpt.ts' }, // dashboard → model
        { from: 'core/events.ts', to: 'config/x.ts' }, // core → anything
        { from: 'eval/x.ts', to: 'pipeline/withModel.ts' }, // eval → pipeline
        { from: 'operators/x.ts', to: 'eval/behaviour.ts' }, // operators → eval
        { from: 'misc/x.ts', to: 'core/events.ts' }, // a room the layering does not know
      ]),
    ).toEqual([
      'model/kernels/webgpu/rope.ts → model/nn/rope.ts (model/kernels may not import model/nn)',
      'model/nn/gpt.ts → model/tuners/tuneForRun.ts (model/nn may not import model/tuners)',
      'operators/trainStep.ts → streams/sources/batchSchedule.ts (operators may not import streams/sources)',
      'dashboard/TuiApp.tsx → model/nn/gpt.ts (dashboard may not import model/nn)',
      'core/events.ts → config/x.ts (core may not import config)',
      'eval/x.ts → pipeline/withModel.ts (eval may not import pipeline)',
      'operators/x.ts → eval/behaviour.ts (operators may not import eval)',
      'misc/x.ts: room "misc" is not in the layering (add it to ALLOWED in test/architecture/layers.ts)',
    ]);
  });

  it('reads static, type-only, re-export, side-effect and dynamic imports', () => {
    const text = "import a from './a.ts';\nimport type { B } from '../b.ts';\nexport { c } from './c.ts';\nimport './d.ts';\nconst e = await import('./e.ts');\nimport {\n  f,\n} from 'rxjs';";
    expect(specifiers(text)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts', 'rxjs']);
  });

  it('names rooms', () => {
    expect(['core/events.ts', 'model/nn/gpt.ts', 'model/kernels/webgpu/rope.ts', 'streams/feed/wsFeed.ts', 'cli/main.ts', 'index.ts'].map(roomOf)).toEqual(['core', 'model/nn', 'model/kernels', 'streams/feed', 'cli', 'index']);
  });

  it('src/ has no back-edge: core ← model ← operators ← streams ← eval ← pipeline ← cli, dashboard on core alone', () => {
    const { edges } = importGraph(SRC);
    expect(edges.length).toBeGreaterThan(300);
    expect(backEdges(edges)).toEqual([]);
  });

  it('core and the model (outside model/backend) use neither RxJS nor the platform', () => {
    const { packages } = importGraph(SRC);
    const bad = [...packages].flatMap(([f, pkgs]) => (PURE_ROOMS.includes(roomOf(f)) ? pkgs.filter((p) => IMPURE_MODULES.test(p)).map((p) => `${f} imports ${p}`) : []));
    expect(bad).toEqual([]);
  });
});
