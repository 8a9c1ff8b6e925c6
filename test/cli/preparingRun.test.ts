import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectable, from, lastValueFrom, Subject } from 'rxjs';
import { deferredControls, preparingRun } from '../../src/cli/preparingRun.ts';
import { normalizeConfig } from '../../src/core/config/normalizeConfig.ts';
import type { RunControls } from '../../src/core/controls.ts';
import type { DataProgressEvent, TrainEvent } from '../../src/core/events.ts';
import { prepareData, resolveTokenizer } from '../../src/pipeline/data/prepareData.ts';
import { type FeedHandle, startFeed } from '../../src/streams/feed/wsFeed.ts';
import { FeedTestClient } from '../streams/feed/feedTestClient.ts';
import { scriptedRun } from '../fixtures/scriptedRun.ts';

const open: Array<FeedHandle | FeedTestClient> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await (x instanceof FeedTestClient ? x.ws.terminate() : x.close());
});
const noControls: RunControls = { stop: () => undefined, sampleNow: () => undefined, togglePause: () => false };

describe('preparingRun: the run stream starts with the data preparation', () => {
  it('a feed client connected during preparation gets live data/progress (worker tokenization) before run/start; a late joiner finds the last one in its snapshot', async () => {
    // 400 rows, 2000-byte units: several units, so tokenize_workers 2 tokenizes in worker threads
    const rows = Array.from({ length: 400 }, (_, i) => JSON.stringify({ text: `poem ${i}: ${'ab cd '.repeat(i % 17)}` })).join('\n') + '\n';
    const dir = mkdtempSync(join(tmpdir(), 'vf-prep-'));
    writeFileSync(join(dir, 'p.jsonl'), rows);
    const cfg = normalizeConfig({ data: join(dir, 'p.jsonl'), tokenizer: 'char', context: 16, val_fraction: 0.1, cache_dir: join(dir, 'cache'), tokenize_workers: 2 });
    const { tokenizer } = await resolveTokenizer(cfg);
    const [start, ...rest] = scriptedRun({ steps: 5 });
    const end = rest.at(-1)!;

    let joined!: () => void;
    const clientIn = new Promise<void>((r) => (joined = r));
    let late: FeedTestClient | undefined;
    let summary: DataProgressEvent | undefined;
    const heardRun: string[] = [];
    let feed!: FeedHandle;
    const source$ = preparingRun(
      async (onDataProgress) => {
        await clientIn;
        const data = await prepareData(cfg, tokenizer, { unitBytes: 2000, progressEveryMs: 0, onProgress: (e) => ((summary = e.done ? e : summary), onDataProgress(e)) });
        expect(data.docs.train + data.docs.val).toBe(400);
        late = await FeedTestClient.connect(feed.url);
        open.push(late);
        // as createTrainRun: the summary comes again after run/start
        return { events$: from([start, summary!, end] as TrainEvent[]), controls: noControls };
      },
      () => heardRun.push('built'),
    );
    const events$ = connectable(source$, { connector: () => new Subject(), resetOnDisconnect: false });
    const seen: TrainEvent[] = [];
    events$.subscribe((e) => seen.push(e));
    feed = await startFeed(events$, { port: 0, host: '127.0.0.1' });
    open.push(feed);
    const done = lastValueFrom(events$);
    events$.connect();
    const c = await FeedTestClient.connect(feed.url);
    open.push(c);
    joined();
    expect(await done).toEqual(end);
    await c.waitFor((m) => m.type === 'run/end');

    const types = c.events().map((m) => m.type);
    const live = c.events().filter((m) => m.type === 'data/progress' && !m.done);
    expect(live.length).toBeGreaterThan(0);
    expect(types.indexOf('run/start')).toBe(live.length); // every live event came first
    expect(types.slice(live.length)).toEqual(['run/start', 'data/progress', 'run/end']);
    for (const e of live) expect(e).toMatchObject({ phase: 'tokenize', workers: 2, totalBytes: Buffer.byteLength(rows), done: false });
    // running totals only grow, and stay within the corpus
    for (let k = 1; k < live.length; k++) expect(live[k].bytes).toBeGreaterThanOrEqual(live[k - 1].bytes);
    expect(live.at(-1)!.rows).toBeLessThanOrEqual(400);
    expect(summary).toMatchObject({ rows: 400, bytes: Buffer.byteLength(rows), workers: 2, done: true });
    expect(c.invalid).toEqual([]);
    // the late joiner came after the last live event: its snapshot holds it
    expect(late!.messages[0].type).toBe('snapshot');
    expect(late!.messages[0].run).toBeNull();
    expect(late!.messages[0].last['data/progress'].at(-1)).toEqual(live.at(-1));
    // every local sink saw the same stream; the run was announced once, before its events
    expect(seen.filter((e) => e.type === 'data/progress' && !e.done)).toHaveLength(live.length);
    expect(heardRun).toEqual(['built']);
  }, 30_000);

  it('a failed preparation ends the stream with its error once, after the progress so far', async () => {
    const boom = new Error('corpus unreadable');
    const p: DataProgressEvent = { type: 'data/progress', step: 0, time: 1, phase: 'tokenize', rows: 1, bytes: 1, totalBytes: 2, tokens: 1, elapsedS: 1, rowsPerSec: 1, mbPerSec: 1e-6, etaS: 1, workers: 1, done: false };
    const seen: TrainEvent[] = [];
    const errors: unknown[] = [];
    let built = 0;
    preparingRun(async (onDataProgress) => {
      onDataProgress(p);
      onDataProgress({ ...p, done: true }); // a summary: left for the run to repeat
      throw boom;
    }, () => built++).subscribe({ next: (e) => seen.push(e), error: (e) => errors.push(e) });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([p]);
    expect(errors).toEqual([boom]);
    expect(built).toBe(0);
  });

  it('deferredControls: before the run exists a stop is an early stop, sample and pause do nothing; then they reach the run', () => {
    const calls: string[] = [];
    let run: RunControls | undefined;
    const c = deferredControls(() => run, () => void calls.push('early'));
    c.stop();
    c.sampleNow();
    expect(c.togglePause()).toBe(false);
    expect(calls).toEqual(['early']);
    run = { stop: () => void calls.push('stop'), sampleNow: () => void calls.push('sample'), togglePause: () => (calls.push('pause'), true) };
    c.stop();
    c.sampleNow();
    expect(c.togglePause()).toBe(true);
    expect(calls).toEqual(['early', 'stop', 'sample', 'pause']);
  });
});
