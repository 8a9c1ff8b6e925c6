import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import WebSocket from 'ws';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream' };

/** A static file server for `dir` on 127.0.0.1 (a free port); `close()` stops it. */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (process.env.VF_LOG_REQUESTS) console.log('GET', req.url);
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

export interface PageRun {
  /** The value of `probe` once `until` held (or when the time ran out). */
  readonly probe: unknown;
  readonly errors: readonly string[];
  /** PNG of the viewport, when asked. */
  readonly screenshot?: Buffer;
  readonly timedOut: boolean;
}

/**
 * Opens `url` in headless Chromium (DevTools protocol over ws), polls `until` (an expression) every
 * 200 ms up to `timeoutMs`, then evaluates `probe` and, if asked, takes a screenshot (width × height).
 */
export async function runPage(chromium: string, url: string, o: { until: string; probe: string; timeoutMs: number; screenshot?: { width: number; height: number } }): Promise<PageRun> {
  const profile = mkdtempSync(join(tmpdir(), 'vf-chromium-'));
  const proc = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--hide-scrollbars', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const wsUrl = await new Promise<string>((res, rej) => {
      let err = '';
      const timer = setTimeout(() => rej(new Error(`chromium printed no DevTools URL within 30 s:\n${err}`)), 30_000);
      proc.stderr!.on('data', (d) => {
        err += d;
        const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          res(m[1]);
        }
      });
    });
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
    let id = 0;
    const pending = new Map<number, (m: { result?: any; error?: unknown }) => void>();
    const errors: string[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.id !== undefined) {
        pending.get(m.id)?.(m);
        pending.delete(m.id);
      } else if (m.method === 'Runtime.exceptionThrown') errors.push(`exception: ${m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text}`);
      else if (m.method === 'Runtime.consoleAPICalled' && m.params.type === 'error') errors.push(`console.error: ${m.params.args.map((a: any) => a.value ?? a.description).join(' ')}`);
    });
    const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
      new Promise((res, rej) => {
        const msg = { id: ++id, method, params, ...(sessionId ? { sessionId } : {}) };
        pending.set(msg.id, (m) => (m.error ? rej(new Error(`${method}: ${JSON.stringify(m.error)}`)) : res(m.result)));
        ws.send(JSON.stringify(msg));
      });
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    await send('Runtime.enable', {}, sessionId);
    await send('Page.enable', {}, sessionId);
    if (o.screenshot) await send('Emulation.setDeviceMetricsOverride', { width: o.screenshot.width, height: o.screenshot.height, deviceScaleFactor: 1, mobile: false }, sessionId);
    await send('Page.navigate', { url }, sessionId);
    const evaluate = async (expression: string) => (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId)).result?.value;
    const deadline = Date.now() + o.timeoutMs;
    let timedOut = true;
    while (Date.now() < deadline) {
      if (await evaluate(o.until).catch(() => false)) {
        timedOut = false;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const probe = await evaluate(o.probe);
    const screenshot = o.screenshot ? Buffer.from((await send('Page.captureScreenshot', { format: 'png' }, sessionId)).data, 'base64') : undefined;
    ws.close();
    return { probe, errors, screenshot, timedOut };
  } finally {
    proc.kill('SIGKILL');
    await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(null) : proc.once('exit', r)));
    rmSync(profile, { recursive: true, force: true });
  }
}
