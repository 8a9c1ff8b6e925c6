import WebSocket from 'ws';
import { formatEvent } from '../dashboard/formatEvent.ts';
import { EVENT_TYPES, type TrainEvent, type TrainEventType } from '../core/events.ts';
import { parseTypeList, reviveEvent, type ServerMessage } from '../streams/feed/feedProtocol.ts';
import { UsageError } from '../core/errors/UsageError.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';

export interface MonitorIo extends CliIO {
  /** Aborting (Ctrl+C) closes the connection; the command then returns 0. */
  readonly signal?: AbortSignal;
}

const USAGE = `usage: versiflow monitor ws://HOST:PORT [--token T] [--types eval,sample]
  Prints a running training's events (its live feed, see docs/ws-protocol.md) one line each.
  --token T        the run's ws_token (sent as Authorization: Bearer)
  --types a,b      only these event types (${EVENT_TYPES.join(', ')}); run/end is always shown
Exits 0 when the run ends or the server closes, 1 if it cannot connect, 2 on bad arguments.
`;

/**
 * `versiflow monitor URL [--token T] [--types a,b]`: a terminal client of the WebSocket feed, printing
 * each event with `formatEvent` (the same lines as the plain reporter). If the run is already over
 * when it connects, it prints the run's start and end from the snapshot and exits.
 */
export async function monitorCommand(args: readonly string[], io: MonitorIo): Promise<number> {
  const parsed = parseArgs(args);
  if ('help' in parsed) {
    io.stdout.write(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    io.stderr.write(`monitor: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const url = new URL(parsed.url);
  // run/end always comes too: it is how the monitor knows the run is over.
  const wanted = new Set<TrainEventType>(parsed.types ?? EVENT_TYPES);
  if (parsed.types) url.searchParams.set('types', [...new Set([...parsed.types, 'run/end'])].join(','));
  const print = (e: TrainEvent) => {
    const line = formatEvent(e);
    if (line !== null) io.stdout.write(`${line}\n`);
  };

  const ws = new WebSocket(url, { headers: parsed.token ? { authorization: `Bearer ${parsed.token}` } : {} });
  return new Promise<number>((resolve) => {
    let code = 0;
    const finish = () => ws.close(1000);
    const onAbort = () => finish();
    io.signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('unexpected-response', (_req, res) => {
      code = 1;
      io.stderr.write(
        res.statusCode === 401
          ? `monitor: ${parsed.url} refused the connection (401): pass the run's ws_token with --token\n`
          : `monitor: ${parsed.url} answered HTTP ${res.statusCode} instead of a WebSocket upgrade\n`,
      );
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (code === 1) return; // already explained (refused upgrade)
      code = 1;
      io.stderr.write(`monitor: cannot connect to ${parsed.url}: ${err.message}\n`);
    });
    ws.on('message', (data) => {
      try {
        onMessage(String(data));
      } catch (err) {
        io.stderr.write(`monitor: cannot show a message: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    });
    const onMessage = (data: string) => {
      let msg: ServerMessage;
      try {
        msg = reviveEvent(JSON.parse(data) as ServerMessage);
      } catch {
        io.stderr.write('monitor: the server sent a message that is not JSON; ignored\n');
        return;
      }
      switch (msg.type) {
        case 'snapshot': {
          if (msg.run && wanted.has('run/start')) print(reviveEvent(msg.run));
          const ended = msg.last['run/end']?.at(-1);
          if (ended) {
            print(reviveEvent(ended));
            finish();
          }
          return;
        }
        case 'lagged':
          io.stderr.write(`monitor: ${msg.skipped} events skipped (this terminal read too slowly)\n`);
          return;
        case 'error':
          io.stderr.write(`monitor: server says: ${msg.message}\n`);
          return;
        case 'subscribed':
        case 'pong':
          return;
        default:
          if (wanted.has(msg.type) || msg.type === 'run/end') print(msg);
          if (msg.type === 'run/end') finish();
      }
    };
    ws.on('close', () => {
      io.signal?.removeEventListener('abort', onAbort);
      resolve(code);
    });
  });
}

type Parsed = { url: string; token?: string; types?: TrainEventType[] } | { error: string } | { help: true };

function parseArgs(args: readonly string[]): Parsed {
  let flags: Record<string, string>;
  let positional: string[];
  try {
    ({ flags, positional } = parseStrict(args, { values: ['token', 'types'], booleans: ['help'], positionals: Infinity }));
  } catch (e) {
    if (e instanceof UsageError) return { error: e.message };
    throw e;
  }
  if (flags.help) return { help: true };
  if (positional.length > 1) return { error: `unexpected argument ${JSON.stringify(positional[1])}: one URL only` };
  const url = positional[0];
  const token = flags.token;
  let types: TrainEventType[] | undefined;
  if (flags.types !== undefined) {
    if (!flags.types.trim()) return { error: '--types needs a comma list such as eval,sample' };
    const t = parseTypeList(flags.types.split(',').map((s) => s.trim()).filter(Boolean));
    if ('error' in t) return { error: `--types: ${t.error}` };
    types = t;
  }
  if (url === undefined) return { error: 'missing the feed URL, e.g. ws://127.0.0.1:7447' };
  if (!/^wss?:\/\//.test(url)) return { error: `${JSON.stringify(url)} is not a ws:// or wss:// URL` };
  try {
    new URL(url);
  } catch {
    return { error: `${JSON.stringify(url)} is not a valid URL` };
  }
  return { url, token, types };
}
