import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';

/** The Chromium binary on PATH (Debian's `chromium`, or chromium-browser / google-chrome), or null. */
export function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || null;
    } catch {
      // not this one
    }
  }
  return null;
}

/** One tab, attached with a flat DevTools session. */
export interface Tab {
  /** Console errors and assertions, uncaught exceptions, and Log-domain errors (a CSP violation or a failed request lands there). */
  readonly errors: string[];
  /** Resolves at the tab's next load event. */
  nextLoad(): Promise<void>;
  send(method: string, params?: object): Promise<any>;
  /** Evaluates an expression in the page (awaiting a promise); an exception gives undefined and, unless `quiet`, is added to `errors`. */
  evaluate(expression: string, quiet?: boolean): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Runs `use` against one headless Chromium driven over the DevTools protocol
 * (`--remote-debugging-port=0`; the ws URL is read from stderr), then kills it and removes its profile.
 */
export async function withChromium<T>(chromium: string, use: (openTab: () => Promise<Tab>) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'vf-chromium-'));
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--hide-scrollbars', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'];
  // its own process group, so that killing it also kills the renderer and utility processes that write the profile
  const proc = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  try {
    const ws = new WebSocket(await devtoolsUrl(proc), { perMessageDeflate: false });
    await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
    let id = 0;
    const pending = new Map<number, { res: (v: any) => void; rej: (e: Error) => void }>();
    const errors = new Map<string, string[]>(); // per session
    const loads = new Map<string, () => void>();
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.id !== undefined) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) p?.rej(new Error(JSON.stringify(m.error)));
        else p?.res(m.result);
        return;
      }
      const errs = errors.get(m.sessionId);
      if (!errs) return;
      if (m.method === 'Runtime.consoleAPICalled' && ['error', 'assert'].includes(m.params.type)) errs.push(`console.${m.params.type}: ${m.params.args.map((a: any) => a.value ?? a.description).join(' ')}`);
      else if (m.method === 'Runtime.exceptionThrown') errs.push(`exception: ${m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text}`);
      else if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') errs.push(`${m.params.entry.source}: ${m.params.entry.text}${m.params.entry.url ? ` (${m.params.entry.url})` : ''}`);
      else if (m.method === 'Page.loadEventFired') loads.get(m.sessionId)?.();
    });
    const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
      new Promise((res, rej) => {
        const msg = { id: ++id, method, params, ...(sessionId ? { sessionId } : {}) };
        pending.set(msg.id, { res, rej });
        ws.send(JSON.stringify(msg));
      });
    const openTab = async (): Promise<Tab> => {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      const errs: string[] = [];
      errors.set(sessionId, errs);
      for (const d of ['Runtime.enable', 'Log.enable', 'Page.enable']) await send(d, {}, sessionId);
      return {
        errors: errs,
        nextLoad: () => new Promise<void>((res) => loads.set(sessionId, res)),
        send: (method, params = {}) => send(method, params, sessionId),
        evaluate: async (expression, quiet = false) => {
          const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
          if (r.exceptionDetails && !quiet) errs.push(`evaluate: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
          return r.result?.value;
        },
        close: () => send('Target.closeTarget', { targetId }),
      };
    };
    const result = await use(openTab);
    ws.close();
    return result;
  } finally {
    const exited = new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(null) : proc.once('exit', r)));
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      proc.kill('SIGKILL'); // the group is gone already
    }
    await exited;
    // a helper process may still be closing its files for a moment after the group is killed
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

/** What a page did when opened: its errors (see Tab.errors) and a DOM probe's result. */
export interface PageCheck<T> {
  readonly errors: readonly string[];
  readonly probe: T;
}

/**
 * Opens each file in a fresh tab of one headless Chromium: waits for the load event plus `settleMs`,
 * then evaluates the page's `probe` (an expression returning JSON-able data).
 */
export function checkPages(chromium: string, pages: readonly { readonly file: string; readonly probe: string }[], settleMs = 300): Promise<PageCheck<unknown>[]> {
  return withChromium(chromium, async (openTab) => {
    const results: PageCheck<unknown>[] = [];
    for (const { file, probe } of pages) {
      const tab = await openTab();
      const loaded = tab.nextLoad();
      await tab.send('Page.navigate', { url: pathToFileURL(file).href });
      await Promise.race([loaded, new Promise((_, rej) => setTimeout(() => rej(new Error(`${file}: no load event within 20 s`)), 20_000))]);
      await new Promise((r) => setTimeout(r, settleMs));
      results.push({ errors: tab.errors, probe: await tab.evaluate(probe) });
      await tab.close();
    }
    return results;
  });
}

function devtoolsUrl(proc: ChildProcess): Promise<string> {
  return new Promise((res, rej) => {
    let err = '';
    const timer = setTimeout(() => rej(new Error(`chromium printed no DevTools URL within 30 s; stderr:\n${err}`)), 30_000);
    proc.stderr!.on('data', (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`chromium exited (${code}) before printing its DevTools URL; stderr:\n${err}`));
    });
  });
}
