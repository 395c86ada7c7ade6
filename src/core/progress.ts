/*
 * Turning a row of pg_stat_progress_create_index into what a person wants to know: how far the whole
 * build is, what it is waiting for, and when it will end. Pure.
 *
 * The view's counters are per phase (blocks while scanning, tuples while loading, lockers while
 * waiting) and keep stale values from the previous phase during waits, so each phase names the one
 * counter that means something in it, and its share of the whole build.
 */
import type { Step } from './actions.js';

export interface ProgressRow {
  /** In PostgreSQL's words, e.g. `building index: scanning table`. */
  readonly phase: string;
  readonly blocksTotal: number;
  readonly blocksDone: number;
  readonly tuplesTotal: number;
  readonly tuplesDone: number;
  readonly lockersTotal: number;
  readonly lockersDone: number;
  /** 0 when not waiting for a locker. */
  readonly currentLockerPid: number;
  readonly partitionsTotal: number;
  readonly partitionsDone: number;
}

type Counter = 'blocks' | 'tuples' | 'blocks-or-tuples' | 'lockers' | 'none';

interface PhaseSpan {
  /** Share of the whole build done when the phase starts. */
  readonly start: number;
  /** Share of the whole build the phase accounts for. */
  readonly weight: number;
  readonly counter: Counter;
}

/*
 * Building ≈ 0.68 and validation ≈ 0.24 of a concurrent build's time; the waits are usually short
 * (when they are not, the waiting event says why, and the fraction honestly stands still).
 */
const PHASES: Readonly<Record<string, PhaseSpan>> = {
  initializing: { start: 0, weight: 0, counter: 'none' },
  'waiting for writers before build': { start: 0, weight: 0.02, counter: 'lockers' },
  'building index': { start: 0.02, weight: 0.68, counter: 'blocks-or-tuples' },
  'building index: scanning table': { start: 0.02, weight: 0.45, counter: 'blocks' },
  'building index: sorting live tuples': { start: 0.47, weight: 0.06, counter: 'none' },
  'building index: sorting dead tuples': { start: 0.53, weight: 0.02, counter: 'none' },
  'building index: loading tuples in tree': { start: 0.55, weight: 0.15, counter: 'tuples' },
  'waiting for writers before validation': { start: 0.7, weight: 0.01, counter: 'lockers' },
  'index validation: scanning index': { start: 0.71, weight: 0.08, counter: 'blocks-or-tuples' },
  'index validation: sorting tuples': { start: 0.79, weight: 0.03, counter: 'none' },
  'index validation: scanning table': { start: 0.82, weight: 0.13, counter: 'blocks' },
  'waiting for old snapshots': { start: 0.95, weight: 0.04, counter: 'lockers' },
  'waiting for readers before marking dead': { start: 0.99, weight: 0.005, counter: 'lockers' },
  'waiting for readers before dropping': { start: 0.995, weight: 0.005, counter: 'lockers' },
};

function spanOf(phase: string): PhaseSpan | undefined {
  const exact = PHASES[phase];
  if (exact) return exact;
  // Access methods name their own subphases (`building index: <am's words>`): count them as building.
  if (phase.startsWith('building index')) return PHASES['building index'];
  return undefined;
}

function ratio(done: number, total: number): number | undefined {
  if (!(total > 0)) return undefined;
  return Math.min(1, Math.max(0, done / total));
}

function withinPhase(row: ProgressRow, counter: Counter): number {
  switch (counter) {
    case 'blocks':
      return ratio(row.blocksDone, row.blocksTotal) ?? 0;
    case 'tuples':
      return ratio(row.tuplesDone, row.tuplesTotal) ?? 0;
    case 'blocks-or-tuples':
      return ratio(row.blocksDone, row.blocksTotal) ?? ratio(row.tuplesDone, row.tuplesTotal) ?? 0;
    case 'lockers':
      return ratio(row.lockersDone, row.lockersTotal) ?? 0;
    case 'none':
      return 0;
  }
}

/** 0..1 over the whole build, or undefined for a phase we do not know. */
export function buildFraction(row: ProgressRow): number | undefined {
  const span = spanOf(row.phase);
  if (!span) return undefined;
  const fraction = span.start + span.weight * withinPhase(row, span.counter);
  // A CREATE INDEX over a partitioned table reports partitions done of total.
  if (row.partitionsTotal > 0) return Math.min(1, (row.partitionsDone + fraction) / row.partitionsTotal);
  return Math.min(1, fraction);
}

export function isWaitPhase(phase: string): boolean {
  return phase.startsWith('waiting for');
}

