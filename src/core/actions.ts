/*
 * The plan's vocabulary: actions (what changes, and why) made of steps (the statements that do it).
 * Plain readonly data, JSON-serialisable, so a saved plan can be compared with the plan apply makes.
 */

export interface TableRef {
  readonly schema: string;
  readonly name: string;
}

/**
 * What a step does decides how it runs: `build` steps use buildLockTimeout (a concurrent build's waits for
 * old snapshots count as lock waits); every other step uses the short lockTimeout and is retried.
 */
export type StepKind =
  | 'build' // CREATE INDEX CONCURRENTLY
  | 'build-parent' // CREATE INDEX … ON ONLY a partitioned table: brief SHARE lock on the parent
  | 'attach' // ALTER INDEX … ATTACH PARTITION
  | 'drop' // DROP INDEX CONCURRENTLY
  | 'drop-locking' // plain DROP INDEX: ACCESS EXCLUSIVE on the table (partitioned indexes)
  | 'rename'
  | 'swap' // two renames in one short transaction
  | 'comment'
  | 'analyze'
  | 'reindex'; // REINDEX INDEX CONCURRENTLY: waits like a build, so it runs under buildLockTimeout

export interface Step {
  readonly kind: StepKind;
  /** One statement, or several run in one transaction (`swap`). */
  readonly sql: readonly string[];
  /** The index this step creates: dropped again if the step fails or is cancelled. */
  readonly creates?: TableRef;
  /** The index a `reindex` step rebuilds: what a failed or cancelled one leaves (`…_ccnew`, `…_ccold`) is dropped. */
  readonly reindexes?: TableRef;
  /** For a partition's build/attach: the partition it works on. */
  readonly partition?: TableRef;
  /**
   * On a `build` step whose key is plain columns, with no expression and no WHERE: on PostgreSQL 14+
   * other concurrent builds do not wait for it to finish. Absent on every other step (a build without it
   * is taken to hold the others up).
   */
  readonly safe?: true;
}

/** What a build will cost: read from relpages/reltuples, which need no lock. */
export interface BuildCost {
  readonly tableBytes: number;
  /** Undefined when the table was never analyzed. */
  readonly estimatedRows?: number;
  /** Citus: the shards the build runs over and the nodes holding them (size and rows are summed over them). */
  readonly shards?: number;
  readonly nodes?: number;
}

interface ActionBase {
  readonly table: TableRef;
  /** The index the action is about (for rename: the new name). */
  readonly index: string;
  readonly reason: string;
  readonly steps: readonly Step[];
}

export interface CreateAction extends ActionBase {
  readonly kind: 'create';
  /** The desired definition in PostgreSQL's canonical form. */
  readonly definition: string;
  readonly cost: BuildCost;
}

export interface ReplaceAction extends ActionBase {
  readonly kind: 'replace';
  readonly oldDefinition: string;
  readonly newDefinition: string;
  readonly cost: BuildCost;
}

export interface RenameAction extends ActionBase {
  readonly kind: 'rename';
  readonly from: string;
  readonly definition: string;
}

export interface RebuildAction extends ActionBase {
  readonly kind: 'rebuild';
  readonly definition: string;
  readonly cost: BuildCost;
}

export interface DropAction extends ActionBase {
  readonly kind: 'drop';
  readonly definition: string;
  /** A plain DROP INDEX that locks the table (partitioned indexes cannot be dropped concurrently). */
  readonly locking: boolean;
}

export interface CommentAction extends ActionBase {
  readonly kind: 'comment';
  readonly from?: string;
  readonly to?: string;
}

/** What a reindex is expected to win, from the estimate or the pgstattuple measure at plan time. */
export interface ReindexFigures {
  readonly method: 'estimated' | 'measured';
  /** Share of the index that is wasted space, 0..1. */
  readonly ratio: number;
  readonly sizeBytes: number;
  /** What the index should take once rebuilt. */
  readonly expectedBytes: number;
  /** Free space the rebuild needs for its second copy (the largest partition's, partition by partition). */
  readonly roomBytes: number;
  /** Why the estimate may read low (what it could not model): the index may be more bloated than shown. */
  readonly caveat?: string;
}

export interface ReindexAction extends ActionBase {
  readonly kind: 'reindex';
  /** The live definition, which the rebuild keeps. */
  readonly definition: string;
  readonly bloat: ReindexFigures;
}

export interface SkipAction extends ActionBase {
  readonly kind: 'skip';
  /** The backend building this index right now. */
  readonly pid?: number;
  readonly phase?: string;
}

export type Action = CreateAction | ReplaceAction | RenameAction | RebuildAction | ReindexAction | DropAction | CommentAction | SkipAction;
export type ActionKind = Action['kind'];

/** A live index the plan leaves alone because the manifest does not declare it and prune is off. */
export interface UnmanagedIndex {
  readonly table: TableRef;
  readonly index: string;
  readonly definition: string;
}

export interface PlanSummary {
  readonly create: number;
  readonly replace: number;
  readonly rename: number;
  readonly rebuild: number;
  readonly reindex: number;
  readonly drop: number;
  readonly comment: number;
  readonly skip: number;
}

export function summarise(actions: readonly Action[]): PlanSummary {
  const counts = { create: 0, replace: 0, rename: 0, rebuild: 0, reindex: 0, drop: 0, comment: 0, skip: 0 };
  for (const action of actions) counts[action.kind] += 1;
  return counts;
}

/** Whether applying would change anything (skips change nothing). */
export function hasChanges(actions: readonly Action[]): boolean {
  return actions.some((action) => action.kind !== 'skip');
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
