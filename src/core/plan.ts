/*
 * The plan: a pure function from (desired state, live state, canonical forms) to ordered actions,
 * implementing the action table of the specification. No I/O: every input is data.
 *
 * This file orchestrates: plan-checks.ts says what cannot be planned, plan-classify.ts and plan-table.ts
 * plan each declared table, plan-build-steps.ts makes the steps, plan-coherence.ts holds the actions of
 * all tables together.
 */
import { assertNever, type Action, type BuildCost, type UnmanagedIndex } from './actions.js';
import type { BloatFacts } from './bloat.js';
import type { Problem } from './errors.js';
import { indexKey, tableKey, type DesiredState, type DesiredTable, type LiveIndex, type LiveState, type LiveTable } from './model.js';
import { analyzeOnce } from './plan-build-steps.js';
import { absentTableProblem, checkTable, problemAt, withoutDefaultTablespace, type TableChecks } from './plan-checks.js';
import { findTwins, type CanonicalForms } from './plan-classify.js';
import { clearTheWay, lockingDropProblems, pruneAllProblems, usedIndexes } from './plan-coherence.js';
import { planTable, type TableContext, type TablePlan } from './plan-table.js';

export type { CanonicalForm, CanonicalForms } from './plan-classify.js';

export interface PlanOptions {
  /** Permit a prune that leaves a declared table with none of its indexes. */
  readonly allowEmpty: boolean;
  /** Permit plain DROP INDEX (partitioned indexes); default from settings. */
  readonly allowLockingDrops: boolean;
  /** Wasted space of the live indexes, for `maintenance:` (read only when the manifest has that block). */
  readonly bloat?: BloatFacts;
}

export interface Plan {
  readonly actions: readonly Action[];
  readonly unmanaged: readonly UnmanagedIndex[];
  /** Plan-time errors: when any, nothing may run. */
  readonly problems: readonly Problem[];
  readonly warnings: readonly string[];
}

type IndexesOn = (schema: string, name: string) => readonly LiveIndex[];

/** A declared table after its checks: `ready` when anything on it can be planned. */
interface Prepared {
  readonly table: DesiredTable;
  readonly problems: Problem[];
  readonly ready?: { readonly liveTable: LiveTable; readonly checks: TableChecks; readonly twins: ReadonlyMap<string, LiveIndex> };
}

interface Planned {
  readonly entry: Prepared;
  readonly context?: TableContext;
  readonly result?: TablePlan;
}

export function computePlan(desired: DesiredState, live: LiveState, canonical: CanonicalForms, options: PlanOptions): Plan {
  const warnings: string[] = [];
  if (live.serverVersionNum >= 140000 && live.serverVersionNum < 140004) {
    warnings.push(
      `PostgreSQL ${live.serverVersion} can corrupt indexes built with CREATE INDEX CONCURRENTLY (fixed in 14.4): upgrade before applying.`,
    );
  }
  const indexesOn = liveIndexLookup(live);
  // First every table's checks and renames, so that no partitioned build reuses (attaches) a partition
  // index that the manifest declares on the partition itself or that a rename there takes over.
  const reserved = new Set(desired.tables.flatMap((table) => table.indexes.map((index) => indexKey(index.schema, index.name))));
  const prepared = desired.tables.map((declared) => prepareTable(withoutDefaultTablespace(declared, live.defaultTablespace), live, canonical, indexesOn, reserved));
  const reusableOn: IndexesOn = (schema, name) =>
    indexesOn(schema, name).filter((index) => index.parentIndex !== undefined || !reserved.has(indexKey(index.schema, index.name)));
  const manifestName = desired.file.split(/[\\/]/).pop() ?? desired.file;
  const planned = prepared.map((entry) =>
    planPrepared(entry, { manifestName, reusableOn, indexesOn, canonical, analyzeAfterBuild: desired.settings.analyzeAfterBuild, bloat: options.bloat }),
  );
  const allowLockingDrops = options.allowLockingDrops || desired.settings.allowLockingDrops;
  const { actions, unmanaged, problems } = assemble(planned, indexesOn, { allowEmpty: options.allowEmpty, allowLockingDrops });
  return { actions: problems.length > 0 ? [] : actions, unmanaged, problems, warnings };
}

function liveIndexLookup(live: LiveState): IndexesOn {
  const indexesByTable = new Map<string, LiveIndex[]>();
  for (const index of live.indexes) {
    const key = tableKey(index.schema, index.table);
    const list = indexesByTable.get(key) ?? [];
    list.push(index);
    indexesByTable.set(key, list);
  }
  return (schema, name) => indexesByTable.get(tableKey(schema, name)) ?? [];
}

