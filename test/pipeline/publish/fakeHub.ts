import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake Hub saw. */
export interface HubRequest {
  readonly method: string;
  readonly path: string;
  readonly auth: string | undefined;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/**
 * A local HTTP server speaking the part of the Hugging Face Hub API that @huggingface/hub's
 * createRepo and commit (uploadFiles, useXet: false) call:
 * - POST /api/repos/create {name, organization, visibility, type} → {url, id}; 409 when it exists;
 * - POST /api/models/{owner}/{name}/preupload/{rev} {files: [{path, size, sample}]} → uploadMode
 *   "lfs" for weights (.safetensors, .onnx, .gguf), "regular" otherwise;
 * - POST /{owner}/{name}.git/info/lfs/objects/batch (git-lfs batch, basic transfer) → an upload href
 *   per object, then PUT {href} with the bytes (checked against the sha256 oid);
 * - POST /api/models/{owner}/{name}/commit/{rev}, NDJSON: header, file (base64), lfsFile (oid).
 * Every request is recorded; committed files are kept per repo. Bearer token `token` required.
 */
export async function startFakeHub(token: string): Promise<{ url: string; requests: HubRequest[]; repos: Map<string, { private: boolean; files: Map<string, Buffer> }>; close(): Promise<void> }> {
  const requests: HubRequest[] = [];
  const repos = new Map<string, { private: boolean; files: Map<string, Buffer> }>();
  const lfs = new Map<string, Buffer>();
  let url = '';
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const read = (req: IncomingMessage) => new Promise<Buffer>((ok, fail) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => ok(Buffer.concat(parts)));
    req.on('error', fail);
  });
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ method: req.method ?? '', path, auth: req.headers.authorization, contentType: req.headers['content-type'], body });
    let m: RegExpMatchArray | null;
    if (req.method === 'PUT' && (m = path.match(/^\/lfs-upload\/([0-9a-f]{64})$/))) {
      if (createHash('sha256').update(body).digest('hex') !== m[1]) return json(res, 400, { error: 'sha256 mismatch' });
      lfs.set(m[1], body);
      res.writeHead(200);
      return res.end();
    }
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'Invalid credentials in Authorization header' });
    if (req.method === 'POST' && path === '/api/repos/create') {
      const b = JSON.parse(body.toString());
      const id = `${b.organization}/${b.name}`;
      if (repos.has(id)) return json(res, 409, { error: 'You already created this model repo', url: `${url}/${id}` });
      repos.set(id, { private: b.visibility === 'private', files: new Map() });
      return json(res, 200, { url: `${url}/${id}`, id });
    }
    if (req.method === 'POST' && (m = path.match(/^\/api\/models\/([^/]+\/[^/]+)\/preupload\/main$/))) {
      const b = JSON.parse(body.toString()) as { files: { path: string; size: number }[] };
      return json(res, 200, { files: b.files.map((f) => ({ path: f.path, uploadMode: /\.(safetensors|onnx|gguf)$/.test(f.path) ? 'lfs' : 'regular', shouldIgnore: false })) });
    }
    if (req.method === 'POST' && (m = path.match(/^\/([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/))) {
      const b = JSON.parse(body.toString()) as { objects: { oid: string; size: number }[] };
      res.writeHead(200, { 'Content-Type': 'application/vnd.git-lfs+json' });
      return res.end(JSON.stringify({ transfer: 'basic', objects: b.objects.map((o) => ({ oid: o.oid, size: o.size, actions: { upload: { href: `${url}/lfs-upload/${o.oid}` } } })) }));
    }
    if (req.method === 'POST' && (m = path.match(/^\/api\/models\/([^/]+\/[^/]+)\/commit\/main$/))) {
      const repo = repos.get(m[1]);
      if (!repo) return json(res, 404, { error: 'Repository not found' });
      for (const line of body.toString().split('\n').filter(Boolean)) {
        const { key, value } = JSON.parse(line);
        if (key === 'file') repo.files.set(value.path, Buffer.from(value.content, value.encoding === 'base64' ? 'base64' : 'utf8'));
        if (key === 'lfsFile') {
          const blob = lfs.get(value.oid);
          if (!blob) return json(res, 400, { error: `LFS object ${value.oid} was never uploaded` });
          repo.files.set(value.path, blob);
        }
      }
      return json(res, 200, { commitOid: 'c0ffee', commitUrl: `${url}/${m[1]}/commit/c0ffee` });
    }
    json(res, 404, { error: `fake hub: no route ${req.method} ${path}` });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, repos, close: () => new Promise((ok) => server.close(() => ok())) };
}
