import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../../core/errors/ConfigError.ts';

export interface PublishOptions {
  /** An export folder (export --format hf, onnx or gguf). */
  readonly dir: string;
  /** owner/name on the Hub. */
  readonly repo: string;
  /** A Hugging Face write token (hf_...). */
  readonly token: string;
  /** Hub URL. @default 'https://huggingface.co' */
  readonly endpoint?: string;
  /** Create the repository private (an existing one keeps its visibility). @default false */
  readonly private?: boolean;
  /** Commit title. @default 'Upload <n> files with versiflow publish' */
  readonly message?: string;
  /** The fetch the Hub client uses (tests, proxies). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export interface PublishResult {
  readonly repoUrl: string;
  /** false when the repository existed already (the files are committed on top). */
  readonly created: boolean;
  readonly files: readonly { path: string; bytes: number }[];
  readonly commitUrl: string | null;
}

const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Model files that make a folder an export, at its top (ONNX: under onnx/): Transformers safetensors, ONNX, or GGUF. */
function modelFiles(files: readonly string[]): string[] {
  return files.filter((f) => f === 'model.safetensors' || /^model-\d+-of-\d+\.safetensors$/.test(f) || /^onnx\/model[\w-]*\.onnx$/.test(f) || /^[^/]+\.gguf$/.test(f));
}

/** Every file under `dir` as a '/'-separated relative path, sorted; dot-directories (.git, .cache) skipped. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name)).split(sep).join('/');
    if (rel.split('/').slice(0, -1).some((p) => p.startsWith('.'))) continue;
    out.push(rel);
  }
  return out.sort();
}

/**
 * Checks what `versiflow publish` would upload before any network call: the folder exists and is an
 * export (a model file, and config.json beside safetensors or ONNX weights), the repo is owner/name,
 * the token looks like a Hub token. Returns the files. Throws a ConfigError saying what to do.
 */
export async function checkPublish(o: Pick<PublishOptions, 'dir' | 'repo' | 'token'>): Promise<string[]> {
  const dir = resolve(o.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`publish: ${dir} is not a folder; pass the --out folder of versiflow export`);
  if (!REPO.test(o.repo)) throw new ConfigError(`publish: --repo must be owner/name (e.g. alice/poetru-tiny), got "${o.repo}"`);
  const files = await listFiles(dir);
  const models = modelFiles(files);
  if (models.length === 0) {
    throw new ConfigError(`publish: ${dir} is not an export folder (no model.safetensors, onnx/model*.onnx or *.gguf in it); make one with versiflow export --format hf|onnx|gguf --out DIR`);
  }
  if (models.some((m) => !m.endsWith('.gguf')) && !files.includes('config.json')) {
    throw new ConfigError(`publish: ${dir} has ${models[0]} but no config.json, so Transformers could not load it; export it again with versiflow export --format hf|onnx`);
  }
  if (!o.token) throw new ConfigError('publish: no Hugging Face token: pass --token hf_... or set HF_TOKEN (a write token from https://huggingface.co/settings/tokens)');
  if (!o.token.startsWith('hf_')) throw new ConfigError('publish: the token does not start with "hf_"; use a Hugging Face access token with write access');
  return files;
}

type Hub = typeof import('@huggingface/hub');

/** @huggingface/hub, loaded when publishing (a development dependency: the rest of the CLI runs without it). */
async function hubClient(): Promise<Hub> {
  try {
    return await import('@huggingface/hub');
  } catch {
    throw new ConfigError('publish: the @huggingface/hub package is not installed; install it beside versiflow with npm install @huggingface/hub');
  }
}

/**
 * `versiflow publish`: uploads an export folder to a Hub model repository with @huggingface/hub —
 * createRepo (a 409 means it exists: the files are committed on top), then one commit of every file
 * (small files inline, large ones through the LFS batch API; the xet transfer is off, so any Hub
 * endpoint that speaks plain LFS works).
 */
export async function publishExport(o: PublishOptions): Promise<PublishResult> {
  const files = await checkPublish(o);
  const { createRepo, HubApiError, uploadFiles } = await hubClient();
  const dir = resolve(o.dir);
  const hubUrl = (o.endpoint ?? 'https://huggingface.co').replace(/\/+$/, '');
  const repo = { type: 'model' as const, name: o.repo };
  let created = true;
  let repoUrl = `${hubUrl}/${o.repo}`;
  try {
    try {
      repoUrl = (await createRepo({ repo, accessToken: o.token, hubUrl, private: o.private ?? false, fetch: o.fetch })).repoUrl ?? repoUrl;
    } catch (e) {
      if (!(e instanceof HubApiError && e.statusCode === 409)) throw e;
      created = false;
    }
    const contents = await Promise.all(files.map(async (path) => ({ path, content: new Blob([await readFile(join(dir, path))]) })));
    const out = await uploadFiles({
      repo,
      accessToken: o.token,
      hubUrl,
      files: contents,
      commitTitle: o.message ?? `Upload ${files.length} files with versiflow publish`,
      useXet: false,
      fetch: o.fetch,
    });
    return { repoUrl, created, files: contents.map((c) => ({ path: c.path, bytes: c.content.size })), commitUrl: out?.commit.url ?? null };
  } catch (e) {
    if (e instanceof HubApiError) {
      const hint = e.statusCode === 401 || e.statusCode === 403 ? ' (check that the token has write access to this namespace)' : '';
      throw new ConfigError(`publish: the Hub at ${hubUrl} answered ${e.statusCode}: ${e.message}${hint}`);
    }
    throw e;
  }
}
