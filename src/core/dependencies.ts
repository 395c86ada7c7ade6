/*
 * What one action of a table needs from another. After an action fails, the table's later actions still
 * run; only one that needs what the failed action was to do is held back: a name it was to free (a
 * leftover `…_reconcile_old` that a replace renames onto) or an index it was to make.
 */
import { assertNever, type Action, type TableRef } from './actions.js';
import { temporaryName } from './sql.js';

export interface Dependency {
  /**
   * `free`: the later action needs this name unused, and the earlier one was to drop or rename it away;
   * `exists`: the later action works on this index, and the earlier one was to make it.
   */
  readonly need: 'free' | 'exists';
  readonly index: TableRef;
}

function ref(action: Action, name: string): TableRef {
  // An index always lives in its table's schema.
  return { schema: action.table.schema, name };
}

/** Names an action must find unused: what it builds, and what it renames an index to. */
function needsFree(action: Action): TableRef[] {
  const created = action.steps.flatMap((step) => (step.creates ? [step.creates] : []));
  switch (action.kind) {
    case 'create':
      return created;
    case 'replace':
    case 'rebuild':
      // A swap parks the old index under the temporary `old` name before the new one takes its place;
      // a plain rebuild drops its own index before building it again, so that name is its own affair.
      return [
        ...created.filter((c) => !(c.schema === action.table.schema && c.name === action.index)),
        ...(action.steps.some((step) => step.kind === 'swap') ? [ref(action, temporaryName(action.index, 'old'))] : []),
      ];
    case 'rename':
      return [ref(action, action.index)];
    case 'drop':
    case 'comment':
    case 'reindex':
    case 'skip':
      return [];
    default:
      return assertNever(action, 'action');
  }
}

/** Names an action takes out of use: what it drops, and what it renames away. */
function frees(action: Action): TableRef[] {
  switch (action.kind) {
    case 'drop':
      return [ref(action, action.index)];
    case 'rename':
      return [ref(action, action.from)];
    case 'create':
    case 'replace':
    case 'rebuild':
    case 'reindex':
    case 'comment':
    case 'skip':
      return [];
    default:
      return assertNever(action, 'action');
  }
}

/** Indexes an action works on, which must exist when it starts. */
function uses(action: Action): TableRef[] {
  switch (action.kind) {
    case 'replace':
    case 'drop':
    case 'comment':
    case 'reindex':
      return [ref(action, action.index)];
    case 'rename':
      return [ref(action, action.from)];
    case 'create':
    case 'rebuild':
    case 'skip':
      return [];
    default:
      return assertNever(action, 'action');
  }
}

/** Indexes an action leaves under a name of its own. */
function makes(action: Action): TableRef[] {
  switch (action.kind) {
    case 'create':
      return [ref(action, action.index), ...action.steps.flatMap((step) => (step.creates ? [step.creates] : []))];
    case 'rename':
    case 'replace':
    case 'rebuild':
      return [ref(action, action.index)];
    case 'drop':
    case 'comment':
    case 'reindex':
    case 'skip':
      return [];
    default:
      return assertNever(action, 'action');
  }
}

function same(a: TableRef, b: TableRef): boolean {
  return a.schema === b.schema && a.name === b.name;
}

function unique(refs: readonly TableRef[]): TableRef[] {
  return refs.filter((r, i) => refs.findIndex((other) => same(other, r)) === i);
}

/**
 * What `later` needs of `earlier` (both on one table, `earlier` first in plan order): empty when it does
 * not depend on it. Whether the need is still unmet after `earlier` failed is for the catalog to say
 * (a drop that failed on a lost connection may have finished on the server).
 */
export function dependencies(later: Action, earlier: Action): Dependency[] {
  const freed = frees(earlier);
  const made = makes(earlier);
  return [
    ...unique(needsFree(later))
      .filter((name) => freed.some((f) => same(f, name)))
      .map((index) => ({ need: 'free' as const, index })),
    ...unique(uses(later))
      .filter((name) => made.some((m) => same(m, name)))
      .map((index) => ({ need: 'exists' as const, index })),
  ];
}
