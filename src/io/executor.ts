/*
 * The executor: runs a plan's actions online and tells the world what happens through ApplyEvents.
 *
 * Actions are grouped into one queue per table (a table's actions run in plan order on one worker:
 * two concurrent builds on one table deadlock); a pool of `concurrency` workers, each with a connection
 * of its own, takes the heaviest tables first.
 *
 * It never throws halfway: every action ends with a status and exactly one of action-done,
 * action-failed or action-cancelled (skip actions end with neither: nothing runs for them).
 * A failed or cancelled action drops the invalid indexes it created, never an index that existed
 * before it ran; what it could not drop is reported as left behind (the next plan drops it).
 * A failed action fails only itself: the table's later actions still run, except one that needs what
 * the failed one was to do (core/dependencies.ts), which is reported as not run.
 */
import { assertNever, type Action, type Step, type TableRef } from '../core/actions.js';
import { dependencies } from '../core/dependencies.js';
import { DatabaseRefused, UserError } from '../core/errors.js';
import type { ApplyEvent, ApplyListener, Blocker, ErrorInfo, PlannedAction } from '../core/events.js';
import type { Settings } from '../core/model.js';
import { describeAction } from '../core/plan.js';
import { isFinalWait, isSafeBuild } from '../core/progress.js';
import { backoffDelay, DEFAULT_BACKOFF, givingUp, isConnectionLoss, isRetryable, type BackoffOptions } from '../core/retry.js';
import { dropIndexSql, isTemporaryName, temporaryName } from '../core/sql.js';
import { APPLICATION_NAME, connect, type ConnectionTarget, type Session } from './db.js';
import { readLockHolders, startMonitor, type Monitor } from './monitor.js';

export type ActionStatus = 'done' | 'failed' | 'skipped' | 'cancelled';

export interface ApplyResult {
  /** One per action, in plan order. */
  readonly statuses: readonly ActionStatus[];
  readonly failed: number;
  /** The signal was aborted: what had not finished was cancelled. */
  readonly interrupted: boolean;
  readonly durationMs: number;
}

export interface ExecuteOptions {
  readonly listener: ApplyListener;
  /** Aborted on Ctrl-C / SIGTERM: nothing new starts, running statements are cancelled and cleaned up. */
  readonly signal?: AbortSignal;
  /** Poll progress and lock waits on a connection of its own; default true. */
  readonly monitor?: boolean;
  /** Default 500 ms. */
  readonly pollIntervalMs?: number;
  /**
   * The search_path the plan resolved the manifest's names through (pg_catalog first): builds run the
   * statements the canonicaliser built, under the same path, so they build what was compared.
   */
  readonly searchPath?: readonly string[];
  /** Retry delays; default 1 s doubling up to 30 s. */
  readonly backoff?: Partial<BackoffOptions>;
  /** lock_timeout of the drops that clean up after a failure; default lockTimeoutMs, or 5 s when that is 0. */
  readonly cleanupLockTimeoutMs?: number;
  /** Default `reconcile`. */
  readonly applicationName?: string;
  /**
   * Hold an expression or partial build (which every other build finishing while it runs must wait for)
   * until the builds running on other workers have reached their final wait, or are such builds that
   * started about together with it; default true. Needs the monitor (it reads their phases).
   */
  readonly staggerBuilds?: boolean;
  /** Longest an expression or partial build is held back for others; default 60 s. */
  readonly staggerMaxMs?: number;
}

interface Queued {
  readonly id: number;
  readonly action: Action;
}

interface TableQueue {
  readonly table: TableRef;
  readonly items: Queued[];
  readonly bytes: number;
}

/** What a table's queue knows about its own run so far. */
interface QueueState {
  /** A build step of one of its actions finished. */
  built: boolean;
}

interface Statement {
  readonly session: Session;
}

interface Worker {
  session?: Session;
  /** The build statement running now, for staggering. */
  build?: { readonly actionId: number; readonly safe: boolean; readonly sql: string; readonly pid: number; readonly table: TableRef };
  /** The step statement running now (cancelled on abort); cleanup statements are never set here. */
  running?: Statement;
  /** Wakes a worker sleeping before a retry. */
  wake?: () => void;
}

/** An index a step set out to create, and what was under its name before (never to be dropped). */
interface Creation {
  readonly ref: TableRef;
  readonly preexistingOid: string | undefined;
}

