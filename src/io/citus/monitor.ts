/*
 * Progress of distributed builds, per worker. A CREATE INDEX CONCURRENTLY on a Citus coordinator shows
 * nothing in the coordinator's pg_stat_progress_create_index: the builds run on the workers, one per
 * shard. This monitor wraps the ordinary one: for a build step on a Citus table it asks each worker, about
 * twice a second and in one autocommit statement, which shard indexes are built and valid and what phase
 * each running shard build is in, and emits 'progress' events with the shards built of total.
 *
 * Workers are reached with the coordinator's credentials, or `settings.citus.workerUrl`. One that cannot
 * be reached is said once ('notice'); the shards built are then counted through the coordinator.
 */
import type { Action, TableRef } from '../../core/actions.js';
import { describeShardProgress, shardProgress, type WorkerSample } from '../../core/citus/progress.js';
import type { ApplyListener, ShardProgress } from '../../core/events.js';
import type { ProgressRow } from '../../core/progress.js';
import { tableKey } from '../../core/model.js';
import { oneLine } from '../../core/text.js';
import { connect, type ConnectionTarget, type Session } from '../db.js';
import type { Monitor, TrackedStep } from '../monitor.js';
import { workerTarget } from './workers.js';

export interface CitusMonitorOptions {
  readonly target: ConnectionTarget;
  readonly actions: readonly Action[];
  readonly listener: ApplyListener;
  readonly applicationName: string;
  readonly workerUrl?: string;
  readonly intervalMs?: number;
}

/** One placement of a Citus table: the worker holding it and the shard's table name there. */
interface Placement {
  readonly shardId: string;
  readonly host: string;
  readonly port: number;
  /** Schema-qualified shard table name, as to_regclass reads it. */
  readonly shardTable: string;
}

interface Tracked {
  readonly step: TrackedStep;
  readonly index: { readonly schema: string; readonly name: string };
  readonly placements: readonly Placement[];
  /** Schema-qualified shard index names by shard id, once the coordinator's index exists. */
  shardIndexes?: ReadonlyMap<string, string>;
  key?: string;
}

const PLACEMENTS_SQL = `
SELECT s.shardid::text AS shard, n.nodename AS host, n.nodeport AS port,
  shard_name(s.logicalrelid, s.shardid, false) AS shard_table
FROM pg_dist_shard s
JOIN pg_dist_placement p ON p.shardid = s.shardid
JOIN pg_dist_node n ON n.groupid = p.groupid AND n.noderole = 'primary'
WHERE s.logicalrelid = to_regclass(format('%I.%I', $1::text, $2::text))
ORDER BY s.shardid, n.nodename, n.nodeport`;

const SHARD_INDEXES_SQL = `
SELECT s.shardid::text AS shard, shard_name(to_regclass(format('%I.%I', $3::text, $4::text)), s.shardid, false) AS name
FROM pg_dist_shard s
WHERE s.logicalrelid = to_regclass(format('%I.%I', $1::text, $2::text))
  AND to_regclass(format('%I.%I', $3::text, $4::text)) IS NOT NULL`;

// pg_index and to_regclass see the shards, which workers hide from plain pg_class queries.
const WORKER_SQL = `
SELECT
  (SELECT count(*) FROM unnest($2::text[]) AS x(name) JOIN pg_index i ON i.indexrelid = to_regclass(x.name) WHERE i.indisvalid)::int AS built,
  (SELECT json_agg(json_build_object('phase', p.phase, 'blocksTotal', p.blocks_total, 'blocksDone', p.blocks_done,
      'tuplesTotal', p.tuples_total, 'tuplesDone', p.tuples_done, 'lockersTotal', p.lockers_total, 'lockersDone', p.lockers_done,
      'currentLockerPid', p.current_locker_pid, 'partitionsTotal', p.partitions_total, 'partitionsDone', p.partitions_done))
    FROM unnest($1::text[]) AS x(name) JOIN pg_stat_progress_create_index p ON p.relid = to_regclass(x.name)) AS running`;

// Through the coordinator, when the workers cannot be reached directly: each placement says whether its
// shard index exists and is valid ('%s' is the shard table; the shard index is found by its name's stem).
const COORDINATOR_SQL = `
SELECT count(*) FILTER (WHERE success AND result = 't')::int AS built, count(*)::int AS total
FROM run_command_on_placements(to_regclass(format('%I.%I', $1::text, $2::text)),
  format('SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ''%%s''::regclass AND i.indisvalid AND c.relname ~ %L)', $3::text))`;

