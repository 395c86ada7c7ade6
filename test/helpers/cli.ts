/*
 * The built CLI (`node dist/cli.js`) as a child process, the way users and CI jobs run it: a clean
 * environment (no DATABASE_URL or PG* leaking in from the test run; NO_COLOR=1 and CI=true so the
 * output is plain text), a working directory of the test's choosing, optional stdin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { copyFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TestDatabase } from './db.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'cli');

/**
 * Time limit of a test that runs the CLI several times: each run starts a Node process that loads the
 * whole CLI, which takes seconds on a busy two-core machine.
 */
export const SLOW = 120_000;

export interface CliResult {
  /** Exit code; null when the process died of a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Working directory; default the system's temporary directory. */
  readonly cwd?: string;
  /** Added to the clean environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed (it is always a pipe, never a terminal). */
  readonly stdin?: string;
  /** The child is killed (SIGKILL) after this long; default 100 s. */
  readonly timeoutMs?: number;
}

/** The parent's environment without anything that names a database or forces colour, plus NO_COLOR and CI. */
export function cliEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (name === 'DATABASE_URL' || name.startsWith('PG') || name === 'FORCE_COLOR' || name === 'NO_COLOR' || name === 'CI') continue;
    if (name.startsWith('VITEST') || name === 'NODE_OPTIONS' || name === 'NODE_ENV' || name === 'TEST') continue;
    env[name] = value;
  }
  env.NO_COLOR = '1';
  env.CI = 'true';
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What the child printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout or stderr (so far) matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly result: Promise<CliResult>;
}

/** Starts the CLI without waiting for it. */
export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? os.tmpdir(),
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    watchers.forEach((w) => w());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    watchers.forEach((w) => w());
  });
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 100_000);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      watchers.forEach((w) => w());
      resolve({ code, signal, stdout, stderr });
    });
  });
  let exited = false;
  void result.then(() => {
    exited = true;
  });
  return {
    child,
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    result,
    waitForOutput(pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stdout) || pattern.test(stderr)) {
            done();
            resolve();
          } else if (exited || child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`the CLI exited before printing ${pattern}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
          }
        };
        const timeout = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timeout);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Runs the CLI to the end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

const workdirs: string[] = [];
process.once('exit', () => {
  for (const dir of workdirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary working directory holding the given fixture manifests (name here → name in fixtures), removed at exit. */
export async function workdir(files: Readonly<Record<string, string>> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reconcile-cli-'));
  workdirs.push(dir);
  for (const [target, fixture] of Object.entries(files)) await copyFile(path.join(FIXTURES, fixture), path.join(dir, target));
  return dir;
}

/** The lines of an output, without the final newline's empty line. */
export function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

/**
 * Compares output line by line: a string must equal its line, a RegExp must match it (anchor it).
 * On a mismatch the whole output is shown, which is what one needs to see.
 */
export function expectLines(text: string, expected: readonly (string | RegExp)[]): void {
  const actual = lines(text);
  const mismatch = (): boolean =>
    actual.length !== expected.length ||
    expected.some((want, i) => (typeof want === 'string' ? actual[i] !== want : !want.test(actual[i] ?? '')));
  if (mismatch()) {
    // toEqual on strings shows a readable diff; patterns are replaced by the line they should match.
    const shown = expected.map((want, i) => (typeof want === 'string' ? want : want.test(actual[i] ?? '') ? actual[i] : `/${want.source}/`));
    expect(actual.join('\n')).toBe(shown.join('\n'));
  }
}

/** Escapes text for use inside a RegExp. */
export function re(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A URL like `url` with another user and password. */
export function urlAs(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The URL with its password masked as the CLI prints it. */
export function masked(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `probe` returns a value that is not undefined. */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface Snapshot {
  /** Ends the transaction: the builds waiting for it go on. */
  release(): Promise<void>;
}

/**
 * An open REPEATABLE READ transaction that has taken its snapshot: every CREATE INDEX CONCURRENTLY
 * in the database stops in "waiting for old snapshots" until it ends.
 */
export async function holdOldSnapshot(db: TestDatabase): Promise<Snapshot> {
  const client = await db.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await client.query('SELECT count(*) FROM pg_class');
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('ROLLBACK');
    },
  };
}

export interface BuildRow {
  readonly pid: number;
  readonly phase: string;
  readonly index: string;
  readonly applicationName: string;
}

/** Index builds running now (each read in its own autocommit statement: a snapshot would freeze the view). */
export async function runningBuilds(db: TestDatabase): Promise<BuildRow[]> {
  const { rows } = await db.query<BuildRow>(
    `SELECT p.pid, p.phase, COALESCE(c.relname, '') AS index, COALESCE(a.application_name, '') AS "applicationName"
       FROM pg_stat_progress_create_index p
       LEFT JOIN pg_class c ON c.oid = p.index_relid
       LEFT JOIN pg_stat_activity a ON a.pid = p.pid
      WHERE p.datname = current_database()`,
  );
  return rows;
}

/** Waits until a build of `index` shows in pg_stat_progress_create_index in the given phase. */
export function waitForBuild(db: TestDatabase, index: string, phase = 'waiting for old snapshots', timeoutMs = 30_000): Promise<BuildRow> {
  return until(
    async () => (await runningBuilds(db)).find((row) => row.index === index && row.phase === phase),
    `a build of ${index} in "${phase}"`,
    timeoutMs,
  );
}

export interface IndexState {
  readonly name: string;
  readonly valid: boolean;
  readonly ready: boolean;
}

/** Every index of the given tables (public schema), by name. */
export async function indexesOf(db: TestDatabase, tables: readonly string[]): Promise<IndexState[]> {
  const { rows } = await db.query<IndexState>(
    `SELECT c.relname AS name, i.indisvalid AS valid, i.indisready AS ready
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND t.relname = ANY($1::text[])
      ORDER BY 1`,
    [tables],
  );
  return rows;
}

/** Invalid or not-ready indexes anywhere in the database. */
export async function invalidIndexes(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid OR NOT i.indisready ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/** Sessions with application_name reconcile in the test database, after they had a moment to go. */
export async function reconcileBackends(db: TestDatabase, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'reconcile'`,
    );
    const n = rows[0]!.n;
    if (n === 0 || Date.now() > deadline) return n;
    await sleep(50);
  }
}
