import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/actions.js';
import { dependencies } from '../../src/core/dependencies.js';
import { indexKey } from '../../src/core/model.js';
import { computePlan, describeAction, type CanonicalForm } from '../../src/core/plan.js';
import { column, desiredIndex, desiredState, desiredTable, expression, liveIndex, liveState, liveTable } from '../helpers/model-builders.js';
import { commentAction, createAction, dropAction, index, renameAction, replaceAction } from '../helpers/plan-fixtures.js';

const usersTable = liveTable('users', ['id', 'email', 'role', 'name']);

function planOf(declared: Parameters<typeof desiredTable>[1], live: Parameters<typeof liveState>[1], canonical: Record<string, string>, prune = false) {
  const desired = new Map<string, CanonicalForm>(Object.entries(canonical).map(([name, definition]) => [indexKey('public', name), { ok: true, definition }]));
  const result = computePlan(
    desiredState([desiredTable('users', declared, { prune })]),
    liveState([usersTable], live),
    { desired, live: new Map() },
    { allowEmpty: false, allowLockingDrops: false },
  );
  expect(result.problems).toEqual([]);
  return result.actions;
}

/** Every pair (later, earlier) of one plan with what the later needs of the earlier. */
function pairs(actions: readonly Action[]): string[] {
  return actions.flatMap((later, i) =>
    actions
      .slice(0, i)
      .flatMap((earlier) => dependencies(later, earlier).map((d) => `${describeAction(later)} needs ${d.index.schema}.${d.index.name} ${d.need}, from ${describeAction(earlier)}`)),
  );
}

describe('dependencies between the actions of one table', () => {
  it('finds none in a plan that creates, replaces, renames, rebuilds, comments and prunes on one table', () => {
    const actions = planOf(
      [
        desiredIndex('users', 'users_email_key', { unique: true, columns: [column('email')] }),
        desiredIndex('users', 'users_role', { columns: [column('role')] }),
        desiredIndex('users', 'users_name', { columns: [column('name')] }),
        desiredIndex('users', 'users_lower_name', { columns: [expression('lower(name)')] }),
        desiredIndex('users', 'users_id', { columns: [column('id')], comment: 'by id' }),
        desiredIndex('users', 'users_email', { columns: [column('email')] }),
      ],
      [
        liveIndex('users', 'users_role', 'CREATE INDEX users_role ON public.users USING btree (id, role)'),
        liveIndex('users', 'by_name', 'CREATE INDEX by_name ON public.users USING btree (name)'),
        liveIndex('users', 'users_lower_name', 'CREATE INDEX users_lower_name ON public.users USING btree (lower(name))', { valid: false }),
        liveIndex('users', 'users_id', 'CREATE INDEX users_id ON public.users USING btree (id)'),
        liveIndex('users', 'users_email', 'CREATE INDEX users_email ON public.users USING btree (email)', { valid: false, ready: false }),
        liveIndex('users', 'users_failed', 'CREATE INDEX users_failed ON public.users USING btree (role)', { valid: false }),
        liveIndex('users', 'users_unused', 'CREATE INDEX users_unused ON public.users USING btree (role, id)'),
      ],
      {
        users_email_key: 'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)',
        users_role: 'CREATE INDEX users_role ON public.users USING btree (role)',
        users_name: 'CREATE INDEX users_name ON public.users USING btree (name)',
        users_lower_name: 'CREATE INDEX users_lower_name ON public.users USING btree (lower(name))',
        users_id: 'CREATE INDEX users_id ON public.users USING btree (id)',
        users_email: 'CREATE INDEX users_email ON public.users USING btree (email)',
      },
      true,
    );
    expect(actions.map(describeAction)).toEqual([
      'drop users_failed',
      'create users_email_key',
      'replace users_role',
      'rename by_name to users_name',
      'rebuild users_lower_name',
      'comment on users_id',
      'rebuild users_email',
      'drop users_unused',
    ]);
    expect(pairs(actions)).toEqual([]);
  });

  it('finds the replace that needs the name a leftover drop frees', () => {
    const actions = planOf(
      [desiredIndex('users', 'users_role', { columns: [column('role')] })],
      [
        liveIndex('users', 'users_role', 'CREATE INDEX users_role ON public.users USING btree (id)'),
        liveIndex('users', 'users_role_reconcile_old', 'CREATE INDEX users_role_reconcile_old ON public.users USING btree (id)'),
        liveIndex('users', 'users_role_reconcile_new', 'CREATE INDEX users_role_reconcile_new ON public.users USING btree (role)', { valid: false }),
      ],
      { users_role: 'CREATE INDEX users_role ON public.users USING btree (role)' },
    );
    expect(actions.map(describeAction)).toEqual(['drop users_role_reconcile_old', 'drop users_role_reconcile_new', 'replace users_role']);
    expect(pairs(actions)).toEqual([
      'replace users_role needs public.users_role_reconcile_old free, from drop users_role_reconcile_old',
      'replace users_role needs public.users_role_reconcile_new free, from drop users_role_reconcile_new',
    ]);
  });

  it('reads names from each kind of action', () => {
    const users = (name: string) => index('users', name, { columns: [column('id')] });
    expect(dependencies(renameAction('users', 'a', 'b'), dropAction('users', 'b'))).toEqual([{ need: 'free', index: { schema: 'public', name: 'b' } }]);
    expect(dependencies(createAction(users('b')), renameAction('users', 'b', 'c'))).toEqual([{ need: 'free', index: { schema: 'public', name: 'b' } }]);
    expect(dependencies(commentAction('users', 'b', 'x'), createAction(users('b')))).toEqual([{ need: 'exists', index: { schema: 'public', name: 'b' } }]);
    expect(dependencies(dropAction('users', 'c'), renameAction('users', 'b', 'c'))).toEqual([{ need: 'exists', index: { schema: 'public', name: 'c' } }]);
    expect(dependencies(replaceAction(users('b'), ''), renameAction('users', 'a', 'b'))).toEqual([{ need: 'exists', index: { schema: 'public', name: 'b' } }]);
    // Neither freeing a name nor making an index: nothing to wait for.
    expect(dependencies(createAction(users('b')), createAction(users('a')))).toEqual([]);
    expect(dependencies(createAction(users('b')), commentAction('users', 'b', 'x'))).toEqual([]);
    expect(dependencies(dropAction('users', 'b'), dropAction('users', 'b'))).toEqual([]);
  });
});
