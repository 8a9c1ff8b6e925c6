import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

let ckpt: string;
let dir: string;
beforeAll(async () => {
  ckpt = await writeTestCheckpoint();
  dir = mkdtempSync(join(tmpdir(), 'versiflow-prefs-cli-'));
  const prompts = ['the moon', 'a river', 'the wind', 'my heart'].map((s) => ({ prompt: `tell me of ${s}.\n`, answer: `${s} is calm.` }));
  writeFileSync(join(dir, 'prompts.jsonl'), prompts.map((p) => JSON.stringify(p)).join('\n'));
});

const readRows = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('versiflow preferences generate, then train --task dpo on its output', () => {
  it('writes paired rows: the reference answer chosen, the canned preset rejected', async () => {
    const paired = join(dir, 'paired.jsonl');
    const cap = captureIO();
    const code = await main(['preferences', 'generate', '--checkpoint', ckpt, '--prompts', join(dir, 'prompts.jsonl'), '--out', paired, '--presets', 'canned', '--limit', '3', '--backend', 'cpu'], cap.io);
    expect(code, cap.err()).toBe(0);
    const rows = readRows(paired);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ prompt: 'tell me of the moon.\n', chosen: 'the moon is calm.', preset: 'canned' });
    expect(typeof rows[0].rejected).toBe('string');
    expect(cap.out()).toContain('wrote 3 paired rows');

    // the same file trains DPO through the CLI, events as JSON lines
    const cap3 = captureIO();
    const out = join(dir, 'dpo-run');
    const args = ['train', '--task', 'dpo', '--init-from', ckpt, '--data', paired, '--out', out, '--max-steps', '2', '--batch-size', '2', '--log-every', '1', '--val-fraction', '0', '--pref-quality-prompts', '0', '--reporter', 'json', '--no-ws', '--backend', 'cpu'];
    expect(await main(args, cap3.io), cap3.err()).toBe(0);
    const events = cap3.out().trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'pref/step').map((e) => e.step)).toEqual([1, 2]);
    expect(events.find((e) => e.type === 'run/start').config.lr).toBe(5e-6); // configs/dpo.yaml, not tiny's pretraining rate
    expect(events.at(-1)).toMatchObject({ type: 'run/end', reason: 'completed' });
  });

  it('names an unknown preset and a missing flag', async () => {
    const cap = captureIO();
    expect(await main(['preferences', 'generate', '--checkpoint', ckpt, '--prompts', join(dir, 'prompts.jsonl'), '--out', join(dir, 'x.jsonl'), '--presets', 'boring', '--backend', 'cpu'], cap.io)).not.toBe(0);
    expect(cap.err()).toContain('unknown preset boring; one or more of loops, canned, tutorial');
    const cap2 = captureIO();
    expect(await main(['preferences', 'generate', '--prompts', 'p.jsonl', '--out', 'o.jsonl'], cap2.io)).not.toBe(0);
    expect(cap2.err()).toContain('--checkpoint is required');
  });
});
