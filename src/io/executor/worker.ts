/*
 * A worker's connection: opened on first use, dropped when it dies (the next statement reconnects),
 * step statements sent with the step's settings, cancelled on abort, and sleeps an abort cuts short.
 */
import type { Step } from '../../core/actions.js';
import { DatabaseRefused } from '../../core/errors.js';
import type { Settings } from '../../core/model.js';
import { connect, type Session } from '../db.js';
import type { RunContext, Worker } from './context.js';

const RECANCEL_INTERVAL_MS = 1_000;

function int(value: number): number {
  return Math.max(0, Math.floor(value));
}

/** SET statements for one step, sent before it (never in the same query string as CONCURRENTLY). */
export function settingsSql(settings: Settings, lockTimeoutMs: number): string {
  const parts = [`SET lock_timeout = ${int(lockTimeoutMs)}`, `SET statement_timeout = ${int(settings.statementTimeoutMs)}`];
  if (settings.maintenanceWorkMemBytes !== undefined) {
    // The server's minimum is 1 MB; it takes kB.
    parts.push(`SET maintenance_work_mem = '${Math.max(1024, Math.floor(settings.maintenanceWorkMemBytes / 1024))}kB'`);
  }
  if (settings.maxParallelMaintenanceWorkers !== undefined) {
    parts.push(`SET max_parallel_maintenance_workers = ${int(settings.maxParallelMaintenanceWorkers)}`);
  }
  return parts.join('; ');
}

/** Builds (and concurrent reindexes) wait for old snapshots under lock_timeout too: they get their own, usually none. */
export function lockTimeoutFor(step: Step, settings: Settings): number {
  return step.kind === 'build' || step.kind === 'reindex' ? settings.buildLockTimeoutMs : settings.lockTimeoutMs;
}

/** The worker's connection, opened on first use. */
export async function session(run: RunContext, worker: Worker): Promise<Session> {
  if (!worker.session) {
    const searchPath = run.options.searchPath;
    worker.session = await connect(run.target, { applicationName: run.applicationName, ...(searchPath === undefined ? {} : { searchPath }) });
    run.ourPids.add(worker.session.pid);
    worker.session.onError(() => undefined);
  }
  return worker.session;
}

/** Drops a dead session so that the next statement reconnects. */
export async function forget(run: RunContext, worker: Worker): Promise<void> {
  const dead = worker.session;
  worker.session = undefined;
  if (dead) {
    run.monitor?.untrack(dead.pid);
    await dead.end();
  }
}

/** Ends the worker's connection when it has no more work. */
export async function retire(worker: Worker): Promise<void> {
  await worker.session?.end();
  worker.session = undefined;
}

/** Runs one step statement (several in one transaction for a swap) with the step's settings. */
export async function runStatements(run: RunContext, worker: Worker, step: Step): Promise<void> {
  const s = await session(run, worker);
  await s.query(settingsSql(run.settings, lockTimeoutFor(step, run.settings)));
  worker.running = { session: s };
  try {
    if (run.aborted) throw new DatabaseRefused('canceling statement due to user request', '57014');
    if (step.kind === 'swap') {
      await s.query('BEGIN');
      try {
        for (const sql of step.sql) await s.query(sql);
        await s.query('COMMIT');
      } catch (error) {
        await s.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } else {
      for (const sql of step.sql) await s.query(sql);
    }
  } finally {
    worker.running = undefined;
  }
}

/** Cancels the step statement the worker is running, if any. */
export function cancelRunning(worker: Worker): void {
  const statement = worker.running;
  if (!statement) return;
  const again = (): void => {
    // A cancel that reaches the server before the statement does is lost: ask again while it runs.
    if (worker.running !== statement) return;
    statement.session.cancel().catch(() => undefined);
    setTimeout(again, RECANCEL_INTERVAL_MS).unref();
  };
  again();
}

/** Waits `ms`, or less if the run is aborted meanwhile (abort wakes every worker). */
export function sleep(ms: number, worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      worker.wake = undefined;
      resolve();
    }
    worker.wake = done;
  });
}
