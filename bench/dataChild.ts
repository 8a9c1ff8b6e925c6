/**
 * A `versiflow` command in a child process that reports its own peak resident memory: runs main()
 * with the arguments it was given, then prints `BENCH_MAXRSS_KB <n>` (process.resourceUsage) and
 * `BENCH_WALL_S <s>` on stderr. bench/data.ts spawns it for the tiny runs it measures.
 */
import { main } from '../src/cli/main.ts';

const t0 = performance.now();
const code = await main(process.argv.slice(2));
process.stderr.write(`\nBENCH_MAXRSS_KB ${process.resourceUsage().maxRSS}\nBENCH_WALL_S ${((performance.now() - t0) / 1000).toFixed(3)}\n`);
process.exitCode = code;