interface IndexState {
  readonly oid: string;
  readonly valid: boolean;
  /** A partitioned index (ON ONLY a partitioned table), which cannot be dropped concurrently. */
  readonly partitioned: boolean;
}

type StepOutcome = { readonly kind: 'ok' } | { readonly kind: 'cancelled' } | { readonly kind: 'failed'; readonly error: ErrorInfo };

const CLEANUP_FALLBACK_LOCK_TIMEOUT_MS = 5_000;
const STAGGER_POLL_MS = 100;
/** An unsafe build this far along no longer counts as started "together" with a new one. */
const TOGETHER_FRACTION = 0.3;
const RECANCEL_INTERVAL_MS = 1_000;
const ORPHAN_POLL_MS = 500;

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof DatabaseRefused) {
    return {
      message: error.message,
      ...(error.code === undefined ? {} : { code: error.code }),
      ...(error.detail === undefined ? {} : { detail: error.detail }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    };
  }
  if (error instanceof UserError) return { message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}

function qualified(ref: TableRef): string {
  return `${ref.schema}.${ref.name}`;
}

function planned(id: number, action: Action): PlannedAction {
  const tableBytes = 'cost' in action ? action.cost.tableBytes : undefined;
  return {
    id,
    kind: action.kind,
    table: action.table,
    index: action.index,
    reason: action.reason,
    stepCount: action.steps.length,
    ...(tableBytes === undefined ? {} : { tableBytes }),
  };
}

function costOf(action: Action): number {
  switch (action.kind) {
    case 'create':
    case 'replace':
    case 'rebuild':
      return action.cost.tableBytes;
    case 'rename':
    case 'drop':
    case 'comment':
    case 'skip':
      return 0;
    default:
      return assertNever(action, 'action');
  }
}

/** One queue per table in plan order, heaviest table first (ties keep plan order). */
export function tableQueues(actions: readonly Action[]): TableQueue[] {
  const queues = new Map<string, { table: TableRef; items: Queued[]; bytes: number; first: number }>();
  actions.forEach((action, id) => {
    if (action.kind === 'skip') return;
    const key = JSON.stringify([action.table.schema, action.table.name]);
    let queue = queues.get(key);
    if (!queue) {
      queue = { table: action.table, items: [], bytes: 0, first: id };
      queues.set(key, queue);
    }
    queue.items.push({ id, action });
    queue.bytes = Math.max(queue.bytes, costOf(action));
  });
  return [...queues.values()]
    .sort((a, b) => b.bytes - a.bytes || a.first - b.first)
    .map(({ table, items, bytes }) => ({ table, items, bytes }));
}

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

/** Builds wait for old snapshots under lock_timeout too: they get their own, usually none. */
export function lockTimeoutFor(step: Step, settings: Settings): number {
  return step.kind === 'build' ? settings.buildLockTimeoutMs : settings.lockTimeoutMs;
}

async function readIndex(session: Session, ref: TableRef): Promise<IndexState | undefined> {
  const { rows } = await session.query<{ oid: string; valid: boolean; partitioned: boolean }>(
    `SELECT c.oid::text AS oid, i.indisvalid AS valid, c.relkind = 'I' AS partitioned
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid
      WHERE n.nspname = $1 AND c.relname = $2`,
    [ref.schema, ref.name],
  );
  const row = rows[0];
  return row ? { oid: row.oid, valid: row.valid, partitioned: row.partitioned } : undefined;
}

function sleep(ms: number, worker: Worker): Promise<void> {
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

export async function executePlan(
  target: ConnectionTarget,
  actions: readonly Action[],
  settings: Settings,
  options: ExecuteOptions,
): Promise<ApplyResult> {
  const startedAt = Date.now();
  const applicationName = options.applicationName ?? APPLICATION_NAME;
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const cleanupLockTimeoutMs =
    options.cleanupLockTimeoutMs ?? (settings.lockTimeoutMs > 0 ? settings.lockTimeoutMs : CLEANUP_FALLBACK_LOCK_TIMEOUT_MS);
  const statuses: (ActionStatus | undefined)[] = actions.map((action) => (action.kind === 'skip' ? 'skipped' : undefined));
  const lastWait = new Map<number, { what: string; blockers: readonly Blocker[] }>();
  /** Latest phase and fraction of each running build, from the monitor. */
  const buildProgress = new Map<number, { phase: string; fraction?: number }>();
  let serverVersionNum: number | undefined;
  const workers: Worker[] = [];
  const ourPids = new Set<number>();
  let aborted = options.signal?.aborted ?? false;
  let interrupted = aborted;

  const emit = (event: ApplyEvent): void => {
    if (event.type === 'waiting') lastWait.set(event.actionId, { what: event.what, blockers: event.blockers });
    if (event.type === 'progress') {
      buildProgress.set(event.actionId, { phase: event.phase, ...(event.fraction === undefined ? {} : { fraction: event.fraction }) });
    }
    try {
      options.listener(event);
    } catch {
      // A renderer's bug must not stop an apply halfway.
    }
  };

  emit({ type: 'planned', at: Date.now(), actions: actions.map((action, id) => planned(id, action)), concurrency: settings.concurrency });

  const queues = tableQueues(actions);

  const cancelRunning = (worker: Worker): void => {
    const statement = worker.running;
    if (!statement) return;
    const again = (): void => {
      // A cancel that reaches the server before the statement does is lost: ask again while it runs.
      if (worker.running !== statement) return;
      statement.session.cancel().catch(() => undefined);
      setTimeout(again, RECANCEL_INTERVAL_MS).unref();
    };
    again();
  };

  const onAbort = (): void => {
    aborted = true;
    interrupted = true;
    for (const worker of workers) {
      cancelRunning(worker);
      worker.wake?.();
    }
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let monitor: Monitor | undefined;
  if (options.monitor !== false && queues.length > 0 && !aborted) {
    monitor = await startMonitor(target, {
      listener: emit,
      ...(options.pollIntervalMs === undefined ? {} : { intervalMs: options.pollIntervalMs }),
      applicationName,
    }).catch(() => undefined);
  }

  const session = async (worker: Worker): Promise<Session> => {
    if (!worker.session) {
      worker.session = await connect(target, { applicationName, ...(options.searchPath === undefined ? {} : { searchPath: options.searchPath }) });
      ourPids.add(worker.session.pid);
      worker.session.onError(() => undefined);
    }
    return worker.session;
  };

  /** Drops a dead session so that the next statement reconnects. */
  const forget = async (worker: Worker): Promise<void> => {
    const dead = worker.session;
    worker.session = undefined;
    if (dead) {
      monitor?.untrack(dead.pid);
      await dead.end();
    }
  };

  /** Runs one step statement (several in one transaction for a swap) with the step's settings. */
  const runStatements = async (worker: Worker, step: Step): Promise<void> => {
    const s = await session(worker);
    await s.query(settingsSql(settings, lockTimeoutFor(step, settings)));
    const statement: Statement = { session: s };
    worker.running = statement;
    try {
      if (aborted) throw new DatabaseRefused('canceling statement due to user request', '57014');
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
  };

  /**
   * Drops what `creations` left: invalid indexes, and valid ones under our temporary names, but only
   * when the name still holds the index this action made (never what was there before it ran).
   */
  const cleanUp = async (worker: Worker, creations: readonly Creation[]): Promise<{ cleanedUp: string[]; leftBehind: string[] }> => {
    const cleanedUp: string[] = [];
    const leftBehind: string[] = [];
    const seen = new Set<string>();
    for (const creation of [...creations].reverse()) {
      const name = qualified(creation.ref);
      if (seen.has(name)) continue;
      seen.add(name);
      let dropped = false;
      for (let attempt = 0; attempt < 2 && !dropped; attempt += 1) {
        try {
          const s = await session(worker);
          const state = await readIndex(s, creation.ref);
          if (!state || state.oid === creation.preexistingOid) break;
          if (state.valid && !isTemporaryName(creation.ref.name)) break;
          await s.query(settingsSql({ ...settings, statementTimeoutMs: 0 }, cleanupLockTimeoutMs));
          // A partitioned index takes its attached partition indexes with it; it cannot go concurrently.
          await s.query(dropIndexSql(creation.ref.schema, creation.ref.name, { concurrently: !state.partitioned }));
          cleanedUp.push(name);
          dropped = true;
        } catch (error) {
          const info = errorInfo(error);
          if (isConnectionLoss(info)) await forget(worker);
          // A late cancel meant for the step may hit the drop: one more try; anything else is final.
          if (info.code !== '57014' && !isConnectionLoss(info)) break;
        }
      }
      if (!dropped) {
        const s = await session(worker).catch(() => undefined);
        const state = s ? await readIndex(s, creation.ref).catch(() => undefined) : undefined;
        const stillOurs = state !== undefined && state.oid !== creation.preexistingOid && (!state.valid || isTemporaryName(creation.ref.name));
        if (stillOurs || !s) leftBehind.push(name);
      }
    }
    return { cleanedUp, leftBehind };
  };

  /** After a lost connection: wait for a build its backend may still be running, then read the index. */
  const awaitOrphanBuild = async (worker: Worker, creation: Creation): Promise<IndexState | undefined> => {
    const s = await session(worker);
    for (;;) {
      const state = await readIndex(s, creation.ref);
      if (!state || state.oid === creation.preexistingOid || state.valid) return state;
      const { rows } = await s.query<{ pid: number }>('SELECT pid FROM pg_stat_progress_create_index WHERE index_relid = $1::oid', [state.oid]);
      const builder = rows[0];
      if (!builder) return state;
      if (aborted) {
        await s.query('SELECT pg_cancel_backend($1)', [builder.pid]).catch(() => undefined);
        return state;
      }
      await sleep(ORPHAN_POLL_MS, worker);
    }
  };

  /** Other workers' builds that a build which holds everybody up would delay if it started now. */
  const inTheWay = (worker: Worker): NonNullable<Worker['build']>[] =>
    workers.flatMap((other) => {
      const build = other.build;
      if (other === worker || !build) return [];
      const progress = buildProgress.get(build.actionId);
      if (progress && isFinalWait(progress.phase)) return [];
      // Two such builds started together finish together: neither waits long for the other.
      if (!build.safe && (progress?.fraction ?? 0) < TOGETHER_FRACTION) return [];
      return [build];
    });

  /** Holds an expression or partial build until it would not make other builds wait (bounded). */
  const stagger = async (worker: Worker, item: Queued, step: Step): Promise<void> => {
    if (options.staggerBuilds === false || !monitor || workers.length < 2 || step.kind !== 'build') return;
    const s = await session(worker);
    serverVersionNum ??= Number((await s.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]?.v ?? 0);
    if (isSafeBuild(step, serverVersionNum ?? 0)) return;
    const until = Date.now() + (options.staggerMaxMs ?? 60_000);
    let said = '';
    while (!aborted && Date.now() < until) {
      const blocking = inTheWay(worker);
      if (blocking.length === 0) return;
      const key = blocking.map((b) => b.pid).join(',');
      if (key !== said) {
        said = key;
        const tables = [...new Set(blocking.map((b) => qualified(b.table)))].join(', ');
        emit({
          type: 'waiting',
          at: Date.now(),
          actionId: item.id,
          what: `builds on ${tables} to reach their last wait (an expression or partial index build started now would hold them up until it ends)`,
          blockers: blocking.map((b) => ({ pid: b.pid, applicationName: applicationName, state: 'active', query: b.sql })),
        });
      }
      await sleep(STAGGER_POLL_MS, worker);
    }
  };

  const runStep = async (worker: Worker, item: Queued, step: Step, creations: Creation[]): Promise<StepOutcome> => {
    let creation: Creation | undefined;
    if (step.creates) {
      const existing = await readIndex(await session(worker), step.creates);
      creation = { ref: step.creates, preexistingOid: existing?.oid };
      creations.push(creation);
    }
    const lockTimeoutMs = lockTimeoutFor(step, settings);
    for (let attempt = 0; ; attempt += 1) {
      if (aborted) return { kind: 'cancelled' };
      try {
        await stagger(worker, item, step);
        if (aborted) return { kind: 'cancelled' };
        const s = await session(worker);
        monitor?.track(s.pid, { actionId: item.id, kind: step.kind, table: item.action.table, ...(step.partition ? { partition: step.partition } : {}) });
        if (step.kind === 'build') {
          buildProgress.delete(item.id);
          worker.build = {
            actionId: item.id,
            safe: isSafeBuild(step, serverVersionNum ?? 0),
            sql: step.sql.join('; '),
            pid: s.pid,
            table: step.partition ?? item.action.table,
          };
        }
        try {
          await runStatements(worker, step);
        } finally {
          monitor?.untrack(s.pid);
          worker.build = undefined;
        }
        if (creation && step.kind === 'build') {
          const state = await readIndex(s, creation.ref);
          if (!state?.valid) {
            return { kind: 'failed', error: { message: `${qualified(creation.ref)} is not valid after its build finished` } };
          }
        }
        return { kind: 'ok' };
      } catch (error) {
        const info = errorInfo(error);
        if (aborted) return { kind: 'cancelled' };
        if (isConnectionLoss(info)) {
          await forget(worker);
          if (creation && step.kind === 'build') {
            // The backend may have finished the build after the socket died: read before deciding.
            const state = await awaitOrphanBuild(worker, creation).catch(() => undefined);
            if (state?.valid && state.oid !== creation.preexistingOid) return { kind: 'ok' };
          }
          return { kind: 'failed', error: { ...info, message: `connection lost: ${info.message}` } };
        }
        if (!isRetryable(info)) return { kind: 'failed', error: info };
        if (attempt >= settings.retries) {
          let blockers = lastWait.get(item.id)?.blockers ?? [];
          if (blockers.length === 0 && worker.session) {
            blockers = await readLockHolders(worker.session, item.action.table, [...ourPids]).catch(() => []);
          }
          const waitingFor = lastWait.get(item.id)?.what ?? `a lock on ${qualified(item.action.table)}`;
          return { kind: 'failed', error: givingUp(info, { attempts: attempt + 1, lockTimeoutMs, waitingFor, blockers }) };
        }
        if (creation && step.kind === 'build') {
          // A build that died half-way leaves an invalid index under the name the next attempt needs.
          await cleanUp(worker, [creation]);
        }
        const delayMs = backoffDelay(attempt + 1, backoff);
        emit({ type: 'retry', at: Date.now(), actionId: item.id, attempt: attempt + 1, retries: settings.retries, delayMs, error: info });
        await sleep(delayMs, worker);
      }
    }
  };

  /** What a replace leaves when it stops after its swap: the old index parked under a temporary name. */
  const parkedOld = async (worker: Worker, action: Action): Promise<string[]> => {
    if (action.kind !== 'replace') return [];
    const ref = { schema: action.table.schema, name: temporaryName(action.index, 'old') };
    const s = await session(worker).catch(() => undefined);
    const state = s ? await readIndex(s, ref).catch(() => undefined) : undefined;
    return state ? [qualified(ref)] : [];
  };

  /**
   * The table's ANALYZE runs once, with its last expression build (plan.ts): when that action fails
   * before it, an index an earlier action of the table built would go without statistics.
   */
  const analyzeAfterFailure = async (worker: Worker, item: Queued, failedAt: number, table: QueueState): Promise<void> => {
    if (!table.built || aborted) return;
    const steps = item.action.steps;
    const index = steps.findIndex((step, i) => i > failedAt && step.kind === 'analyze');
    const step = steps[index];
    if (!step) return;
    emit({ type: 'step-started', at: Date.now(), actionId: item.id, step: index, kind: step.kind, sql: step.sql.join(';\n') });
    // Best effort: the action already failed, and what it reports is why.
    await runStep(worker, item, step, []).catch(() => undefined);
  };

  const runAction = async (worker: Worker, item: Queued, table: QueueState): Promise<ActionStatus> => {
    const started = Date.now();
    let s: Session;
    try {
      s = await session(worker);
    } catch (error) {
      emit({ type: 'action-failed', at: Date.now(), actionId: item.id, durationMs: 0, error: errorInfo(error), cleanedUp: [], leftBehind: [] });
      return 'failed';
    }
    emit({ type: 'action-started', at: started, actionId: item.id, pid: s.pid });
    const creations: Creation[] = [];
    const steps = item.action.steps;
    for (let index = 0; index < steps.length; index += 1) {
      const step = steps[index]!;
      let outcome: StepOutcome;
      if (aborted) {
        outcome = { kind: 'cancelled' };
      } else {
        emit({
          type: 'step-started',
          at: Date.now(),
          actionId: item.id,
          step: index,
          kind: step.kind,
          sql: step.sql.join(';\n'),
          ...(step.partition ? { partition: step.partition } : {}),
        });
        outcome = await runStep(worker, item, step, creations).catch((error: unknown) => ({ kind: 'failed' as const, error: errorInfo(error) }));
      }
      if (outcome.kind === 'ok') {
        if (step.kind === 'build') table.built = true;
        continue;
      }
      const { cleanedUp, leftBehind } = await cleanUp(worker, creations);
      leftBehind.push(...(await parkedOld(worker, item.action)));
      if (outcome.kind === 'cancelled') {
        emit({ type: 'action-cancelled', at: Date.now(), actionId: item.id, cleanedUp, leftBehind });
        return 'cancelled';
      }
      await analyzeAfterFailure(worker, item, index, table);
      emit({ type: 'action-failed', at: Date.now(), actionId: item.id, durationMs: Date.now() - started, error: outcome.error, cleanedUp, leftBehind });
      return 'failed';
    }
    emit({ type: 'action-done', at: Date.now(), actionId: item.id, durationMs: Date.now() - started });
    return 'done';
  };

  /**
   * Why `item` cannot run after the table's earlier actions that did not finish (failed, or not run
   * themselves), or undefined when it can. The catalog has the last word: a need the failed action met
   * after all (a drop that finished on the server though its connection died) holds nothing back.
   */
  const heldBack = async (worker: Worker, item: Queued, unfinished: readonly Queued[]): Promise<string | undefined> => {
    for (const earlier of unfinished) {
      for (const dependency of dependencies(item.action, earlier.action)) {
        let state: IndexState | undefined;
        try {
          state = await readIndex(await session(worker), dependency.index);
        } catch {
          // Unsure: let the action run and succeed or fail on its own.
          return undefined;
        }
        const name = qualified(dependency.index);
        const cause = `${describeAction(earlier.action)} on ${qualified(earlier.action.table)} failed before it`;
        if (dependency.need === 'free' && state) return `not run: ${name} still exists, and it needs that name: ${cause}`;
        if (dependency.need === 'exists' && !state) return `not run: ${name} does not exist, and it needs that index: ${cause}`;
      }
    }
    return undefined;
  };

  const runQueue = async (worker: Worker, queue: TableQueue): Promise<void> => {
    const table: QueueState = { built: false };
    // A failed action fails only itself; these are what later actions of the table may have needed.
    const unfinished: Queued[] = [];
    for (const item of queue.items) {
      if (aborted) {
        statuses[item.id] = 'cancelled';
        emit({ type: 'action-cancelled', at: Date.now(), actionId: item.id, cleanedUp: [], leftBehind: [] });
        continue;
      }
      const reason = unfinished.length === 0 ? undefined : await heldBack(worker, item, unfinished);
      if (reason !== undefined) {
        statuses[item.id] = 'failed';
        unfinished.push(item);
        emit({ type: 'action-failed', at: Date.now(), actionId: item.id, durationMs: 0, error: { message: reason }, cleanedUp: [], leftBehind: [] });
        continue;
      }
      const status = await runAction(worker, item, table);
      statuses[item.id] = status;
      if (status === 'failed') unfinished.push(item);
    }
  };

  let next = 0;
  const work = async (worker: Worker): Promise<void> => {
    try {
      while (!aborted && next < queues.length) {
        const queue = queues[next]!;
        next += 1;
        await runQueue(worker, queue);
      }
    } finally {
      await worker.session?.end();
      worker.session = undefined;
    }
  };

  const poolSize = Math.max(1, Math.min(settings.concurrency, queues.length));
  for (let i = 0; i < poolSize; i += 1) workers.push({});
  await Promise.all(workers.map((worker) => work(worker)));
  await monitor?.stop();
  options.signal?.removeEventListener('abort', onAbort);

  // Queues no worker reached (the run was interrupted first).
  for (const queue of queues.slice(next)) {
    for (const item of queue.items) {
      statuses[item.id] = 'cancelled';
      emit({ type: 'action-cancelled', at: Date.now(), actionId: item.id, cleanedUp: [], leftBehind: [] });
    }
  }

  const final = statuses.map((status) => status ?? 'cancelled');
  const count = (wanted: ActionStatus): number => final.filter((status) => status === wanted).length;
  const durationMs = Date.now() - startedAt;
  emit({
    type: 'summary',
    at: Date.now(),
    done: count('done'),
    failed: count('failed'),
    skipped: count('skipped'),
    cancelled: count('cancelled'),
    durationMs,
    interrupted,
  });
  return { statuses: final, failed: count('failed'), interrupted, durationMs };
}
