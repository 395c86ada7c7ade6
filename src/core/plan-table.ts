/*
 * One declared table's part of the plan: every declared and live index classified (plan-classify.ts),
 * then each case turned into actions, problems or nothing.
 */
import { assertNever, type Action, type DropAction, type UnmanagedIndex } from './actions.js';
import type { Problem } from './errors.js';
import type { DesiredTable, LiveIndex } from './model.js';
import {
  anewAction,
  commentAction,
  createAction,
  dropAction,
  finishAction,
  partitionedBuildSteps,
  rebuildInPlaceAction,
  renameAction,
  skipAction,
  type BuildContext,
} from './plan-build-steps.js';
import type { BloatFacts } from './bloat.js';
import { problemAt } from './plan-checks.js';
import { reindexAction } from './plan-reindex.js';
import { classifyDeclared, classifyLive, type ClassifyInputs, type DeclaredCase, type LiveCase } from './plan-classify.js';
import { cannotChangeMessage, cannotDeclareMessage } from './policy.js';

export interface TableContext extends BuildContext {
  readonly table: DesiredTable;
  /** Wasted space of the live indexes, when it was read (the manifest has a maintenance block). */
  readonly bloat?: BloatFacts;
  /** The manifest file's name, as reasons and messages quote it. */
  readonly manifestName: string;
}

/**
 * Where a drop comes from: `leftover` cleans up what an interrupted run left (dropped first, so that its
 * name is free); `prune` drops what the manifest does not declare (last: the table is never less indexed
 * than it ends up).
 */
export type DropOrigin = 'leftover' | 'prune';

export interface PlannedDrop {
  readonly origin: DropOrigin;
  readonly action: DropAction;
}

export interface TablePlan {
  readonly problems: Problem[];
  readonly skips: Action[];
  readonly changes: Action[];
  readonly drops: PlannedDrop[];
  readonly unmanaged: UnmanagedIndex[];
}

export function planTable(context: TableContext, liveIndexes: readonly LiveIndex[], inputs: Omit<ClassifyInputs, 'partitioned'>): TablePlan {
  const { table } = context;
  const plan: TablePlan = { problems: [], skips: [], changes: [], drops: [], unmanaged: [] };
  const onTable = liveIndexes.filter((index) => index.schema === table.schema && index.table === table.name);
  const byName = new Map(onTable.map((index) => [index.name, index]));
  const classify: ClassifyInputs = { ...inputs, partitioned: context.live.kind === 'partitioned' };
  for (const index of table.indexes) planDeclared(context, plan, classifyDeclared(index, byName.get(index.name), classify));
  const declaredNames = new Set(table.indexes.map((index) => index.name));
  const claimed = new Set([...inputs.twins.values()].map((twin) => twin.name));
  for (const index of onTable) planLive(context, plan, classifyLive(index, table, declaredNames, claimed));
  return plan;
}

function planDeclared(context: TableContext, plan: TablePlan, found: DeclaredCase): void {
  const { index } = found;
  switch (found.kind) {
    case 'unchecked':
      return;
    case 'same': {
      const reindex = reindexAction(context.ref, found.live, context.table.maintenance, context.bloat);
      if (reindex) plan.changes.push(reindex);
      return;
    }
    case 'no-canonical-form':
      plan.problems.push(problemAt(index.source, `no canonical form was computed for ${index.name} (this is a bug)`));
      return;
    case 'refused':
      plan.problems.push(problemAt(index.source, found.message));
      return;
    case 'owned':
      plan.problems.push(problemAt(index.source, cannotDeclareMessage(index.name, found.reason, context.manifestName)));
      return;
    case 'building':
      plan.skips.push(skipAction(context.ref, found.live, found.build));
      return;
    case 'kept-changed':
      // Replace and rebuild both drop the live index, which foreign keys or logical replication need.
      plan.problems.push(problemAt(index.source, cannotChangeMessage(index.name, found.reason, found.change, found.live.definition)));
      return;
    case 'invalid':
      plan.changes.push(rebuildInPlaceAction(context, index, found.definition, found.reason));
      return;
    case 'half-built': {
      const finish = partitionedBuildSteps(index, context, index.name, found.definition, found.live);
      plan.changes.push(
        'steps' in finish
          ? finishAction(context, index, found.definition, finish.steps)
          : anewAction(context, index, found.definition, found.live, 'rebuild', `invalid: ${finish.unrecoverable}; building it anew`),
      );
      return;
    }
    case 'invalid-changed':
      plan.changes.push(anewAction(context, index, found.definition, found.live, 'rebuild', 'invalid, and its definition changed; building it anew'));
      return;
    case 'comment-only': {
      plan.changes.push(commentAction(context.ref, index, found.live.comment));
      const reindex = reindexAction(context.ref, found.live, context.table.maintenance, context.bloat);
      if (reindex) plan.changes.push(reindex);
      return;
    }
    case 'changed':
      plan.changes.push(anewAction(context, index, found.definition, found.live, 'replace', `${found.change} changed`));
      return;
    case 'twin-for-rename':
      plan.changes.push(renameAction(context.ref, index, found.twin));
      return;
    case 'missing':
      plan.changes.push(createAction(context, index, found.definition, `declared in ${context.manifestName}, missing from the database`));
      return;
    default:
      assertNever(found, 'declared index case');
  }
}

function planLive(context: TableContext, plan: TablePlan, found: LiveCase): void {
  const { live } = found;
  switch (found.kind) {
    case 'declared':
    case 'twin-for-rename':
    case 'owned':
      return;
    case 'kept':
      // Never dropped, prune or not; without prune it is listed like any index the manifest could adopt.
      if (!context.table.prune) plan.unmanaged.push(unmanagedEntry(context, live));
      return;
    case 'building':
      plan.skips.push(skipAction(context.ref, live, found.build));
      return;
    case 'leftover':
      plan.drops.push({ origin: 'leftover', action: dropAction(context.ref, live, found.reason) });
      return;
    case 'prune':
      plan.drops.push({ origin: 'prune', action: dropAction(context.ref, live, `not in ${context.manifestName} (prune is on)`) });
      return;
    case 'unmanaged':
      plan.unmanaged.push(unmanagedEntry(context, live));
      return;
    default:
      assertNever(found, 'live index case');
  }
}

function unmanagedEntry(context: TableContext, live: LiveIndex): UnmanagedIndex {
  return { table: context.ref, index: live.name, definition: live.definition };
}
