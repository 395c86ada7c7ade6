/*
 * The command line: the program (its commands and flags are in cli-commands.ts), and the one error
 * handler that maps every failure to a message and an exit code. cli.ts wires it to the real process.
 */
import { Command, CommanderError } from 'commander';
import { DatabaseRefused, formatProblem, Interrupted, sortProblems, UserError } from './core/errors.js';
import { printableText } from './core/printable.js';
import { connectionStringPasswords } from './io/connection-string.js';
import type { CommandContext } from './commands/context.js';
import { defineCommands } from './cli-commands.js';
import { scrubSecrets } from './core/text.js';

export const EXIT = { ok: 0, error: 1, changes: 2, interrupted: 130 } as const;

/** Secrets to mask wherever they might surface: the URL's password, PGPASSWORD. */
function secretsOf(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const urls = [env.DATABASE_URL, ...argv.flatMap((arg, i) => (arg === '--database-url' ? [argv[i + 1]] : arg.startsWith('--database-url=') ? [arg.slice(15)] : []))];
  const secrets = urls.flatMap((url) => {
    return (url ? connectionStringPasswords(url) : []).flatMap((password) => [password, encodeURIComponent(password)]);
  });
  if (env.PGPASSWORD) secrets.push(env.PGPASSWORD);
  return secrets.filter((s) => s.length > 0);
}

const scrubbed = scrubSecrets;

export function reportError(error: unknown, context: CommandContext, secrets: readonly string[]): number {
  const write = (text: string): void => context.stderr.write(scrubbed(text, secrets));
  if (error instanceof Interrupted) {
    write(`${error.message}\n`);
    return EXIT.interrupted;
  }
  // Messages may quote names from the database: no terminal escape or other control character reaches
  // the terminal raw (line breaks a message is built with stay).
  const shown = (text: string): string => text.split('\n').map(printableText).join('\n');
  if (error instanceof UserError) {
    for (const problem of sortProblems(error.problems)) write(`${formatProblem(problem)}\n`);
    write(`Error: ${shown(error.message)}\n`);
    if (error.hint) write(`${shown(error.hint)}\n`);
    return EXIT.error;
  }
  if (error instanceof DatabaseRefused) {
    write(`PostgreSQL refused: ${shown(error.message)}${error.code ? ` (SQLSTATE ${error.code})` : ''}\n`);
    if (error.detail) write(`Detail: ${shown(error.detail)}\n`);
    if (error.hint) write(`Hint: ${shown(error.hint)}\n`);
    return EXIT.error;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`Internal error: ${stack}\nThis is a bug in pg-index-reconciler. Please report it with the output above.\n`);
  return EXIT.error;
}

export async function main(argv: readonly string[], context: CommandContext): Promise<number> {
  const secrets = secretsOf(argv, context.env);
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name('reconcile')
    .description('Indexes as code for PostgreSQL: plan and apply the indexes declared in indexes.yaml.')
    .version('0.1.0')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(scrubbed(text, secrets)),
    })
    .showHelpAfterError('(run reconcile --help for usage)');

  defineCommands({ program, context, exit: (code) => (exitCode = code) });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; bad flags have already been explained by commander.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    return reportError(error, context, secrets);
  }
}
