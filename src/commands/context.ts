/*
 * What every command gets from the CLI: its streams and environment (so tests can run commands in
 * process), and one way to reach the database from --database-url / DATABASE_URL / PG* / --embedded.
 */
import { UserError } from '../core/errors.js';
import { resolveConnection, type ConnectionTarget } from '../io/db.js';
import { requestedMajor, startEmbedded } from '../io/embedded.js';
import { colorEnabled, palette, type Palette } from '../ui/color.js';

export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
  /** The real stream, for Ink. */
  readonly stream?: NodeJS.WriteStream;
}

export interface CommandContext {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly stdinIsTTY: boolean;
  /** Reads one line from the terminal (apply's approval). */
  readonly prompt: (question: string) => Promise<string>;
  /** Aborted on Ctrl-C / SIGTERM. */
  readonly signal: AbortSignal;
}

export interface ConnectionOptions {
  readonly databaseUrl?: string;
  readonly embedded?: boolean;
}

export interface CommonOptions {
  readonly color?: boolean;
}

export function colorsFor(context: CommandContext, options: CommonOptions, output: Output = context.stdout): Palette {
  return palette(colorEnabled({ noColorFlag: options.color === false, env: context.env, isTTY: output.isTTY }));
}

/** Runs `work` against the connection the flags name; --embedded starts (and always stops) a throwaway server. */
export async function withConnection<T>(
  context: CommandContext,
  options: ConnectionOptions,
  work: (target: ConnectionTarget) => Promise<T>,
): Promise<T> {
  if (options.embedded && options.databaseUrl) {
    throw new UserError('--embedded and --database-url cannot be used together.', 'Choose one of them.');
  }
  if (!options.embedded) return work(resolveConnection({ databaseUrl: options.databaseUrl, env: context.env }));
  const major = requestedMajor(context.env);
  const server = await startEmbedded(major === undefined ? {} : { major });
  try {
    const url = server.url();
    return await work({ connectionString: url, display: `embedded PostgreSQL ${server.major} on port ${server.port}`, secrets: [server.password] });
  } finally {
    await server.stop();
  }
}
