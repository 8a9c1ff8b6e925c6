import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { withChromium } from '../headlessChromium.ts';

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
 * Opens `url` in a tab of headless Chromium (headlessChromium.ts), polls `until` (an expression)
 * every 200 ms up to `timeoutMs`, then evaluates `probe` and, if asked, takes a screenshot (width × height).
 */
export function runPage(chromium: string, url: string, o: { until: string; probe: string; timeoutMs: number; screenshot?: { width: number; height: number } }): Promise<PageRun> {
  return withChromium(chromium, async (openTab) => {
    const tab = await openTab();
    if (o.screenshot) await tab.send('Emulation.setDeviceMetricsOverride', { width: o.screenshot.width, height: o.screenshot.height, deviceScaleFactor: 1, mobile: false });
    await tab.send('Page.navigate', { url });
    const deadline = Date.now() + o.timeoutMs;
    let timedOut = true;
    while (Date.now() < deadline) {
      if (await tab.evaluate(o.until, true).catch(() => false)) {
        timedOut = false;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const probe = await tab.evaluate(o.probe);
    const screenshot = o.screenshot ? Buffer.from((await tab.send('Page.captureScreenshot', { format: 'png' })).data, 'base64') : undefined;
    return { probe, errors: tab.errors, screenshot, timedOut };
  });
}