/** The shard index names of `index` (`<index>_<shardid>`), as a regular expression. */
function shardIndexPattern(index: string): string {
  return `^${index.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_[0-9]+$`;
}

interface ProgressJson {
  phase: string;
  blocksTotal: number | null;
  blocksDone: number | null;
  tuplesTotal: number | null;
  tuplesDone: number | null;
  lockersTotal: number | null;
  lockersDone: number | null;
  currentLockerPid: number | null;
  partitionsTotal: number | null;
  partitionsDone: number | null;
}

const n = (value: number | null | undefined): number => Number(value ?? 0) || 0;

/** The index each action builds (its first build step's), by action id. */
function builtIndexes(actions: readonly Action[]): Map<number, { schema: string; name: string }> {
  const built = new Map<number, { schema: string; name: string }>();
  actions.forEach((action, id) => {
    const creates = action.steps.find((step) => step.kind === 'build' && step.partition === undefined)?.creates;
    if (creates) built.set(id, creates);
  });
  return built;
}

export async function startCitusMonitor(base: Monitor | undefined, options: CitusMonitorOptions): Promise<Monitor | undefined> {
  const built = builtIndexes(options.actions);
  if (built.size === 0) return base;
  const coordinator = await connect(options.target, { applicationName: options.applicationName }).catch(() => undefined);
  if (!coordinator) return base;
  const isCitus = await coordinator
    .query<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS ok`)
    .then((r) => r.rows[0]?.ok === true)
    .catch(() => false);
  const tables = new Map<string, Placement[]>();
  if (isCitus) {
    const refs = new Map<string, TableRef>();
    for (const id of built.keys()) refs.set(tableKey(options.actions[id]!.table.schema, options.actions[id]!.table.name), options.actions[id]!.table);
    for (const [key, ref] of refs) {
      const rows = await coordinator
        .query<{ shard: string; host: string; port: number; shard_table: string }>(PLACEMENTS_SQL, [ref.schema, ref.name])
        .then((r) => r.rows)
        .catch(() => []);
      if (rows.length > 0) tables.set(key, rows.map((r) => ({ shardId: r.shard, host: r.host, port: r.port, shardTable: r.shard_table })));
    }
  }
  if (tables.size === 0) {
    await coordinator.end();
    return base;
  }
  return citusMonitor(base, coordinator, tables, built, options);
}

interface WorkerPool {
  /** A session on the worker, or undefined once it proved unreachable (said once, as a notice). */
  get(host: string, port: number): Promise<Session | undefined>;
  end(): Promise<void>;
}

function workerPool(options: CitusMonitorOptions): WorkerPool {
  const workers = new Map<string, Session | 'unreachable'>();
  return {
    async get(host, port) {
      const node = `${host}:${port}`;
      const known = workers.get(node);
      if (known === 'unreachable') return undefined;
      if (known) return known;
      try {
        const session = await connect(workerTarget(options.target, host, port, options.workerUrl), { applicationName: options.applicationName });
        workers.set(node, session);
        return session;
      } catch (error) {
        workers.set(node, 'unreachable');
        const why = oneLine(error instanceof Error ? error.message : String(error));
        options.listener({
          type: 'notice',
          at: Date.now(),
          message: `Citus worker ${node} cannot be reached for progress (${why}); shards built are counted through the coordinator. Set settings.citus.workerUrl to reach the workers.`,
        });
        return undefined;
      }
    },
    async end() {
      for (const session of workers.values()) if (session !== 'unreachable') await session.end();
    },
  };
}

function toProgressRow(r: ProgressJson): ProgressRow {
  return {
    phase: r.phase,
    blocksTotal: n(r.blocksTotal),
    blocksDone: n(r.blocksDone),
    tuplesTotal: n(r.tuplesTotal),
    tuplesDone: n(r.tuplesDone),
    lockersTotal: n(r.lockersTotal),
    lockersDone: n(r.lockersDone),
    currentLockerPid: n(r.currentLockerPid),
    partitionsTotal: n(r.partitionsTotal),
    partitionsDone: n(r.partitionsDone),
  };
}

/** What every worker holding the table says of the build; undefined when one cannot be reached. */
async function sampleWorkers(coordinator: Session, pool: WorkerPool, watch: Tracked): Promise<WorkerSample[] | undefined> {
  if (!watch.shardIndexes) {
    const { table } = watch.step;
    const { rows } = await coordinator.query<{ shard: string; name: string }>(SHARD_INDEXES_SQL, [table.schema, table.name, watch.index.schema, watch.index.name]);
    if (rows.length > 0) watch.shardIndexes = new Map(rows.map((r) => [r.shard, r.name]));
  }
  const byNode = new Map<string, Placement[]>();
  for (const p of watch.placements) byNode.set(`${p.host}:${p.port}`, [...(byNode.get(`${p.host}:${p.port}`) ?? []), p]);
  const samples: WorkerSample[] = [];
  for (const [node, placements] of byNode) {
    const session = await pool.get(placements[0]!.host, placements[0]!.port);
    if (!session) return undefined;
    const indexNames = placements.map((p) => watch.shardIndexes?.get(p.shardId)).filter((x): x is string => x !== undefined);
    const { rows } = await session.query<{ built: number; running: ProgressJson[] | null }>(WORKER_SQL, [placements.map((p) => p.shardTable), indexNames]);
    const row = rows[0]!;
    samples.push({ node, total: placements.length, built: row.built, running: (row.running ?? []).map(toProgressRow) });
  }
  return samples;
}

/** The progress event's body: from the workers, or counted through the coordinator when they cannot be reached. */
async function progressOf(coordinator: Session, pool: WorkerPool, watch: Tracked): Promise<{ phase: string; fraction: number; shards: ShardProgress }> {
  const samples = await sampleWorkers(coordinator, pool, watch);
  if (samples) return shardProgress(samples);
  const { table } = watch.step;
  const { rows } = await coordinator.query<{ built: number; total: number }>(COORDINATOR_SQL, [table.schema, table.name, shardIndexPattern(watch.index.name)]);
  const counts = rows[0] ?? { built: 0, total: watch.placements.length };
  return {
    phase: 'building on the shards',
    fraction: counts.total === 0 ? 0 : Math.round((counts.built / counts.total) * 10_000) / 10_000,
    shards: { built: counts.built, total: counts.total, workers: [] },
  };
}

function citusMonitor(
  base: Monitor | undefined,
  coordinator: Session,
  tables: ReadonlyMap<string, readonly Placement[]>,
  built: ReadonlyMap<number, { schema: string; name: string }>,
  options: CitusMonitorOptions,
): Monitor {
  const tracked = new Map<number, Tracked>();
  const byPid = new Map<number, number>();
  const pool = workerPool(options);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const report = async (actionId: number, watch: Tracked): Promise<void> => {
    const event = await progressOf(coordinator, pool, watch);
    const key = `${event.phase}|${describeShardProgress(event.shards)}`;
    if (key === watch.key || stopped || tracked.get(actionId) !== watch) return;
    watch.key = key;
    options.listener({ type: 'progress', at: Date.now(), actionId, ...event });
  };
  const tick = (): void => {
    if (stopped) return;
    // A poll that fails (a worker restarting, the index dropped meanwhile) is tried again at the next tick.
    const poll = async (): Promise<void> => {
      for (const [actionId, watch] of [...tracked]) await report(actionId, watch).catch(() => undefined);
    };
    inFlight = poll().finally(() => {
      inFlight = undefined;
      if (!stopped) timer = setTimeout(tick, options.intervalMs ?? 500).unref();
    });
  };
  timer = setTimeout(tick, options.intervalMs ?? 500).unref();

  return {
    track(pid, step) {
      base?.track(pid, step);
      const previous = byPid.get(pid);
      if (previous !== undefined) tracked.delete(previous);
      byPid.delete(pid);
      const placements = tables.get(tableKey(step.table.schema, step.table.name));
      const index = built.get(step.actionId);
      if (step.kind !== 'build' || step.partition !== undefined || !placements || !index) return;
      tracked.set(step.actionId, { step, index, placements });
      byPid.set(pid, step.actionId);
    },
    untrack(pid) {
      base?.untrack(pid);
      const actionId = byPid.get(pid);
      if (actionId !== undefined) tracked.delete(actionId);
      byPid.delete(pid);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      await base?.stop();
      await coordinator.end();
      await pool.end();
    },
  };
}
