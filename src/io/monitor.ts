/*
 * The progress monitor: one connection of its own that asks, about twice a second and in ONE
 * statement, what every worker backend is doing (pg_stat_progress_create_index), whether it waits
 * on a lock and who is in its way (pg_blocking_pids, the build's current_locker_pid), and turns the
 * answers into 'progress' and 'waiting' events, only when something changed.
 *
 * Every poll is a single autocommit statement: a poller inside a transaction would hold a snapshot,
 * and every concurrent build would then wait for the poller in "waiting for old snapshots".
 */
import type { StepKind, TableRef } from '../core/actions.js';
import type { ApplyListener, Blocker } from '../core/events.js';
import { buildFraction, describeWait, estimateEtaMs, isWaitPhase, phaseCounters, type FractionSample, type ProgressRow } from '../core/progress.js';
import { APPLICATION_NAME, connect, type ConnectionTarget, type Session } from './db.js';
import { qualifiedName as qualified } from '../core/text.js';

/** What a worker backend is running, as the monitor needs to know it. */
export interface TrackedStep {
  readonly actionId: number;
  readonly kind: StepKind;
  readonly table: TableRef;
  readonly partition?: TableRef;
}

export interface Monitor {
  /** Start watching a worker backend for the step it runs now (replaces what it watched before). */
  track(pid: number, step: TrackedStep): void;
  untrack(pid: number): void;
  /** Stops polling and closes the monitor's connection. */
  stop(): Promise<void>;
}

export interface MonitorOptions {
  readonly listener: ApplyListener;
  /** Default 500 ms. */
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** Shown in pg_stat_activity; default `reconcile`. */
  readonly applicationName?: string;
}

/** One worker backend as one poll saw it. */
export interface ActivitySample {
  readonly pid: number;
  readonly waitEventType: string | null;
  readonly waitEvent: string | null;
  /** Present while the backend runs CREATE INDEX. */
  readonly progress?: ProgressRow;
  /** The lock the backend asked for and has not got, when it waits on one. */
  readonly lock?: { readonly type: string; readonly relation: string | null; readonly mode: string | null };
  /** pg_blocking_pids() plus the build's current locker, with what they are doing. */
  readonly blockers: readonly Blocker[];
}

interface ActivityRow {
  pid: number;
  wait_event_type: string | null;
  wait_event: string | null;
  phase: string | null;
  blocks_total: string | null;
  blocks_done: string | null;
  tuples_total: string | null;
  tuples_done: string | null;
  lockers_total: string | null;
  lockers_done: string | null;
  current_locker_pid: string | number | null;
  partitions_total: string | null;
  partitions_done: string | null;
  lock_type: string | null;
  lock_relation: string | null;
  lock_mode: string | null;
  blockers: BlockerJson[] | null;
}

interface BlockerJson {
  pid: number;
  applicationName: string | null;
  state: string | null;
  query: string | null;
  transactionSeconds: number | null;
}

/*
 * The poller's own backend is left out of the blockers: a build in its last wait may be waiting for
 * this statement's snapshot for the few milliseconds it runs.
 *
 * pg_blocking_pids() and pg_locks take the lock manager's partition locks: only asked for a backend
 * that waits on a lock right now (the lateral subquery's one-time filter skips them otherwise).
 */
const ACTIVITY_SQL = `
SELECT a.pid, a.wait_event_type, a.wait_event,
       p.phase, p.blocks_total, p.blocks_done, p.tuples_total, p.tuples_done,
       p.lockers_total, p.lockers_done, p.current_locker_pid, p.partitions_total, p.partitions_done,
       w.lock_type, w.lock_relation, w.lock_mode,
       (SELECT json_agg(json_build_object(
                 'pid', b.pid,
                 'applicationName', nullif(b.application_name, ''),
                 'state', b.state,
                 'query', left(b.query, 500),
                 'transactionSeconds', extract(epoch FROM clock_timestamp() - b.xact_start)::float8)
               ORDER BY b.pid)
          FROM pg_stat_activity b
         WHERE (b.pid = ANY (w.blocking) OR b.pid = nullif(p.current_locker_pid, 0))
           AND b.pid <> pg_backend_pid()) AS blockers
  FROM pg_stat_activity a
  LEFT JOIN pg_stat_progress_create_index p ON p.pid = a.pid
  LEFT JOIN LATERAL (
        SELECT pg_blocking_pids(a.pid) AS blocking,
               l.locktype AS lock_type, l.relation::regclass::text AS lock_relation, l.mode AS lock_mode
          FROM (SELECT 1) AS one
          LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
         WHERE a.wait_event_type = 'Lock'
         LIMIT 1) w ON true
 WHERE a.pid = ANY ($1::int[])`;

