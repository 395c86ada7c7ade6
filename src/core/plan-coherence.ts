/*
 * Rules across the actions of a whole plan, once every table is planned: no action drops an index
 * another uses, a partitioned build first clears the names it needs, a prune never empties a table by
 * accident, and no drop locks a table unless the user allowed it.
 */
import type { Action, Step, TableRef } from './actions.js';
import type { Problem } from './errors.js';
import { indexKey, type DesiredTable, type LiveIndex } from './model.js';
import { dropStep } from './plan-build-steps.js';
import { problemAt } from './plan-checks.js';
import type { PlannedDrop } from './plan-table.js';
import { indexPolicy } from './policy.js';
import { qualify } from './sql.js';

type IndexesOn = (schema: string, name: string) => readonly LiveIndex[];

function describeTable(table: TableRef): string {
  return `${table.schema}.${table.name}`;
}

/**
 * The live indexes the actions use without creating them, by indexKey: a partition's index a partitioned
 * build attaches (reused, not built by that action) and the twin a rename takes over.
 */
export function usedIndexes(actions: readonly Action[], indexesOn: IndexesOn): Set<string> {
  const used = new Set<string>();
  for (const action of actions) {
    if (action.kind === 'rename') used.add(indexKey(action.table.schema, action.from));
    for (const step of action.steps) {
      if ((step.kind === 'drop' || step.kind === 'drop-locking') && step.partition) {
        for (const candidate of indexesOn(step.partition.schema, step.partition.name)) {
          if (step.sql.some((sql) => sql.endsWith(` ${qualify(candidate.schema, candidate.name)}`))) used.add(indexKey(candidate.schema, candidate.name));
        }
      }
    }
    const created = new Set(action.steps.flatMap((step) => (step.creates ? [indexKey(step.creates.schema, step.creates.name)] : [])));
    for (const step of action.steps) {
      if (step.kind !== 'attach' || !step.partition) continue;
      for (const candidate of indexesOn(step.partition.schema, step.partition.name)) {
        const key = indexKey(candidate.schema, candidate.name);
        if (created.has(key)) continue;
        if (step.sql.some((sql) => sql.endsWith(` ATTACH PARTITION ${qualify(candidate.schema, candidate.name)}`))) used.add(key);
      }
    }
  }
  return used;
}

/**
 * A partitioned build creates partition indexes under names of its own choosing. An invalid index already
 * under such a name is what an interrupted run of that build left (CREATE INDEX CONCURRENTLY would fail
 * on it): the action drops it first. Anything else under that name is a plan-time error.
 */
export function clearTheWay(action: Action, indexesOn: IndexesOn): { action: Action; problems: string[] } {
  const problems: string[] = [];
  const steps: Step[] = [];
  for (const step of action.steps) {
    const partition = step.partition;
    const creates = step.creates;
    if (partition && creates && (step.kind === 'build' || step.kind === 'build-parent')) {
      const taken = indexesOn(partition.schema, partition.name).find((index) => index.schema === creates.schema && index.name === creates.name);
      if (taken && !taken.valid && !taken.build && indexPolicy(taken).kind === 'managed') {
        steps.push({ ...dropStep(taken.schema, taken.name, taken.partitioned), partition });
      } else if (taken) {
        problems.push(
          `the ${action.kind} of ${action.index} builds ${creates.name} on ${describeTable(partition)}, where an index of that name exists (${taken.definition}); rename or drop it`,
        );
      }
    }
    steps.push(step);
  }
  return { action: steps.length === action.steps.length ? action : ({ ...action, steps } as Action), problems };
}

/** A prune that would leave a table that declares no index with none of the ones it has. */
export function pruneAllProblems(table: DesiredTable, ref: TableRef, drops: readonly PlannedDrop[], allowEmpty: boolean): Problem[] {
  const pruned = drops.filter((drop) => drop.origin === 'prune').length;
  if (!table.prune || table.indexes.length > 0 || pruned === 0 || allowEmpty) return [];
  return [
    problemAt(
      table.source,
      `prune would drop all ${pruned} index${pruned === 1 ? '' : 'es'} of ${describeTable(ref)} because its entry declares none; declare them, turn prune off, or pass --allow-empty`,
    ),
  ];
}

/** Actions that drop a partitioned index, which locks the whole table, unless the user allowed that. */
export function lockingDropProblems(table: DesiredTable, ref: TableRef, actions: readonly Action[], allowLockingDrops: boolean): Problem[] {
  if (allowLockingDrops) return [];
  return actions
    .filter((action) => action.steps.some((step) => step.kind === 'drop-locking'))
    .map((action) => {
      const what =
        action.kind === 'drop'
          ? `dropping the partitioned index ${action.index}`
          : `the ${action.kind} of the partitioned index ${action.index} drops the old one, which`;
      return problemAt(
        table.source,
        `${what} takes an ACCESS EXCLUSIVE lock on ${describeTable(ref)} (PostgreSQL cannot drop it concurrently); pass --allow-locking-drops or set settings.allowLockingDrops`,
      );
    });
}
