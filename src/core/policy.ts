/*
 * The declarable-index policy: which live indexes a manifest may declare, and which the tool may drop.
 * One function decides it for plan, apply, export and status, so that `export > indexes.yaml` followed
 * by `plan` finds nothing to do on any database.
 *
 * - owned: something else owns the index (a constraint, the partitioned index it is attached to, an
 *   extension). It is never declared, never dropped, never reported as unmanaged.
 * - kept: a unique index that foreign keys rely on, or the replica identity index. It may be declared and
 *   is then compared like any index, but it is never dropped, and so never replaced or rebuilt either.
 * - managed: an ordinary index (a partition's own index, attached to nothing, included).
 */
import type { ConstraintType } from './model.js';

/** What the policy looks at; LiveIndex has every field. */
export interface OwnershipFacts {
  readonly constraint?: { readonly name: string; readonly type: ConstraintType };
  /** The partitioned index this one is attached to, `schema.name`. */
  readonly parentIndex?: string;
  /** The extension that owns the index or its table. */
  readonly extension?: string;
  /** Foreign keys that rely on this unique index, `table.constraint`. */
  readonly referencedByForeignKeys: readonly string[];
  readonly replicaIdentity: boolean;
}

export type Owner = 'constraint' | 'partitioned index' | 'extension';

export type IndexPolicy =
  | { readonly kind: 'managed' }
  | {
      readonly kind: 'owned';
      readonly owner: Owner;
      /** The owner named: `the primary key "users_pkey"`. */
      readonly by: string;
      /** Why, as a clause: `it backs the primary key "users_pkey" (…)`. */
      readonly reason: string;
    }
  | { readonly kind: 'kept'; /** Who relies on it, as a clause: "foreign keys rely on it (…)". */ readonly reason: string };

export const CONSTRAINT_WORDS: Readonly<Record<ConstraintType, string>> = { p: 'primary key', u: 'unique constraint', x: 'exclusion constraint' };

export function indexPolicy(index: OwnershipFacts): IndexPolicy {
  if (index.constraint) {
    return {
      kind: 'owned',
      owner: 'constraint',
      by: `the ${CONSTRAINT_WORDS[index.constraint.type]} "${index.constraint.name}"`,
      reason: `it backs the ${CONSTRAINT_WORDS[index.constraint.type]} "${index.constraint.name}" (constraints are managed with ALTER TABLE)`,
    };
  }
  if (index.parentIndex !== undefined) {
    return {
      kind: 'owned',
      owner: 'partitioned index',
      by: `the partitioned index ${index.parentIndex}`,
      reason: `it is attached to the partitioned index ${index.parentIndex}, which owns it (declare that one on its partitioned table)`,
    };
  }
  if (index.extension !== undefined) {
    return {
      kind: 'owned',
      owner: 'extension',
      by: `the extension "${index.extension}"`,
      reason: `it belongs to the extension "${index.extension}", which manages it`,
    };
  }
  const reliers = [
    ...(index.referencedByForeignKeys.length > 0 ? [`foreign keys rely on it (${index.referencedByForeignKeys.join(', ')})`] : []),
    ...(index.replicaIdentity ? ['it is the replica identity of its table (logical replication of UPDATE and DELETE needs it)'] : []),
  ];
  return reliers.length > 0 ? { kind: 'kept', reason: reliers.join(', and ') } : { kind: 'managed' };
}

/** Whether a manifest may declare the index. */
export function mayDeclare(policy: IndexPolicy): boolean {
  return policy.kind !== 'owned';
}

/** Whether any action may drop the index (prune, leftover clean-up, replace, rebuild). */
export function mayDrop(policy: IndexPolicy): boolean {
  return policy.kind === 'managed';
}

/** Whether an undeclared index is the manifest's to adopt: listed as unmanaged, flagged by status. */
export function isUnmanagedWhenUndeclared(policy: IndexPolicy): boolean {
  return policy.kind !== 'owned';
}

/** The plan-time error for declaring an owned index. */
export function cannotDeclareMessage(name: string, reason: string, manifestName: string): string {
  return `${name} cannot be declared: ${reason}; remove it from ${manifestName}`;
}

/**
 * The plan-time error for a declared kept index whose declaration differs from the live one: replace and
 * rebuild both drop the live index, which foreign keys or logical replication need.
 */
export function cannotChangeMessage(name: string, reason: string, change: 'definition' | 'tablespace' | 'invalid', liveDefinition: string): string {
  const what =
    change === 'invalid'
      ? `${name} is invalid and cannot be rebuilt: ${reason}, and a rebuild would have to drop it`
      : `${name} cannot be changed (its ${change} differs): ${reason}, and a replace would have to drop it`;
  const next =
    change === 'invalid'
      ? 'repair it by hand (REINDEX INDEX CONCURRENTLY)'
      : `declare it as it is (${liveDefinition}), or change it by hand and move what relies on it first`;
  return `${what}; ${next}`;
}

const RELATION_WORDS: Readonly<Record<string, string>> = {
  v: 'a view',
  f: 'a foreign table',
  S: 'a sequence',
  c: 'a composite type',
  i: 'an index',
  I: 'a partitioned index',
  t: 'a TOAST table',
};

/** Words for a relation kind (`pg_class.relkind`) that cannot have indexes of its own. */
export function relationWords(relkind: string): string {
  return RELATION_WORDS[relkind] ?? `a relation of kind "${relkind}"`;
}

/** The plan-time error for a declared table key naming a relation that cannot have indexes. */
export function notIndexableMessage(qualifiedName: string, relkind: string): string {
  return `${qualifiedName} is ${relationWords(relkind)}; only tables, partitioned tables and materialized views have indexes`;
}