function num(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

function toBlocker(json: BlockerJson): Blocker {
  return {
    pid: json.pid,
    ...(json.applicationName ? { applicationName: json.applicationName } : {}),
    ...(json.state ? { state: json.state } : {}),
    ...(json.query ? { query: json.query } : {}),
    ...(json.transactionSeconds === null || json.transactionSeconds === undefined
      ? {}
      : { transactionSeconds: Math.round(json.transactionSeconds * 10) / 10 }),
  };
}

function toSample(row: ActivityRow): ActivitySample {
  return {
    pid: row.pid,
    waitEventType: row.wait_event_type,
    waitEvent: row.wait_event,
    ...(row.phase === null
      ? {}
      : {
          progress: {
            phase: row.phase,
            blocksTotal: num(row.blocks_total),
            blocksDone: num(row.blocks_done),
            tuplesTotal: num(row.tuples_total),
            tuplesDone: num(row.tuples_done),
            lockersTotal: num(row.lockers_total),
            lockersDone: num(row.lockers_done),
            currentLockerPid: num(row.current_locker_pid),
            partitionsTotal: num(row.partitions_total),
            partitionsDone: num(row.partitions_done),
          },
        }),
    ...(row.lock_type === null ? {} : { lock: { type: row.lock_type, relation: row.lock_relation, mode: row.lock_mode } }),
    blockers: (row.blockers ?? []).map(toBlocker),
  };
}

/** What the given backends are doing, in one statement. */
export async function readActivity(session: Session, pids: readonly number[]): Promise<ActivitySample[]> {
  if (pids.length === 0) return [];
  const { rows } = await session.query<ActivityRow>(ACTIVITY_SQL, [pids]);
  return rows.map(toSample);
}

interface HolderRow {
  pid: number;
  application_name: string | null;
  state: string | null;
  query: string | null;
  xact_seconds: number | null;
}

/**
 * Sessions other than `excludePids` holding locks on a table or its indexes, strongest first: who was
 * probably in the way when a lock timeout struck faster than the monitor could see the wait.
 */
export async function readLockHolders(session: Session, table: TableRef, excludePids: readonly number[]): Promise<Blocker[]> {
  const { rows } = await session.query<HolderRow>(
    `WITH target AS (SELECT to_regclass(quote_ident($1) || '.' || quote_ident($2)) AS oid),
          held AS (
            SELECT l.pid, max(CASE l.mode WHEN 'AccessExclusiveLock' THEN 8 WHEN 'ExclusiveLock' THEN 7
                                          WHEN 'ShareRowExclusiveLock' THEN 6 WHEN 'ShareLock' THEN 5
                                          WHEN 'ShareUpdateExclusiveLock' THEN 4 WHEN 'RowExclusiveLock' THEN 3
                                          WHEN 'RowShareLock' THEN 2 ELSE 1 END) AS strength
              FROM pg_locks l, target
             WHERE l.granted AND l.locktype = 'relation'
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND (l.relation = target.oid OR l.relation IN (SELECT indexrelid FROM pg_index WHERE indrelid = target.oid))
               AND l.pid <> pg_backend_pid() AND NOT (l.pid = ANY ($3::int[]))
             GROUP BY l.pid)
     SELECT a.pid, nullif(a.application_name, '') AS application_name, a.state, left(a.query, 500) AS query,
            extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS xact_seconds
       FROM held JOIN pg_stat_activity a ON a.pid = held.pid
      ORDER BY held.strength DESC, a.xact_start NULLS LAST
      LIMIT 5`,
    [table.schema, table.name, excludePids],
  );
  return rows.map((row) =>
    toBlocker({
      pid: row.pid,
      applicationName: row.application_name,
      state: row.state,
      query: row.query,
      transactionSeconds: row.xact_seconds,
    }),
  );
}

interface Watch {
  readonly step: TrackedStep;
  first?: FractionSample;
  fraction: number;
  progressKey?: string;
  waitKey?: string;
}



/** Turns one sample into the events it calls for, remembering what was already said. */
function react(watch: Watch, sample: ActivitySample, at: number, listener: ApplyListener): void {
  const { step } = watch;
  const progress = sample.progress;
  if (progress) {
    const raw = buildFraction(progress);
    // A build never goes backwards; a phase we cannot place keeps the last known fraction.
    if (raw !== undefined) watch.fraction = Math.max(watch.fraction, raw);
    const counters = phaseCounters(progress);
    const fraction = raw === undefined && watch.first === undefined ? undefined : Math.round(watch.fraction * 10_000) / 10_000;
    // What the event says, less its time and estimate: equal means nothing new to tell.
    const key = JSON.stringify([progress.phase, fraction, counters]);
    if (key !== watch.progressKey) {
      watch.progressKey = key;
      const sampleNow: FractionSample = { at, fraction: watch.fraction };
      if (watch.first === undefined && raw !== undefined) watch.first = sampleNow;
      const eta = watch.first && !isWaitPhase(progress.phase) ? estimateEtaMs(watch.first, sampleNow) : undefined;
      listener({
        type: 'progress',
        at,
        actionId: step.actionId,
        phase: progress.phase,
        ...(fraction === undefined ? {} : { fraction }),
        ...counters,
        ...(eta === undefined ? {} : { etaMs: eta }),
        ...(step.partition ? { partition: step.partition } : {}),
      });
    }
  }
  const what = describeWait({
    ...(progress ? { phase: progress.phase, currentLockerPid: progress.currentLockerPid } : {}),
    waitEventType: sample.waitEventType,
    waitEvent: sample.waitEvent,
    ...(sample.lock ? { lock: sample.lock } : {}),
    table: qualified(step.partition ?? step.table),
  });
  // A build's last wait also waits for this very poll (its statement holds a snapshot for a few
  // milliseconds): with nobody else in the way, that is not worth telling.
  if (what === undefined || sample.blockers.length === 0) {
    // Not waiting now: a later wait is news again.
    watch.waitKey = undefined;
    return;
  }
  const key = `${what}|${sample.blockers.map((b) => b.pid).join(',')}`;
  if (key === watch.waitKey) return;
  watch.waitKey = key;
  listener({ type: 'waiting', at, actionId: step.actionId, what, blockers: sample.blockers });
}

/**
 * Starts polling. Throws only if its connection cannot be opened; afterwards a failed poll is
 * retried on a new connection at the next tick and never reaches the caller.
 */
export async function startMonitor(target: ConnectionTarget, options: MonitorOptions): Promise<Monitor> {
  const intervalMs = options.intervalMs ?? 500;
  const now = options.now ?? Date.now;
  const applicationName = options.applicationName ?? APPLICATION_NAME;
  let session: Session | undefined = await connect(target, { applicationName });
  const watches = new Map<number, Watch>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const poll = async (): Promise<void> => {
    const polled = new Map(watches);
    try {
      session ??= await connect(target, { applicationName });
      const samples = await readActivity(session, [...polled.keys()]);
      const at = now();
      for (const sample of samples) {
        const watch = polled.get(sample.pid);
        // The worker moved on to another step while we asked: this answer is about the old one.
        if (!watch || watches.get(sample.pid) !== watch || stopped) continue;
        react(watch, sample, at, options.listener);
      }
    } catch {
      const dead = session;
      session = undefined;
      await dead?.end();
    }
  };

  const tick = (): void => {
    if (stopped) return;
    inFlight = (watches.size > 0 ? poll() : Promise.resolve()).finally(() => {
      inFlight = undefined;
      if (!stopped) {
        timer = setTimeout(tick, intervalMs);
        timer.unref();
      }
    });
  };
  timer = setTimeout(tick, intervalMs);
  timer.unref();

  return {
    track(pid, step) {
      watches.set(pid, { step, fraction: 0 });
    },
    untrack(pid) {
      watches.delete(pid);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      await session?.end();
      session = undefined;
    },
  };
}