/** Checks a declared table; when it can be planned, finds its renames and reserves the indexes they take over. */
function prepareTable(table: DesiredTable, live: LiveState, canonical: CanonicalForms, indexesOn: IndexesOn, reserved: Set<string>): Prepared {
  const key = tableKey(table.schema, table.name);
  const liveTable = live.tables.get(key);
  if (!liveTable) return { table, problems: [absentTableProblem(table, live.notIndexable?.get(key))] };
  const checks = checkTable(table, liveTable, live);
  const problems = [...checks.table, ...[...checks.indexes.values()].flat()];
  if (checks.table.length > 0) return { table, problems };
  const twins = findTwins(table, indexesOn(table.schema, table.name), canonical, checks.indexes);
  for (const twin of twins.values()) reserved.add(indexKey(twin.schema, twin.name));
  return { table, problems, ready: { liveTable, checks, twins } };
}

interface PlanInputs {
  readonly manifestName: string;
  readonly reusableOn: IndexesOn;
  readonly indexesOn: IndexesOn;
  readonly canonical: CanonicalForms;
  readonly analyzeAfterBuild: boolean;
  readonly bloat: BloatFacts | undefined;
}

/** Plans a checked table, then clears the way for the partition indexes its builds create. */
function planPrepared(entry: Prepared, inputs: PlanInputs): Planned {
  if (!entry.ready) return { entry };
  const { table } = entry;
  const { liveTable, checks, twins } = entry.ready;
  const cost: BuildCost = {
    tableBytes: liveTable.sizeBytes,
    ...(liveTable.estimatedRows === undefined ? {} : { estimatedRows: liveTable.estimatedRows }),
    ...(liveTable.citus ? { shards: liveTable.citus.shards, nodes: liveTable.citus.nodes } : {}),
  };
  const context: TableContext = {
    indexesOn: inputs.reusableOn,
    manifestName: inputs.manifestName,
    table,
    live: liveTable,
    ref: { schema: table.schema, name: table.name },
    cost,
    analyzeAfterBuild: inputs.analyzeAfterBuild,
    ...(inputs.bloat === undefined ? {} : { bloat: inputs.bloat }),
  };
  const planned = planTable(context, inputs.indexesOn(table.schema, table.name), { canonical: inputs.canonical, failedChecks: checks.indexes, twins });
  const cleared = planned.changes.map((action) => clearTheWay(action, inputs.indexesOn));
  const result: TablePlan = {
    ...planned,
    problems: [...planned.problems, ...cleared.flatMap((c) => c.problems.map((message) => problemAt(table.source, message)))],
    changes: cleared.map((c) => c.action),
  };
  return { entry, context, result };
}

/**
 * The plan's actions in order, table by table: skips, leftover drops (their names are then free), the
 * changes (one ANALYZE per table), prune drops last. An index that one action uses (attaches, renames,
 * drops to free its name) is dropped by no other.
 */
function assemble(
  planned: readonly Planned[],
  indexesOn: IndexesOn,
  options: { readonly allowEmpty: boolean; readonly allowLockingDrops: boolean },
): { actions: Action[]; unmanaged: UnmanagedIndex[]; problems: Problem[] } {
  const used = usedIndexes(
    planned.flatMap((p) => p.result?.changes ?? []),
    indexesOn,
  );
  const actions: Action[] = [];
  const unmanaged: UnmanagedIndex[] = [];
  const problems: Problem[] = [];
  for (const { entry, context, result } of planned) {
    problems.push(...entry.problems);
    if (!context || !result) continue;
    problems.push(...result.problems);
    unmanaged.push(...result.unmanaged);
    const drops = result.drops.filter((drop) => !used.has(indexKey(drop.action.table.schema, drop.action.index)));
    const leftoverDrops = drops.filter((drop) => drop.origin === 'leftover').map((drop) => drop.action);
    const pruneDrops = drops.filter((drop) => drop.origin === 'prune').map((drop) => drop.action);
    problems.push(...pruneAllProblems(entry.table, context.ref, drops, options.allowEmpty));
    problems.push(...lockingDropProblems(entry.table, context.ref, [...leftoverDrops, ...result.changes, ...pruneDrops], options.allowLockingDrops));
    actions.push(...result.skips, ...leftoverDrops, ...analyzeOnce(result.changes), ...pruneDrops);
  }
  return { actions, unmanaged, problems };
}

/** Every action kind, for exhaustive handling elsewhere. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'create':
      return `create ${action.index}`;
    case 'replace':
      return `replace ${action.index}`;
    case 'rename':
      return `rename ${action.from} to ${action.index}`;
    case 'rebuild':
      return `rebuild ${action.index}`;
    case 'reindex':
      return `reindex ${action.index}`;
    case 'drop':
      return `drop ${action.index}`;
    case 'comment':
      return `comment on ${action.index}`;
    case 'skip':
      return `skip ${action.index}`;
    default:
      return assertNever(action, 'action');
  }
}

