/*
 * The steps and actions the plan is made of: builds (online on plain tables, the ON ONLY / attach
 * procedure on partitioned ones), the replace that never leaves a moment without the index, drops,
 * comments and the ANALYZE after an expression build.
 */
import type { Action, BuildCost, CommentAction, DropAction, SkipAction, Step, TableRef } from './actions.js';
import { definitionBody } from './definition-text.js';
import { tableKey, type DesiredIndex, type LiveIndex, type LiveTable } from './model.js';
import { indexPolicy } from './policy.js';
import {
  analyzeSql,
  attachPartitionSql,
  commentIndexSql,
  createIndexSql,
  dropIndexSql,
  partitionIndexName,
  qualify,
  renameIndexSql,
  shortHash,
  temporaryName,
} from './sql.js';

/** What building on one declared table needs to know. */
export interface BuildContext {
  readonly live: LiveTable;
  readonly ref: TableRef;
  readonly cost: BuildCost;
  /** Live indexes on a table of the declared table's partition tree that a partitioned build may attach. */
  readonly indexesOn: (schema: string, name: string) => readonly LiveIndex[];
  readonly analyzeAfterBuild: boolean;
}

function hasExpression(index: DesiredIndex): boolean {
  return index.columns.some((part) => part.kind === 'expression');
}

export function analyzeStep(index: DesiredIndex, context: BuildContext): Step[] {
  // A new expression index has no statistics until its table is analyzed.
  return context.analyzeAfterBuild && hasExpression(index) ? [{ kind: 'analyze', sql: [analyzeSql(context.live.schema, context.live.name)] }] : [];
}

export function commentStep(index: DesiredIndex): Step[] {
  return index.comment === undefined ? [] : [{ kind: 'comment', sql: [commentIndexSql(index.schema, index.name, index.comment)] }];
}

export function dropStep(schema: string, name: string, partitioned = false): Step {
  // PostgreSQL cannot drop a partitioned index concurrently: a plain DROP locks the table.
  return partitioned
    ? { kind: 'drop-locking', sql: [dropIndexSql(schema, name, { concurrently: false })] }
    : { kind: 'drop', sql: [dropIndexSql(schema, name, { concurrently: true })] };
}

/**
 * Whether other concurrent builds need not wait for this one (PostgreSQL 14+ marks such a build "safe"
 * and leaves it out of their wait for old snapshots): a key of plain columns, no WHERE. PostgreSQL looks
 * at nothing else; a key with operator class parameters is counted as unsafe all the same, which at
 * worst holds its build back a while.
 */
function isSafeIndex(index: DesiredIndex): boolean {
  const plain = index.columns.every((part) => part.kind === 'column' && !(part.opclass !== undefined && (part.opclassParams?.length ?? 0) > 0));
  return plain && index.where === undefined;
}

/** A concurrent build of `index` under `name` (on its own table, or on `partition` when given). */
export function buildStep(index: DesiredIndex, name: string, partition?: TableRef): Step {
  const on = partition ? { ...index, schema: partition.schema, table: partition.name } : index;
  return {
    kind: 'build',
    sql: [createIndexSql(on, { name, concurrently: true })],
    creates: { schema: on.schema, name },
    ...(partition ? { partition } : {}),
    ...(isSafeIndex(index) ? { safe: true as const } : {}),
  };
}

/** Steps that build a declared index under `name` on a plain table or materialized view. */
export function plainBuildSteps(index: DesiredIndex, name: string): Step[] {
  return [buildStep(index, name)];
}

export type PartitionedBuild = { readonly steps: Step[] } | { readonly unrecoverable: string };

interface TreeNode {
  readonly schema: string;
  readonly name: string;
  readonly exists: boolean;
}

/**
 * The online procedure for a partitioned table (CREATE INDEX CONCURRENTLY is refused there):
 * `CREATE INDEX … ON ONLY` the parent and every intermediate partitioned table (brief SHARE lock, invalid
 * until complete), a concurrent build on each leaf (or an existing valid leaf index with the same
 * definition, reused), then ATTACH PARTITION bottom-up; the parent becomes valid with its last child.
 * With `existing`, an interrupted run is finished: what is attached and valid is kept.
 */
