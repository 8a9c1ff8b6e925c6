import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { publishCommand } from '../../../src/cli/publishCommand.ts';
import { exportHf } from '../../../src/pipeline/export/exportHf.ts';
import { captureIO } from '../../cli/checkpointFixture.ts';
import { writeModelCheckpoint } from '../export/modelFixture.ts';
import { startFakeHub } from './fakeHub.ts';

const TOKEN = 'hf_testtoken123';
let hub: Awaited<ReturnType<typeof startFakeHub>>;
let dir: string;

beforeAll(async () => {
  hub = await startFakeHub(TOKEN);
  const { runDir } = await writeModelCheckpoint({});
  dir = join(runDir, 'hf');
  await exportHf({ checkpoint: runDir, out: dir, language: ['en'] });
});
afterAll(() => hub?.close());

describe('versiflow publish (against a local Hub endpoint)', () => {
  it('creates the repo, uploads the weights through LFS and the rest inline in one commit: every file arrives byte for byte', async () => {
    const c = captureIO();
    expect(await main(['publish', dir, '--repo', 'alice/poetru-tiny', '--token', TOKEN, '--endpoint', hub.url, '--private', '--message', 'first upload'], c.io)).toBe(0);
    expect(c.err()).toBe('');
    expect(c.out()).toMatch(new RegExp(`^published 7 files \\([\\d,]+ bytes\\) to ${hub.url}/alice/poetru-tiny \\(new repository\\)\\n  commit: ${hub.url}/alice/poetru-tiny/commit/c0ffee\\n$`));
    const repo = hub.repos.get('alice/poetru-tiny')!;
    expect(repo.private).toBe(true);
    const names = ['README.md', 'config.json', 'generation_config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];
    expect([...repo.files.keys()].sort()).toEqual(names);
    for (const f of names) expect(repo.files.get(f)!.equals(readFileSync(join(dir, f))), f).toBe(true);
    const routes = hub.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{64}/, 'OID')}`);
    expect(routes).toEqual([
      'POST /api/repos/create',
      'POST /api/models/alice/poetru-tiny/preupload/main',
      'POST /alice/poetru-tiny.git/info/lfs/objects/batch',
      'PUT /lfs-upload/OID',
      'POST /api/models/alice/poetru-tiny/commit/main',
    ]);
    const commit = hub.requests.at(-1)!;
    expect(commit.contentType).toBe('application/x-ndjson');
    const lines = commit.body.toString().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ key: 'header', value: { summary: 'first upload' } });
    expect(lines.filter((l) => l.key === 'lfsFile').map((l) => l.value.path)).toEqual(['model.safetensors']);
    expect(hub.requests.filter((r) => !r.path.startsWith('/lfs-upload/')).every((r) => r.auth === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('an existing repo (409 on create) gets a new commit; the token can come from HF_TOKEN', async () => {
    const before = hub.requests.length;
    const c = captureIO();
    expect(await publishCommand([dir, '--repo', 'alice/poetru-tiny', '--endpoint', hub.url], c.io, { HF_TOKEN: TOKEN })).toBe(0);
    expect(c.out()).toMatch(/^published 7 files .* to .*alice\/poetru-tiny\n/);
    expect(c.out()).not.toMatch(/new repository/);
    expect(hub.requests.slice(before).map((r) => r.path)[0]).toBe('/api/repos/create');
    expect(hub.requests.at(-1)!.path).toBe('/api/models/alice/poetru-tiny/commit/main');
  });

  it('refuses clearly, before any request: not an export folder, safetensors without config.json, no token, a bad repo name; a rejected token names the status', async () => {
    const before = hub.requests.length;
    const empty = mkdtempSync(join(tmpdir(), 'vf-publish-'));
    writeFileSync(join(empty, 'notes.txt'), 'hello');
    const run = (args: string[], env: Record<string, string> = {}) => {
      const c = captureIO();
      return publishCommand(args, c.io, env).then((code) => ({ code, err: c.err() }));
    };
    let r = await run([empty, '--repo', 'a/b', '--token', TOKEN, '--endpoint', hub.url]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not an export folder \(no model\.safetensors, onnx\/model\*\.onnx or \*\.gguf in it\)/);
    const bare = mkdtempSync(join(tmpdir(), 'vf-publish-'));
    writeFileSync(join(bare, 'model.safetensors'), readFileSync(join(dir, 'model.safetensors')));
    r = await run([bare, '--repo', 'a/b', '--token', TOKEN, '--endpoint', hub.url]);
    expect(r.err).toMatch(/has model\.safetensors but no config\.json/);
    r = await run([dir, '--repo', 'a/b', '--endpoint', hub.url]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no Hugging Face token: pass --token hf_\.\.\. or set HF_TOKEN/);
    r = await run([dir, '--repo', 'just-a-name', '--token', TOKEN]);
    expect(r.err).toMatch(/--repo must be owner\/name/);
    expect(hub.requests.length).toBe(before);
    const gg = mkdtempSync(join(tmpdir(), 'vf-publish-'));
    mkdirSync(join(gg, 'sub'));
    writeFileSync(join(gg, 'sub', 'model-f16.gguf'), 'GGUF'); // a run directory is not an export: model files count at the top only
    r = await run([gg, '--repo', 'bob/x', '--token', TOKEN, '--endpoint', hub.url]);
    expect(r.err).toMatch(/is not an export folder/);
    expect(hub.requests.length).toBe(before);
    writeFileSync(join(gg, 'model-f16.gguf'), 'GGUF');
    r = await run([gg, '--repo', 'bob/x', '--token', 'hf_wrong', '--endpoint', hub.url]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/publish: the Hub at http:\/\/127\.0\.0\.1:\d+ answered 401: Invalid credentials.*check that the token has write access/);
  });
});
