import { describe, expect, it } from 'vitest';
import { indexPolicy, isUnmanagedWhenUndeclared, mayDeclare, mayDrop, notIndexableMessage, type OwnershipFacts } from '../../src/core/policy.js';

const plain: OwnershipFacts = { referencedByForeignKeys: [], replicaIdentity: false };

describe('indexPolicy', () => {
  it.each<[string, OwnershipFacts, string, boolean, boolean, boolean]>([
    ['an ordinary index', plain, 'managed', true, true, true],
    ['a primary key', { ...plain, constraint: { name: 'users_pkey', type: 'p' } }, 'owned', false, false, false],
    ['an index attached to a partitioned index', { ...plain, parentIndex: 'public.events_at' }, 'owned', false, false, false],
    ["an extension's index", { ...plain, extension: 'postgis' }, 'owned', false, false, false],
    ['a unique index foreign keys rely on', { ...plain, referencedByForeignKeys: ['public.orders.orders_user_fkey'] }, 'kept', true, false, true],
    ['the replica identity', { ...plain, replicaIdentity: true }, 'kept', true, false, true],
    // An attached child that foreign keys reach through its parent is still its parent's.
    ['an attached child foreign keys rely on', { ...plain, parentIndex: 'public.p', referencedByForeignKeys: ['x.fk'] }, 'owned', false, false, false],
  ])('%s: %s', (_, facts, kind, declare, drop, unmanaged) => {
    const policy = indexPolicy(facts);
    expect(policy.kind).toBe(kind);
    expect([mayDeclare(policy), mayDrop(policy), isUnmanagedWhenUndeclared(policy)]).toEqual([declare, drop, unmanaged]);
  });

  it('names who owns an index, and who relies on a kept one', () => {
    expect(indexPolicy({ ...plain, constraint: { name: 'b_no_overlap', type: 'x' } })).toEqual({
      kind: 'owned',
      owner: 'constraint',
      by: 'the exclusion constraint "b_no_overlap"',
      reason: 'it backs the exclusion constraint "b_no_overlap" (constraints are managed with ALTER TABLE)',
    });
    expect(indexPolicy({ ...plain, referencedByForeignKeys: ['a.fk1', 'b.fk2'], replicaIdentity: true })).toEqual({
      kind: 'kept',
      reason: 'foreign keys rely on it (a.fk1, b.fk2), and it is the replica identity of its table (logical replication of UPDATE and DELETE needs it)',
    });
  });
});

describe('notIndexableMessage', () => {
  it.each([
    ['v', 'public.v is a view; only tables, partitioned tables and materialized views have indexes'],
    ['f', 'public.v is a foreign table; only tables, partitioned tables and materialized views have indexes'],
    ['S', 'public.v is a sequence; only tables, partitioned tables and materialized views have indexes'],
  ])('%s', (relkind, message) => {
    expect(notIndexableMessage('public.v', relkind)).toBe(message);
  });
});