export function partitionedBuildSteps(
  index: DesiredIndex,
  context: BuildContext,
  name: string,
  canonicalDefinition: string,
  existing?: LiveIndex,
  childNameSeed = name,
): PartitionedBuild {
  const table = context.live;
  const steps: Step[] = [];
  const nodeIndex = new Map<string, TreeNode>([[tableKey(table.schema, table.name), { schema: index.schema, name, exists: existing !== undefined }]]);
  if (!existing) {
    steps.push({ kind: 'build-parent', sql: [createIndexSql(index, { name, concurrently: false, only: true })], creates: { schema: index.schema, name } });
  }
  const parentBody = definitionBody(canonicalDefinition);
  const parentOn = `ON ONLY ${qualify(table.schema, table.name)} `;
  const laterAttaches: Step[] = [];
  for (const part of table.partitions) {
    const parent = nodeIndex.get(tableKey(part.parentSchema, part.parentName));
    if (!parent) return { unrecoverable: `the partition tree of ${context.ref.schema}.${context.ref.name} changed while it was read` };
    const partRef = { schema: part.schema, name: part.name };
    const onPart = context.indexesOn(part.schema, part.name);
    const attached = parent.exists ? onPart.find((i) => i.parentIndex === qualify(parent.schema, parent.name)) : undefined;
    const attach = (childName: string): Step => ({
      kind: 'attach',
      sql: [attachPartitionSql(parent.schema, parent.name, part.schema, childName)],
      partition: partRef,
    });
    const childName = partitionIndexName(childNameSeed, part.name);
    if (!part.isLeaf) {
      if (attached) {
        nodeIndex.set(tableKey(part.schema, part.name), { schema: part.schema, name: attached.name, exists: true });
        continue;
      }
      const partIndex: DesiredIndex = { ...index, schema: part.schema, table: part.name };
      steps.push({
        kind: 'build-parent',
        sql: [createIndexSql(partIndex, { name: childName, concurrently: false, only: true })],
        creates: { schema: part.schema, name: childName },
        partition: partRef,
      });
      nodeIndex.set(tableKey(part.schema, part.name), { schema: part.schema, name: childName, exists: false });
      laterAttaches.unshift(attach(childName));
      continue;
    }
    if (attached?.valid) continue;
    if (attached) {
      // An invalid leaf once attached leaves its parent invalid for good: only a new index recovers.
      return { unrecoverable: `its partition ${part.schema}.${part.name} has an invalid index ${attached.name} attached` };
    }
    const reusable = reusableLeafIndex(onPart, parentBody.replace(parentOn, `ON ${qualify(part.schema, part.name)} `));
    steps.push(...(reusable ? [] : [buildStep(index, childName, partRef)]), attach(reusable?.name ?? childName));
  }
  return { steps: [...steps, ...laterAttaches] };
}

/** A leaf's own valid index with the wanted definition body, which a partitioned build attaches instead of building. */
function reusableLeafIndex(onLeaf: readonly LiveIndex[], wantedBody: string): LiveIndex | undefined {
  return onLeaf.find(
    (i) => i.parentIndex === undefined && i.valid && !i.partitioned && indexPolicy(i).kind === 'managed' && definitionBody(i.definition) === wantedBody,
  );
}

/** Build steps for a new index under `name`; partition indexes are named after `childSeed`. */
export function freshBuildSteps(context: BuildContext, index: DesiredIndex, name: string, definition: string, childSeed: string): Step[] {
  if (context.live.kind !== 'partitioned') return plainBuildSteps(index, name);
  const build = partitionedBuildSteps(index, context, name, definition, undefined, childSeed);
  // A fresh build has nothing attached yet, so it cannot be unrecoverable.
  return 'steps' in build ? build.steps : [];
}

/**
 * Replace (or rebuild from scratch) without a moment without the index: build the new one under a
 * temporary name, swap the names in one short transaction, drop the old one.
 */
export function anewAction(
  context: BuildContext,
  index: DesiredIndex,
  definition: string,
  existing: LiveIndex,
  kind: 'replace' | 'rebuild',
  reason: string,
): Action {
  const newName = temporaryName(index.name, 'new');
  const oldName = temporaryName(index.name, 'old');
  // Partition indexes keep their names after the swap: a hash of the definition keeps the next replace's apart.
  const childSeed = `${index.name}_${shortHash(definitionBody(definition)).slice(0, 6)}`;
  const steps: Step[] = [
    ...freshBuildSteps(context, index, newName, definition, childSeed),
    { kind: 'swap', sql: [renameIndexSql(index.schema, index.name, oldName), renameIndexSql(index.schema, newName, index.name)] },
    dropStep(index.schema, oldName, existing.partitioned),
    ...commentStep(index),
    ...analyzeStep(index, context),
  ];
  const { ref: table, cost } = context;
  return kind === 'replace'
    ? { kind, table, index: index.name, reason, oldDefinition: existing.definition, newDefinition: definition, cost, steps }
    : { kind, table, index: index.name, reason, definition, cost, steps };
}

