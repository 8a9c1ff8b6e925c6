import { ConfigError } from '../core/errors/ConfigError.ts';
import { UsageError } from '../core/errors/UsageError.ts';
import { publishExport } from '../pipeline/publish/publishExport.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const PUBLISH_HELP = `versiflow publish DIR --repo owner/name [--token hf_... (or HF_TOKEN) --endpoint URL --private --message M]
      upload an export folder to the Hugging Face Hub (creates the model repo if missing)`;

/**
 * `versiflow publish DIR --repo owner/name`: uploads an export folder with @huggingface/hub. The
 * token comes from --token or HF_TOKEN in `env`. Exit 2 for a usage or config problem (not an
 * export folder, no token), 1 for anything else.
 */
export async function publishCommand(args: readonly string[], io: CliIO, env: Readonly<Record<string, string | undefined>> = process.env, fetchImpl?: typeof fetch): Promise<number> {
  try {
    const { flags, positional } = parseStrict(args, { values: ['repo', 'token', 'endpoint', 'message'], booleans: ['private', 'help'], positionals: 1 });
    if (flags.help) {
      io.stdout.write(`${PUBLISH_HELP}\n`);
      return 0;
    }
    const [dir] = positional;
    if (!dir) throw new ConfigError('publish: the export folder is required: versiflow publish DIR --repo owner/name');
    if (!flags.repo) throw new ConfigError('publish: --repo owner/name is required');
    const r = await publishExport({
      dir,
      repo: flags.repo,
      token: flags.token ?? env.HF_TOKEN ?? '',
      endpoint: flags.endpoint ?? env.HF_ENDPOINT,
      private: !!flags.private,
      message: flags.message,
      fetch: fetchImpl,
    });
    const bytes = r.files.reduce((n, f) => n + f.bytes, 0);
    io.stdout.write(`published ${r.files.length} files (${bytes.toLocaleString('en-US')} bytes) to ${r.repoUrl}${r.created ? ' (new repository)' : ''}\n`);
    if (r.commitUrl) io.stdout.write(`  commit: ${r.commitUrl}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`publish: ${e.message}\n${PUBLISH_HELP}\n`);
      return 2;
    }
    return reportError(e, io);
  }
}
