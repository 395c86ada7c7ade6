/*
 * Errors sorted by who must act (one handler in cli.ts prints them all):
 * - UserError: the user can fix it (bad manifest, no connection, not owner): message and next step.
 * - DatabaseRefused: PostgreSQL said no: its code, detail and hint.
 * - anything else is a bug: stack trace and a request for a report.
 */
import { printableText } from './printable.js';

/** One problem at one place in the manifest. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Manifest path, e.g. `tables.users.indexes.idx_x.columns[0]`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

export class DatabaseRefused extends Error {
  override readonly name = 'DatabaseRefused';
  constructor(
    message: string,
    readonly code?: string,
    readonly detail?: string,
    readonly hint?: string,
    /** Where the server says the error arose (its CONTEXT), e.g. Citus's `while executing command on host:port`. */
    readonly where?: string,
  ) {
    super(message);
  }
}

/** Raised by Ctrl-C / SIGTERM handling once cleanup is done: exit 130. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(message = 'Interrupted') {
    super(message);
  }
}

/** One line per problem: a name quoted in a message (from the database, too) cannot break it. */
export function formatProblem(problem: Problem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  const line = problem.path ? `${where}  ${problem.path}  ${problem.message}` : `${where}  ${problem.message}`;
  return printableText(line);
}

export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.path.localeCompare(b.path),
  );
}

/** The fields of an error node-postgres raises for a PostgreSQL refusal (and a connection failure). */
export interface PgErrorLike {
  readonly code?: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly where?: string;
}