export function createAction(context: BuildContext, index: DesiredIndex, definition: string, reason: string): Action {
  return {
    kind: 'create',
    table: context.ref,
    index: index.name,
    reason,
    definition,
    cost: context.cost,
    steps: [...freshBuildSteps(context, index, index.name, definition, index.name), ...analyzeStep(index, context), ...commentStep(index)],
  };
}

/** An invalid index on a plain table: dropped, then built again under its name. */
export function rebuildInPlaceAction(context: BuildContext, index: DesiredIndex, definition: string, reason: string): Action {
  return {
    kind: 'rebuild',
    table: context.ref,
    index: index.name,
    reason,
    definition,
    cost: context.cost,
    steps: [dropStep(index.schema, index.name), ...plainBuildSteps(index, index.name), ...analyzeStep(index, context), ...commentStep(index)],
  };
}

/** An interrupted partitioned build finished: the partitions that lack their index get it. */
export function finishAction(context: BuildContext, index: DesiredIndex, definition: string, steps: readonly Step[]): Action {
  return {
    kind: 'rebuild',
    table: context.ref,
    index: index.name,
    reason: 'invalid: an interrupted build left partitions without their index; finishing them',
    definition,
    cost: context.cost,
    steps: [...steps, ...analyzeStep(index, context), ...commentStep(index)],
  };
}

/** The undeclared `twin`, which has the declared definition, takes the declared name. */
export function renameAction(table: TableRef, index: DesiredIndex, twin: LiveIndex): Action {
  return {
    kind: 'rename',
    table,
    index: index.name,
    from: twin.name,
    reason: 'it has the declared definition',
    definition: twin.definition,
    steps: [
      { kind: 'rename', sql: [renameIndexSql(index.schema, twin.name, index.name)] },
      ...((index.comment ?? undefined) !== (twin.comment ?? undefined)
        ? [{ kind: 'comment' as const, sql: [commentIndexSql(index.schema, index.name, index.comment)] }]
        : []),
    ],
  };
}

export function skipAction(table: TableRef, index: LiveIndex, build: { readonly pid: number; readonly phase: string }): SkipAction {
  const reason = `being built right now by pid ${build.pid} (${build.phase}): left alone`;
  return { kind: 'skip', table, index: index.name, reason, steps: [], pid: build.pid, phase: build.phase };
}

export function dropAction(table: TableRef, index: LiveIndex, reason: string): DropAction {
  const locking = index.partitioned;
  return {
    kind: 'drop',
    table,
    index: index.name,
    reason,
    definition: index.definition,
    locking,
    steps: [{ kind: locking ? 'drop-locking' : 'drop', sql: [dropIndexSql(index.schema, index.name, { concurrently: !locking })] }],
  };
}

export function commentAction(table: TableRef, index: DesiredIndex, from: string | undefined): CommentAction {
  return {
    kind: 'comment',
    table,
    index: index.name,
    reason: index.comment === undefined ? 'comment removed' : 'comment changed',
    ...(from === undefined ? {} : { from }),
    ...(index.comment === undefined ? {} : { to: index.comment }),
    steps: [{ kind: 'comment', sql: [commentIndexSql(index.schema, index.name, index.comment)] }],
  };
}

/**
 * One ANALYZE per table, after its last expression build: ANALYZE holds a snapshot, and every concurrent
 * build elsewhere waits for older snapshots before it finishes — repeated ANALYZEs of one table would
 * hold up the builds on the others.
 */
export function analyzeOnce(actions: readonly Action[]): Action[] {
  const last = actions.findLastIndex((action) => action.steps.some((step) => step.kind === 'analyze'));
  return actions.map((action, i) =>
    i === last || !action.steps.some((step) => step.kind === 'analyze')
      ? action
      : ({ ...action, steps: action.steps.filter((step) => step.kind !== 'analyze') } as Action),
  );
}