/**
 * The build has taken the snapshot its last wait compares against: transactions that start now no
 * longer hold it up (it waits only for those older than that snapshot).
 */
export function isFinalWait(phase: string): boolean {
  return phase === 'waiting for old snapshots' || phase.startsWith('waiting for readers');
}

/** The counters that belong to the row's phase (stale ones left out), for the progress event. */
export function phaseCounters(row: ProgressRow): { blocksDone?: number; blocksTotal?: number; tuplesDone?: number; tuplesTotal?: number } {
  const counter = spanOf(row.phase)?.counter ?? 'blocks-or-tuples';
  const blocks = row.blocksTotal > 0 ? { blocksDone: row.blocksDone, blocksTotal: row.blocksTotal } : {};
  const tuples = row.tuplesTotal > 0 ? { tuplesDone: row.tuplesDone, tuplesTotal: row.tuplesTotal } : {};
  switch (counter) {
    case 'blocks':
      return blocks;
    case 'tuples':
      return tuples;
    case 'blocks-or-tuples':
      return row.blocksTotal > 0 ? blocks : tuples;
    case 'lockers':
    case 'none':
      return {};
  }
}

export interface WaitInput {
  /** The build phase, when the waiting statement is a concurrent build. */
  readonly phase?: string;
  readonly waitEventType?: string | null;
  readonly waitEvent?: string | null;
  /** The lock the backend asks for and has not got (from pg_locks), when known. */
  readonly lock?: { readonly type: string; readonly relation?: string | null; readonly mode?: string | null };
  /** The build's current locker (pg_stat_progress_create_index.current_locker_pid); 0 or absent when none. */
  readonly currentLockerPid?: number;
  /** The action's table, `schema.name`. */
  readonly table: string;
}

const WAIT_PHASES: Readonly<Record<string, (table: string) => string>> = {
  'waiting for old snapshots': () => 'old snapshots (transactions older than the build)',
  'waiting for writers before build': (table) => `writers on ${table} to finish (before the build)`,
  'waiting for writers before validation': (table) => `writers on ${table} to finish (before validation)`,
  'waiting for readers before marking dead': (table) => `readers of ${table} to finish (before marking the index dead)`,
  'waiting for readers before dropping': (table) => `readers of ${table} to finish (before dropping)`,
};

/**
 * What a backend is waiting for, in words (`lock on public.users (AccessExclusiveLock)`, `old snapshots
 * (transactions older than the build)`), or undefined when it is not waiting on anybody.
 */
export function describeWait(input: WaitInput): string | undefined {
  const onLock = input.waitEventType === 'Lock';
  if (input.phase !== undefined && isWaitPhase(input.phase) && (onLock || (input.currentLockerPid ?? 0) > 0)) {
    return WAIT_PHASES[input.phase]?.(input.table) ?? input.phase;
  }
  if (!onLock) return undefined;
  const lockType = input.lock?.type ?? input.waitEvent ?? 'lock';
  switch (lockType) {
    case 'relation': {
      const mode = input.lock?.mode ? ` (${input.lock.mode})` : '';
      return `lock on ${input.lock?.relation ?? input.table}${mode}`;
    }
    case 'virtualxid':
      // DROP INDEX CONCURRENTLY (and a build between phases) waits for every transaction using the table.
      return `transactions using ${input.table} to finish`;
    case 'transactionid':
      return 'another transaction to finish (row lock)';
    default:
      return `${lockType} lock`;
  }
}

export interface FractionSample {
  readonly at: number;
  readonly fraction: number;
}

/**
 * Time left from the average rate since `first`: undefined until the build has moved at least 2 % over
 * at least 2 seconds (earlier guesses swing wildly).
 */
export function estimateEtaMs(first: FractionSample, latest: FractionSample): number | undefined {
  const progressed = latest.fraction - first.fraction;
  const elapsed = latest.at - first.at;
  if (progressed < 0.02 || elapsed < 2_000 || latest.fraction >= 1) return undefined;
  return Math.round(((1 - latest.fraction) * elapsed) / progressed);
}

/**
 * Whether a concurrent build is one other builds do not wait for: on PostgreSQL 14+, a build whose key
 * is plain columns, with no expression and no WHERE, is marked "safe" and skipped by the others'
 * "waiting for old snapshots"; any other build (and every build on 13) holds up every build that
 * finishes while it runs. The plan marks such build steps (Step.safe).
 */
export function isSafeBuild(step: Pick<Step, 'safe'>, serverVersionNum: number): boolean {
  return serverVersionNum >= 140000 && step.safe === true;
}
