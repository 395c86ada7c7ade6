/* Where a declared index goes: its tablespace (the database default is no change) and a name free in its schema. */
import { describe, expect, it } from 'vitest';
import { indexKey, type DesiredState, type LiveState } from '../../src/core/model.js';
import { computePlan, type CanonicalForm } from '../../src/core/plan.js';
import { temporaryName } from '../../src/core/sql.js';
import { desiredIndex, desiredState, desiredTable, liveIndex, liveState, liveTable } from '../helpers/model-builders.js';

const DEF = 'CREATE INDEX users_id ON public.users USING btree (id)';
const users = liveTable('users', ['id', 'email']);

function plan(desired: DesiredState, live: LiveState) {
  const canonical = new Map<string, CanonicalForm>(
    desired.tables.flatMap((t) => t.indexes.map((i) => [indexKey(i.schema, i.name), { ok: true, definition: DEF.replace('users_id', i.name) }] as const)),
  );
  return computePlan(desired, live, { desired: canonical, live: new Map() }, { allowEmpty: false, allowLockingDrops: false });
}

function problems(result: ReturnType<typeof plan>): string[] {
  return result.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
}

describe('tablespaces', () => {
  it('takes the database default named explicitly as no tablespace: no change, and no TABLESPACE clause to build with', () => {
    const declared = desiredState([desiredTable('users', [desiredIndex('users', 'users_id', { tablespace: 'pg_default' })])]);
    const unchanged = plan(declared, liveState([users], [liveIndex('users', 'users_id', DEF)]));
    expect(unchanged.problems).toEqual([]);
    expect(unchanged.actions).toEqual([]);

    const created = plan(declared, liveState([users], []));
    expect(created.actions.map((a) => a.steps.map((s) => s.sql))).toEqual([[['CREATE INDEX CONCURRENTLY users_id ON public.users USING btree (id)']]]);
  });

  it('compares against the database default, whatever it is called', () => {
    const live = (indexes = [liveIndex('users', 'users_id', DEF)]): LiveState =>
      liveState([users], indexes, {
        defaultTablespace: 'fast',
        tablespaces: [
          { name: 'fast', canCreate: true },
          { name: 'pg_default', canCreate: true },
        ],
      });
    expect(plan(desiredState([desiredTable('users', [desiredIndex('users', 'users_id', { tablespace: 'fast' })])]), live()).actions).toEqual([]);
    // pg_default is not this database's default: an index there has a tablespace of its own.
    const moved = plan(desiredState([desiredTable('users', [desiredIndex('users', 'users_id', { tablespace: 'pg_default' })])]), live());
    expect(moved.actions.map((a) => `${a.kind} ${a.index}: ${a.reason}`)).toEqual(['replace users_id: tablespace changed']);
    expect(moved.actions[0]!.steps[0]!.sql).toEqual([`CREATE INDEX CONCURRENTLY ${temporaryName('users_id', 'new')} ON public.users USING btree (id) TABLESPACE pg_default`]);
  });

  it('refuses a tablespace that does not exist, pg_global, and one the role may not create in, at the index', () => {
    const desired = desiredState([
      desiredTable('users', [
        desiredIndex('users', 'users_a', { tablespace: 'fast_ssd' }),
        desiredIndex('users', 'users_b', { tablespace: 'pg_global' }),
        desiredIndex('users', 'users_c', { tablespace: 'archive' }),
      ]),
    ]);
    const live = liveState([users], [], {
      tablespaces: [
        { name: 'archive', canCreate: false },
        { name: 'pg_default', canCreate: false },
        { name: 'pg_global', canCreate: false },
      ],
    });
    const result = plan(desired, live);
    expect(result.actions).toEqual([]);
    expect(problems(result)).toEqual([
      '10:7 tables.users.indexes.users_a.tablespace: tablespace "fast_ssd" does not exist (this database has: archive, pg_default)',
      '10:7 tables.users.indexes.users_b.tablespace: tablespace "pg_global" holds only shared system catalogs; no index can be placed there',
      '10:7 tables.users.indexes.users_c.tablespace: role "app" may not create in tablespace "archive", which CREATE INDEX … TABLESPACE needs; GRANT CREATE ON TABLESPACE archive TO app',
    ]);
  });
});

describe('index names', () => {
  it('refuses a name another relation of the schema has: an index on another table, a sequence', () => {
    const desired = desiredState([desiredTable('users', [desiredIndex('users', 'orders_total'), desiredIndex('users', 'users_seq'), desiredIndex('users', 'users_ok')])]);
    const live = liveState([users], [], {
      namesInUse: [
        { schema: 'public', name: 'orders_total', kind: 'index', table: { schema: 'public', name: 'orders' } },
        { schema: 'public', name: 'users_seq', kind: 'sequence' },
      ],
    });
    const result = plan(desired, live);
    expect(result.actions).toEqual([]);
    expect(problems(result)).toEqual([
      '10:7 tables.users.indexes.orders_total: the name orders_total is already taken in schema public by the index orders_total on public.orders (index names share one namespace with tables, sequences and views); choose another name, or rename or drop that index',
      '10:7 tables.users.indexes.users_seq: the name users_seq is already taken in schema public by the sequence public.users_seq (index names share one namespace with tables, sequences and views); choose another name',
    ]);
  });

  it('is not fooled by the same name in another schema', () => {
    const desired = desiredState([desiredTable('users', [desiredIndex('users', 'users_id')])]);
    const live = liveState([users], [], { namesInUse: [{ schema: 'other', name: 'users_id', kind: 'table' }] });
    expect(plan(desired, live).problems).toEqual([]);
  });
});
