/** Where commands write; injectable so tests capture output. */
export interface CliIO {
  readonly stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  readonly stderr: { write(s: string): unknown };
}

export const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr };
