import { trainCommand, TRAIN_HELP } from './trainCommand.ts';
import { chatCommand } from './chatCommand.ts';
import { serveCommand } from './serveCommand.ts';
import { watermarkCommand, WATERMARK_HELP } from './watermarkCommand.ts';
import { configCommand } from './configCommand.ts';
import { tokenizerCommand } from './tokenizerCommand.ts';
import { paramsCommand } from './paramsCommand.ts';
import { monitorCommand } from './monitorCommand.ts';
import { evalEntry, EVAL_ALL_HELP } from './evalSubcommands.ts';
import { generateEntry, GENERATE_BATCH_HELP } from './generateBatchCommand.ts';
import { dataCommand, DATA_HELP } from './dataCommand.ts';
import { exportCommand, EXPORT_HELP } from './exportCommand.ts';
import { importCommand, IMPORT_HELP } from './importCommand.ts';
import { publishCommand, PUBLISH_HELP } from './publishCommand.ts';
import { reportCommand, REPORT_HELP } from './reportCommand.ts';
import { plotCommand, PLOT_HELP } from './plotCommand.ts';
import { preferencesCommand, PREFERENCES_HELP } from './preferencesCommand.ts';
import { buildChatCommand, BUILD_CHAT_HELP } from './buildChatCommand.ts';
import { buildWebCommand, BUILD_WEB_HELP } from './buildWebCommand.ts';
import { recipeCommand, RECIPE_HELP } from './recipeCommand.ts';
import { type CliIO, processIO } from './io.ts';

const HELP = `versiflow — train small language models as RxJS pipelines

  versiflow train [--config NAME|PATH] [--KEY VALUE ...]     (= npm start -- ...)
  versiflow generate --checkpoint PATH [--prompt TEXT --max-new-tokens N --temperature T --top-k K --top-p P
      --repetition-penalty R --no-repeat-ngram N --min-new-tokens N --stop S --seed S --watermark poetru|keyed|lefthash
      --watermark-key K --no-cache]                          stream a continuation (KV cache)
  ${GENERATE_BATCH_HELP}
  versiflow chat (--checkpoint PATH | --connect ws://HOST:PORT)   terminal chat; /help for its commands
  versiflow serve --checkpoint PATH [--port 8765 --host H]    generation over WebSocket (docs/generate-protocol.md)
  ${WATERMARK_HELP.split('\n').join('\n  ')}
  ${EVAL_ALL_HELP}
  ${DATA_HELP}
  ${EXPORT_HELP}
  ${IMPORT_HELP}
  ${PUBLISH_HELP}
  ${BUILD_CHAT_HELP}
  ${BUILD_WEB_HELP}
  ${REPORT_HELP}
  ${PLOT_HELP}
  ${PREFERENCES_HELP}
  ${RECIPE_HELP}
  versiflow params --config NAME [--json]                     parameter table, total and training memory
  versiflow monitor ws://HOST:PORT [--token T --types eval,sample]   print a live run's events
  versiflow config [--config NAME]                            the resolved config, every key documented
  versiflow tokenizer train --data PATH --vocab-size N --out tokenizer.json [--min-frequency 2 --special "[PAD],[EOS],[UNK]"]
  versiflow tokenizer train --type sp_bpe --data PATH --vocab-size N --out tokenizer.json [--character-coverage 0.9995 --byte-fallback auto|on|off --user-symbols "«,»"]
  versiflow tokenizer encode --tokenizer F (--text S | --file F)
  versiflow tokenizer decode --tokenizer F --ids '[...]'
  versiflow tokenizer cache --data PATH --tokenizer F|char [--text-column C --normalize nfc --max-docs N --cache-dir D]

${TRAIN_HELP}
`;

type Command = (args: readonly string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  generate: generateEntry,
  config: configCommand,
  tokenizer: tokenizerCommand,
  params: paramsCommand,
  monitor: monitorCommand,
  eval: evalEntry,
  data: dataCommand,
  watermark: watermarkCommand,
  chat: chatCommand,
  serve: serveCommand,
  export: exportCommand,
  import: importCommand,
  publish: (args, io) => publishCommand(args, io),
  report: reportCommand,
  plot: plotCommand,
  preferences: preferencesCommand,
  'build-chat': buildChatCommand,
  'build-web': buildWebCommand,
  recipe: recipeCommand,
};

/** CLI entry: `versiflow VERB ...`; returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    io.stdout.write(HELP);
    return 0;
  }
  const cmd = COMMANDS[verb];
  if (!cmd) {
    if (verb.startsWith('--')) return trainCommand(argv, io);
    io.stderr.write(`error: unknown command "${verb}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  return cmd(rest, io);
}
