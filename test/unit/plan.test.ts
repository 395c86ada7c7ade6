import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/actions.js';
import { indexKey, type DesiredState, type LiveState } from '../../src/core/model.js';
import { computePlan, type CanonicalForm, type PlanOptions } from '../../src/core/plan.js';
import { column, desiredIndex, desiredState, desiredTable, expression, liveIndex, liveState, liveTable } from '../helpers/model-builders.js';

const OPTIONS: PlanOptions = { allowEmpty: false, allowLockingDrops: false };

function forms(entries: Record<string, string | { error: string }>, live: Record<string, string> = {}) {
  const desired = new Map<string, CanonicalForm>(
    Object.entries(entries).map(([name, value]) => [
      indexKey('public', name),
      typeof value === 'string' ? { ok: true, definition: value } : { ok: false, message: value.error },
    ]),
  );
  return { desired, live: new Map(Object.entries(live).map(([name, def]) => [indexKey('public', name), def])) };
}

function plan(desired: DesiredState, live: LiveState, canonical = forms({}), options: PlanOptions = OPTIONS) {
  return computePlan(desired, live, canonical, options);
}

const usersTable = liveTable('users', ['id', 'email', 'role', 'refresh_token']);
const DEF_ROLE = 'CREATE INDEX idx_users_role ON public.users USING btree (role)';

function kinds(actions: readonly Action[]): string[] {
  return actions.map((a) => `${a.kind} ${a.index}`);
}

describe('computePlan: the action table', () => {
  it('creates a declared index that is missing, with its exact statements', () => {
    const index = desiredIndex('users', 'idx_users_email_lower', {
      unique: true,
      columns: [expression('lower(email)')],
      comment: 'Login lookup',
    });
    const result = plan(
      desiredState([desiredTable('users', [index])]),
      liveState([usersTable], []),
      forms({ idx_users_email_lower: 'CREATE UNIQUE INDEX idx_users_email_lower ON public.users USING btree (lower(email))' }),
    );
    expect(result.problems).toEqual([]);
    expect(result.actions).toEqual([
      {
        kind: 'create',
        table: { schema: 'public', name: 'users' },
        index: 'idx_users_email_lower',
        reason: 'declared in indexes.yaml, missing from the database',
        definition: 'CREATE UNIQUE INDEX idx_users_email_lower ON public.users USING btree (lower(email))',
        cost: { tableBytes: 8192000, estimatedRows: 100000 },
        steps: [
          {
            kind: 'build',
            sql: ['CREATE UNIQUE INDEX CONCURRENTLY idx_users_email_lower ON public.users USING btree (lower(email))'],
            creates: { schema: 'public', name: 'idx_users_email_lower' },
          },
          { kind: 'analyze', sql: ['ANALYZE public.users'] },
          { kind: 'comment', sql: ["COMMENT ON INDEX public.idx_users_email_lower IS 'Login lookup'"] },
        ],
      },
    ]);
  });

  it('does not analyze after a plain-column build, nor when analyzeAfterBuild is off', () => {
    const plain = desiredIndex('users', 'idx_users_role', { columns: [column('role')] });
    const expr = desiredIndex('users', 'idx_users_email_lower', { columns: [expression('lower(email)')] });
    const result = plan(
      desiredState([desiredTable('users', [plain, expr])], { analyzeAfterBuild: false }),
      liveState([usersTable], []),
      forms({ idx_users_role: DEF_ROLE, idx_users_email_lower: 'CREATE INDEX idx_users_email_lower ON public.users USING btree (lower(email))' }),
    );
    expect(result.actions.flatMap((a) => a.steps.map((s) => s.kind))).toEqual(['build', 'build']);
  });

  it('does nothing when the live definition is the same', () => {
    const index = desiredIndex('users', 'idx_users_role', { columns: [column('role')] });
    const result = plan(
      desiredState([desiredTable('users', [index])]),
      liveState([usersTable], [liveIndex('users', 'idx_users_role', DEF_ROLE)]),
      forms({ idx_users_role: DEF_ROLE }),
    );
    expect(result.actions).toEqual([]);
    expect(result.unmanaged).toEqual([]);
  });

  it('treats canon(desired) equal to canon(live) as no change', () => {
    const index = desiredIndex('users', 'idx_active', { columns: [column('role')], where: "role IN ('a','b')" });
    const live = "CREATE INDEX idx_active ON public.users USING btree (role) WHERE (role = ANY (ARRAY['a'::text, 'b'::text]))";
    const canonical = "CREATE INDEX idx_active ON public.users USING btree (role) WHERE (role = ANY (ARRAY[('a'::character varying)::text, ('b'::character varying)::text]))";
    const result = plan(
      desiredState([desiredTable('users', [index])]),
      liveState([usersTable], [liveIndex('users', 'idx_active', live)]),
      forms({ idx_active: canonical }, { idx_active: canonical }),
    );
    expect(result.actions).toEqual([]);
  });

  it('changes only the comment when only the comment differs', () => {
    const index = desiredIndex('users', 'idx_users_role', { columns: [column('role')], comment: "Role filter's index" });
    const result = plan(
      desiredState([desiredTable('users', [index])]),
      liveState([usersTable], [liveIndex('users', 'idx_users_role', DEF_ROLE, { comment: 'old' })]),
      forms({ idx_users_role: DEF_ROLE }),
    );
    expect(result.actions).toEqual([
      {
        kind: 'comment',
        table: { schema: 'public', name: 'users' },
        index: 'idx_users_role',
        reason: 'comment changed',
        from: 'old',
        to: "Role filter's index",
        steps: [{ kind: 'comment', sql: ["COMMENT ON INDEX public.idx_users_role IS 'Role filter''s index'"] }],
      },
    ]);
  });

  it('replaces a changed definition: build under a temporary name, swap in one transaction, drop the old one', () => {
    const index = desiredIndex('users', 'idx_users_refresh', { columns: [column('refresh_token')], where: 'refresh_token IS NOT NULL' });
    const oldDef = 'CREATE INDEX idx_users_refresh ON public.users USING btree (refresh_token)';
    const newDef = 'CREATE INDEX idx_users_refresh ON public.users USING btree (refresh_token) WHERE (refresh_token IS NOT NULL)';
    const result = plan(
      desiredState([desiredTable('users', [index])]),
      liveState([usersTable], [liveIndex('users', 'idx_users_refresh', oldDef)]),
      forms({ idx_users_refresh: newDef }),
    );
    expect(result.actions).toHaveLength(1);
    const action = result.actions[0]!;
    expect(action).toMatchObject({ kind: 'replace', oldDefinition: oldDef, newDefinition: newDef, reason: 'definition changed' });
    expect(action.steps).toEqual([
      {
        kind: 'build',
        sql: ['CREATE INDEX CONCURRENTLY idx_users_refresh_reconcile_new ON public.users USING btree (refresh_token) WHERE (refresh_token IS NOT NULL)'],
        creates: { schema: 'public', name: 'idx_users_refresh_reconcile_new' },
      },
      {
        kind: 'swap',
        sql: [
          'ALTER INDEX public.idx_users_refresh RENAME TO idx_users_refresh_reconcile_old',
          'ALTER INDEX public.idx_users_refresh_reconcile_new RENAME TO idx_users_refresh',
        ],
      },
      { kind: 'drop', sql: ['DROP INDEX CONCURRENTLY IF EXISTS public.idx_users_refresh_reconcile_old'] },
    ]);
  });

  it('renames an undeclared index that has the declared definition', () => {
    const index = desiredIndex('users', 'idx_users_role', { columns: [column('role')] });
    const result = plan(
      desiredState([desiredTable('users', [index])]),
      liveState([usersTable], [liveIndex('users', 'users_role_idx', 'CREATE INDEX users_role_idx ON public.users USING btree (role)')]),
      forms({ idx_users_role: DEF_ROLE }),
    );
    expect(result.actions).toEqual([
      {
        kind: 'rename',
        table: { schema: 'public', name: 'users' },
        index: 'idx_users_role',
        from: 'users_role_idx',
        reason: 'it has the declared definition',
        definition: 'CREATE INDEX users_role_idx ON public.users USING btree (role)',
        steps: [{ kind: 'rename', sql: ['ALTER INDEX public.users_role_idx RENAME TO idx_users_role'] }],
      },
    ]);
  });

  it('does not rename when the twin is unique and the declared one is not', () => {
    const index = desiredIndex('users', 'idx_users_role', { columns: [column('role')] });
    const result = plan(
      desiredState([desiredTable('users', [index])]),
      liveState([usersTable], [liveIndex('users', 'users_role_key', 'CREATE UNIQUE INDEX users_role_key ON public.users USING btree (role)')]),
      forms({ idx_users_role: DEF_ROLE }),
    );
    expect(kinds(result.actions)).toEqual(['create idx_users_role']);
    expect(result.unmanaged.map((u) => u.index)).toEqual(['users_role_key']);
  });

  it('rebuilds a declared index that is invalid: drop concurrently, then create', () => {
    const index = desiredIndex('users', 'idx_users_email', { unique: true, columns: [column('email')] });
    const def = 'CREATE UNIQUE INDEX idx_users_email ON public.users USING btree (email)';
    const result = plan(
      desiredState([desiredTable('users', [index])]),
      liveState([usersTable], [liveIndex('users', 'idx_users_email', def, { valid: false, ready: false })]),
      forms({ idx_users_email: def }),
    );
    expect(result.actions).toHaveLength(1);
    expect(result.actions[0]).toMatchObject({ kind: 'rebuild', reason: 'invalid: left by a failed concurrent build' });
    expect(result.actions[0]!.steps.map((s) => s.sql[0])).toEqual([
      'DROP INDEX CONCURRENTLY IF EXISTS public.idx_users_email',
      'CREATE UNIQUE INDEX CONCURRENTLY idx_users_email ON public.users USING btree (email)',
    ]);
  });

  it.each([
    ['idx_failed', true, 'invalid: left by a concurrent build that failed or was cancelled'],
    ['idx_failed_unique', false, 'invalid: left by a failed concurrent build'],
    ['idx_users_role_ccnew', true, 'invalid: left by an interrupted REINDEX CONCURRENTLY'],
    ['idx_users_role_ccold1', true, 'invalid: left by an interrupted REINDEX CONCURRENTLY'],
    ['idx_users_role_reconcile_new', true, 'invalid: left by an interrupted replace'],
  ])('drops the undeclared invalid index %s even without prune', (name, ready, reason) => {
    const result = plan(
      desiredState([desiredTable('users', [])]),
      liveState([usersTable], [liveIndex('users', name, `CREATE INDEX ${name} ON public.users USING btree (role)`, { valid: false, ready })]),
    );
    expect(result.actions).toEqual([
      {
        kind: 'drop',
        table: { schema: 'public', name: 'users' },
        index: name,
        reason,
        definition: `CREATE INDEX ${name} ON public.users USING btree (role)`,
        locking: false,
        steps: [{ kind: 'drop', sql: [`DROP INDEX CONCURRENTLY IF EXISTS public.${name}`] }],
      },
    ]);
  });

  it('drops a valid leftover of an interrupted replace', () => {
    const result = plan(
      desiredState([desiredTable('users', [])]),
      liveState([usersTable], [liveIndex('users', 'idx_users_role_reconcile_old', 'CREATE INDEX idx_users_role_reconcile_old ON public.users USING btree (role)')]),
    );
    expect(result.actions).toMatchObject([{ kind: 'drop', reason: 'left by an interrupted replace' }]);
  });

  it('skips an invalid index that another session is building right now, naming the pid', () => {
    const declared = desiredIndex('users', 'idx_users_role', { columns: [column('role')] });
    const result = plan(
      desiredState([desiredTable('users', [declared])]),
      liveState(
        [usersTable],
        [
          liveIndex('users', 'idx_users_role', DEF_ROLE, { valid: false, ready: false, build: { pid: 4242, phase: 'building index: scanning table' } }),
          liveIndex('users', 'idx_other', 'CREATE INDEX idx_other ON public.users USING btree (email)', { valid: false, build: { pid: 4243, phase: 'waiting for old snapshots' } }),
        ],
      ),
      forms({ idx_users_role: DEF_ROLE }),
    );
    expect(result.actions).toEqual([
      {
        kind: 'skip',
        table: { schema: 'public', name: 'users' },
        index: 'idx_users_role',
        reason: 'being built right now by pid 4242 (building index: scanning table): left alone',
        steps: [],
        pid: 4242,
        phase: 'building index: scanning table',
      },
      {
        kind: 'skip',
        table: { schema: 'public', name: 'users' },
        index: 'idx_other',
        reason: 'being built right now by pid 4243 (waiting for old snapshots): left alone',
        steps: [],
        pid: 4243,
        phase: 'waiting for old snapshots',
      },
    ]);
  });

  it('drops undeclared valid indexes when prune is on, and lists them as unmanaged when it is off', () => {
    const declared = desiredIndex('users', 'idx_users_role', { columns: [column('role')] });
    const extra = liveIndex('users', 'users_email_idx', 'CREATE INDEX users_email_idx ON public.users USING btree (email)');
    const live = liveState([usersTable], [liveIndex('users', 'idx_users_role', DEF_ROLE), extra]);
    const canonical = forms({ idx_users_role: DEF_ROLE });

    const pruned = plan(desiredState([desiredTable('users', [declared], { prune: true })]), live, canonical);
    expect(pruned.actions).toMatchObject([{ kind: 'drop', index: 'users_email_idx', reason: 'not in indexes.yaml (prune is on)', locking: false }]);
    expect(pruned.unmanaged).toEqual([]);

    const kept = plan(desiredState([desiredTable('users', [declared])]), live, canonical);
    expect(kept.actions).toEqual([]);
    expect(kept.unmanaged).toEqual([
      { table: { schema: 'public', name: 'users' }, index: 'users_email_idx', definition: 'CREATE INDEX users_email_idx ON public.users USING btree (email)' },
    ]);
  });

  it('never drops or lists protected indexes, even with prune on', () => {
    const protectedIndexes = [
      liveIndex('users', 'users_pkey', 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)', { constraint: { name: 'users_pkey', type: 'p' } }),
      liveIndex('users', 'users_email_key', 'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)', { referencedByForeignKeys: ['orders.orders_email_fkey'] }),
      liveIndex('users', 'users_ri', 'CREATE UNIQUE INDEX users_ri ON public.users USING btree (role)', { replicaIdentity: true }),
      liveIndex('users', 'users_part_idx', 'CREATE INDEX users_part_idx ON public.users USING btree (role)', { parentIndex: 'public.parent_idx' }),
      liveIndex('users', 'users_ext_idx', 'CREATE INDEX users_ext_idx ON public.users USING btree (role)', { extension: 'postgis' }),
    ];
    const declared = desiredIndex('users', 'idx_users_role', { columns: [column('role')] });
    const result = plan(
      desiredState([desiredTable('users', [declared], { prune: true })]),
      liveState([usersTable], [liveIndex('users', 'idx_users_role', DEF_ROLE), ...protectedIndexes]),
      forms({ idx_users_role: DEF_ROLE }),
    );
    expect(result.actions).toEqual([]);
    expect(result.unmanaged).toEqual([]);
  });

  it('refuses to declare an index that backs a constraint, saying why', () => {
    const declared = desiredIndex('users', 'users_pkey', { unique: true, columns: [column('id')] });
    const result = plan(
      desiredState([desiredTable('users', [declared])]),
      liveState([usersTable], [liveIndex('users', 'users_pkey', 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)', { constraint: { name: 'users_pkey', type: 'p' } })]),
      forms({ users_pkey: 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)' }),
    );
    expect(result.actions).toEqual([]);
    expect(result.problems).toEqual([
      {
        file: 'indexes.yaml',
        line: 10,
        column: 7,
        path: 'tables.users.indexes.users_pkey',
        message: 'users_pkey cannot be declared: it backs the primary key "users_pkey" (constraints are managed with ALTER TABLE); remove it from indexes.yaml',
      },
    ]);
  });

  it('refuses a prune that would leave a declared table with none of its indexes, unless allowed', () => {
    const live = liveState([usersTable], [liveIndex('users', 'users_email_idx', 'CREATE INDEX users_email_idx ON public.users USING btree (email)')]);
    const desired = desiredState([desiredTable('users', [], { prune: true })]);
    const refused = plan(desired, live);
    expect(refused.actions).toEqual([]);
    expect(refused.problems.map((p) => p.message)).toEqual([
      'prune would drop all 1 index of public.users because its entry declares none; declare them, turn prune off, or pass --allow-empty',
    ]);
    const allowed = plan(desired, live, forms({}), { ...OPTIONS, allowEmpty: true });
    expect(kinds(allowed.actions)).toEqual(['drop users_email_idx']);
  });

  it('requires --allow-locking-drops to drop a partitioned index', () => {
    const live = liveState([usersTable], [liveIndex('users', 'p_idx', 'CREATE INDEX p_idx ON ONLY public.users USING btree (email)', { partitioned: true })]);
    const desired = desiredState([desiredTable('users', [desiredIndex('users', 'idx_users_role', { columns: [column('role')] })], { prune: true })]);
    const canonical = forms({ idx_users_role: DEF_ROLE });
    expect(plan(desired, live, canonical).problems.map((p) => p.message)).toEqual([
      'dropping the partitioned index p_idx takes an ACCESS EXCLUSIVE lock on public.users (PostgreSQL cannot drop it concurrently); pass --allow-locking-drops or set settings.allowLockingDrops',
    ]);
    const allowed = plan(desired, live, canonical, { ...OPTIONS, allowLockingDrops: true });
    expect(allowed.actions.at(-1)).toMatchObject({ kind: 'drop', locking: true, steps: [{ kind: 'drop-locking', sql: ['DROP INDEX IF EXISTS public.p_idx'] }] });
  });

  it('orders a table: skips, leftover drops, changes, then prune drops', () => {
    const declared = [
      desiredIndex('users', 'idx_a', { columns: [column('role')] }),
      desiredIndex('users', 'idx_b', { columns: [column('email')] }),
    ];
    const result = plan(
      desiredState([desiredTable('users', declared, { prune: true })]),
      liveState(
        [usersTable],
        [
          liveIndex('users', 'zz_old', 'CREATE INDEX zz_old ON public.users USING btree (refresh_token)'),
          liveIndex('users', 'idx_b', 'CREATE INDEX idx_b ON public.users USING btree (role)'),
          liveIndex('users', 'broken', 'CREATE INDEX broken ON public.users USING btree (id)', { valid: false }),
          liveIndex('users', 'running', 'CREATE INDEX running ON public.users USING btree (id)', { valid: false, build: { pid: 7, phase: 'initializing' } }),
        ],
      ),
      forms({ idx_a: 'CREATE INDEX idx_a ON public.users USING btree (role)', idx_b: 'CREATE INDEX idx_b ON public.users USING btree (email)' }),
    );
    expect(kinds(result.actions)).toEqual(['skip running', 'drop broken', 'create idx_a', 'replace idx_b', 'drop zz_old']);
  });
});

describe('computePlan: plan-time errors name the manifest position', () => {
  it('reports a missing table, a missing column, an unknown method, a canonicalisation error, and a role that does not own the table', () => {
    const desired = desiredState([
      desiredTable('ghosts', [desiredIndex('ghosts', 'idx_ghost')]),
      desiredTable('users', [
        desiredIndex('users', 'idx_typo', { columns: [column('emial')] }),
        desiredIndex('users', 'idx_vec', { method: 'hnsw', columns: [column('email')] }),
        desiredIndex('users', 'idx_bad_opclass', { columns: [column('email', { opclass: 'nope_ops' })] }),
      ]),
      desiredTable('orders', [desiredIndex('orders', 'idx_orders_id')]),
    ]);
    const live = liveState([usersTable, liveTable('orders', ['id'], { ownedByCurrentRole: false, owner: 'admin' })], []);
    const result = plan(
      desired,
      live,
      forms({
        idx_typo: { error: 'unused' },
        idx_bad_opclass: { error: 'operator class "nope_ops" does not exist for access method "btree"' },
        idx_vec: { error: 'unused' },
        idx_orders_id: 'CREATE INDEX idx_orders_id ON public.orders USING btree (id)',
      }),
    );
    expect(result.actions).toEqual([]);
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      '5:3 tables.ghosts: table public.ghosts does not exist',
      '1:1 columns.emial: column "emial" does not exist in public.users (it has: id, email, role, refresh_token)',
      '10:7 tables.users.indexes.idx_vec: access method "hnsw" does not exist in this database (it has: btree, hash, gist, gin, spgist, brin); is its extension installed?',
      '10:7 tables.users.indexes.idx_bad_opclass: operator class "nope_ops" does not exist for access method "btree"',
      '5:3 tables.orders: role "app" does not own table public.orders (owner: "admin"); CREATE INDEX needs the owner or a member of its role',
    ]);
  });

  it('prints the columns a table has escaped, so a column name cannot forge a line of the message', () => {
    const desired = desiredState([desiredTable('notes', [desiredIndex('notes', 'idx_notes_x', { columns: [column('x')] })])]);
    const live = liveState([liveTable('notes', ['id', 'a\nError: forged'])], []);
    const result = plan(desired, live, forms({ idx_notes_x: { error: 'unused' } }));
    expect(result.problems.map((p) => p.message)).toEqual(['column "x" does not exist in public.notes (it has: id, "a\\nError: forged")']);
  });

  it('reports canonicalisation errors at the index', () => {
    const result = plan(
      desiredState([desiredTable('users', [desiredIndex('users', 'idx_bad_opclass', { columns: [column('email', { opclass: 'nope_ops' })] })])]),
      liveState([usersTable], []),
      forms({ idx_bad_opclass: { error: 'operator class "nope_ops" does not exist for access method "btree"' } }),
    );
    expect(result.problems).toEqual([
      {
        file: 'indexes.yaml',
        line: 10,
        column: 7,
        path: 'tables.users.indexes.idx_bad_opclass',
        message: 'operator class "nope_ops" does not exist for access method "btree"',
      },
    ]);
  });

  it('refuses nullsNotDistinct before PostgreSQL 15', () => {
    const result = plan(
      desiredState([desiredTable('users', [desiredIndex('users', 'idx_nnd', { unique: true, nullsNotDistinct: true, columns: [column('email')] })])]),
      liveState([usersTable], [], { serverVersionNum: 140011, serverVersion: '14.11' }),
      forms({ idx_nnd: 'CREATE UNIQUE INDEX idx_nnd ON public.users USING btree (email) NULLS NOT DISTINCT' }),
    );
    expect(result.problems.map((p) => p.message)).toEqual(['nullsNotDistinct needs PostgreSQL 15 or later (the server is 14.11)']);
  });

  it('warns about PostgreSQL 14.0–14.3', () => {
    const result = plan(desiredState([]), liveState([], [], { serverVersionNum: 140002, serverVersion: '14.2' }));
    expect(result.warnings).toEqual([
      'PostgreSQL 14.2 can corrupt indexes built with CREATE INDEX CONCURRENTLY (fixed in 14.4): upgrade before applying.',
    ]);
  });
});

describe('computePlan: partitioned tables', () => {
  const partition = (name: string, parentName: string, isLeaf = true) => ({ schema: 'public', name, parentSchema: 'public', parentName, isLeaf, sizeBytes: 8192 });
  const events = liveTable('events', ['id', 'at', 'kind'], {
    kind: 'partitioned',
    partitions: [partition('events_2024', 'events'), partition('events_2025', 'events', false), partition('events_2025_a', 'events_2025')],
  });
  const declared = desiredIndex('events', 'idx_events_at', { columns: [column('at')] });
  const parentDef = 'CREATE INDEX idx_events_at ON ONLY public.events USING btree (at)';
  const canonical = forms({ idx_events_at: parentDef });

  it('creates online: ON ONLY on the parent and intermediates, concurrent leaf builds, attaches bottom-up', () => {
    const result = plan(desiredState([desiredTable('events', [declared])]), liveState([events], []), canonical);
    expect(result.problems).toEqual([]);
    expect(result.actions[0]!.steps.map((s) => [s.kind, s.sql[0], s.partition?.name])).toEqual([
      ['build-parent', 'CREATE INDEX idx_events_at ON ONLY public.events USING btree (at)', undefined],
      ['build', 'CREATE INDEX CONCURRENTLY idx_events_at_events_2024 ON public.events_2024 USING btree (at)', 'events_2024'],
      ['attach', 'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_2024', 'events_2024'],
      ['build-parent', 'CREATE INDEX idx_events_at_events_2025 ON ONLY public.events_2025 USING btree (at)', 'events_2025'],
      ['build', 'CREATE INDEX CONCURRENTLY idx_events_at_events_2025_a ON public.events_2025_a USING btree (at)', 'events_2025_a'],
      ['attach', 'ALTER INDEX public.idx_events_at_events_2025 ATTACH PARTITION public.idx_events_at_events_2025_a', 'events_2025_a'],
      ['attach', 'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_2025', 'events_2025'],
    ]);
    expect(result.actions[0]!.steps.every((s) => !/^CREATE INDEX (?!CONCURRENTLY)\S+ ON (?!ONLY)/.test(s.sql[0]!))).toBe(true);
  });

  it('reuses a valid leaf index with the same definition instead of building a duplicate', () => {
    const result = plan(
      desiredState([desiredTable('events', [declared])]),
      liveState([events], [liveIndex('events_2024', 'events_2024_at_idx', 'CREATE INDEX events_2024_at_idx ON public.events_2024 USING btree (at)')]),
      canonical,
    );
    expect(result.actions[0]!.steps.slice(1, 2).map((s) => s.sql[0])).toEqual([
      'ALTER INDEX public.idx_events_at ATTACH PARTITION public.events_2024_at_idx',
    ]);
  });

  it('finishes an interrupted build: only the partitions without an attached index', () => {
    const result = plan(
      desiredState([desiredTable('events', [declared])]),
      liveState(
        [events],
        [
          liveIndex('events', 'idx_events_at', parentDef, { partitioned: true, valid: false }),
          liveIndex('events_2024', 'idx_events_at_events_2024', 'CREATE INDEX idx_events_at_events_2024 ON public.events_2024 USING btree (at)', { parentIndex: 'public.idx_events_at' }),
        ],
      ),
      canonical,
    );
    expect(result.actions).toHaveLength(1);
    expect(result.actions[0]).toMatchObject({ kind: 'rebuild', reason: 'invalid: an interrupted build left partitions without their index; finishing them' });
    expect(result.actions[0]!.steps.map((s) => s.sql[0])).toEqual([
      'CREATE INDEX idx_events_at_events_2025 ON ONLY public.events_2025 USING btree (at)',
      'CREATE INDEX CONCURRENTLY idx_events_at_events_2025_a ON public.events_2025_a USING btree (at)',
      'ALTER INDEX public.idx_events_at_events_2025 ATTACH PARTITION public.idx_events_at_events_2025_a',
      'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_2025',
    ]);
  });

  it('builds anew when an invalid leaf index was attached, which needs --allow-locking-drops', () => {
    const live = liveState(
      [events],
      [
        liveIndex('events', 'idx_events_at', parentDef, { partitioned: true, valid: false }),
        liveIndex('events_2024', 'idx_events_at_events_2024', 'CREATE INDEX idx_events_at_events_2024 ON public.events_2024 USING btree (at)', { parentIndex: 'public.idx_events_at', valid: false }),
      ],
    );
    const desired = desiredState([desiredTable('events', [declared])]);
    expect(plan(desired, live, canonical).problems.map((p) => p.message)).toEqual([
      'the rebuild of the partitioned index idx_events_at drops the old one, which takes an ACCESS EXCLUSIVE lock on public.events (PostgreSQL cannot drop it concurrently); pass --allow-locking-drops or set settings.allowLockingDrops',
    ]);
    const allowed = plan(desired, live, canonical, { ...OPTIONS, allowLockingDrops: true });
    expect(allowed.actions[0]).toMatchObject({ kind: 'rebuild', reason: 'invalid: its partition public.events_2024 has an invalid index idx_events_at_events_2024 attached; building it anew' });
    const sql = allowed.actions[0]!.steps.map((s) => s.sql.join('; '));
    expect(sql[0]).toBe('CREATE INDEX idx_events_at_reconcile_new ON ONLY public.events USING btree (at)');
    expect(sql.slice(-2)).toEqual([
      'ALTER INDEX public.idx_events_at RENAME TO idx_events_at_reconcile_old; ALTER INDEX public.idx_events_at_reconcile_new RENAME TO idx_events_at',
      'DROP INDEX IF EXISTS public.idx_events_at_reconcile_old',
    ]);
  });

  it('never lists partition child indexes as unmanaged, even with prune on', () => {
    const result = plan(
      desiredState([desiredTable('events', [declared], { prune: true })]),
      liveState(
        [events],
        [
          liveIndex('events', 'idx_events_at', parentDef, { partitioned: true }),
          liveIndex('events_2024', 'idx_events_at_events_2024', 'CREATE INDEX idx_events_at_events_2024 ON public.events_2024 USING btree (at)', { parentIndex: 'public.idx_events_at' }),
        ],
      ),
      canonical,
    );
    expect(result.actions).toEqual([]);
    expect(result.unmanaged).toEqual([]);
  });
});

describe('computePlan: statistics after expression builds', () => {
  it('analyzes a table once, after its last expression build', () => {
    const result = plan(
      desiredState([
        desiredTable('users', [
          desiredIndex('users', 'idx_a', { columns: [expression('lower(email)')] }),
          desiredIndex('users', 'idx_b', { columns: [column('role')] }),
          desiredIndex('users', 'idx_c', { columns: [expression('upper(role)')] }),
          desiredIndex('users', 'idx_d', { columns: [column('email')] }),
        ]),
      ]),
      liveState([usersTable], []),
      forms({
        idx_a: 'CREATE INDEX idx_a ON public.users USING btree (lower(email))',
        idx_b: 'CREATE INDEX idx_b ON public.users USING btree (role)',
        idx_c: 'CREATE INDEX idx_c ON public.users USING btree (upper(role))',
        idx_d: 'CREATE INDEX idx_d ON public.users USING btree (email)',
      }),
    );
    expect(result.actions.map((a) => `${a.index}: ${a.steps.map((s) => s.kind).join(' ')}`)).toEqual([
      'idx_a: build',
      'idx_b: build',
      'idx_c: build analyze',
      'idx_d: build',
    ]);
  });
});

describe('computePlan: the declarable-index policy', () => {
  const EMAIL_DEF = 'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)';
  const fkIndex = liveIndex('users', 'users_email_key', EMAIL_DEF, { referencedByForeignKeys: ['public.orders.orders_email_fkey'], comment: 'old' });
  const riIndex = liveIndex('users', 'users_ri', 'CREATE UNIQUE INDEX users_ri ON public.users USING btree (role)', { replicaIdentity: true });
  const emailKey = (extra: Partial<Parameters<typeof desiredIndex>[2]> = {}) =>
    desiredIndex('users', 'users_email_key', { unique: true, columns: [column('email')], comment: 'old', ...extra });

  it('compares a declared index that foreign keys rely on like any other: same is no change, a comment is a comment', () => {
    const same = plan(desiredState([desiredTable('users', [emailKey()])]), liveState([usersTable], [fkIndex]), forms({ users_email_key: EMAIL_DEF }));
    expect(same.problems).toEqual([]);
    expect(same.actions).toEqual([]);
    const commented = plan(desiredState([desiredTable('users', [emailKey({ comment: 'new' })])]), liveState([usersTable], [fkIndex]), forms({ users_email_key: EMAIL_DEF }));
    expect(kinds(commented.actions)).toEqual(['comment users_email_key']);
  });

  it('refuses to change a declared index that foreign keys rely on, naming them: a replace would drop it', () => {
    const result = plan(
      desiredState([desiredTable('users', [emailKey({ columns: [column('email'), column('id')] })])]),
      liveState([usersTable], [fkIndex]),
      forms({ users_email_key: 'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email, id)' }),
    );
    expect(result.actions).toEqual([]);
    expect(result.problems).toEqual([
      {
        file: 'indexes.yaml',
        line: 10,
        column: 7,
        path: 'tables.users.indexes.users_email_key',
        message:
          'users_email_key cannot be changed (its definition differs): foreign keys rely on it (public.orders.orders_email_fkey), and a replace would have to drop it; ' +
          `declare it as it is (${EMAIL_DEF}), or change it by hand and move what relies on it first`,
      },
    ]);
  });

  it('refuses to move the replica identity index to another tablespace, naming the replica identity', () => {
    const result = plan(
      desiredState([desiredTable('users', [desiredIndex('users', 'users_ri', { unique: true, columns: [column('role')], tablespace: 'fast' })])]),
      liveState([usersTable], [riIndex], {
        tablespaces: [
          { name: 'pg_default', canCreate: true },
          { name: 'fast', canCreate: true },
        ],
      }),
      forms({ users_ri: riIndex.definition }),
    );
    expect(result.problems.map((p) => p.message)).toEqual([
      'users_ri cannot be changed (its tablespace differs): it is the replica identity of its table (logical replication of UPDATE and DELETE needs it), and a replace would have to drop it; ' +
        `declare it as it is (${riIndex.definition}), or change it by hand and move what relies on it first`,
    ]);
  });

  it('refuses to rebuild an invalid index that foreign keys rely on', () => {
    const result = plan(
      desiredState([desiredTable('users', [emailKey()])]),
      liveState([usersTable], [{ ...fkIndex, valid: false }]),
      forms({ users_email_key: EMAIL_DEF }),
    );
    expect(result.problems.map((p) => p.message)).toEqual([
      'users_email_key is invalid and cannot be rebuilt: foreign keys rely on it (public.orders.orders_email_fkey), and a rebuild would have to drop it; repair it by hand (REINDEX INDEX CONCURRENTLY)',
    ]);
  });

  it('lists an undeclared kept index as unmanaged without prune, and never drops it, invalid or not, with prune', () => {
    const live = liveState([usersTable], [fkIndex, { ...riIndex, valid: false }]);
    const kept = plan(desiredState([desiredTable('users', [])]), live);
    expect(kept.actions).toEqual([]);
    expect(kept.unmanaged.map((u) => u.index)).toEqual(['users_email_key', 'users_ri']);
    const pruned = plan(desiredState([desiredTable('users', [], { prune: true })]), live);
    expect(pruned.problems).toEqual([]);
    expect(pruned.actions).toEqual([]);
    expect(pruned.unmanaged).toEqual([]);
  });

  it('renames a kept twin to its declared name: a rename drops nothing', () => {
    const result = plan(
      desiredState([desiredTable('users', [desiredIndex('users', 'users_email_uq', { unique: true, columns: [column('email')] })])]),
      liveState([usersTable], [fkIndex]),
      forms({ users_email_uq: 'CREATE UNIQUE INDEX users_email_uq ON public.users USING btree (email)' }),
    );
    expect(kinds(result.actions)).toEqual(['rename users_email_uq']);
  });

  it('says who owns an index that cannot be declared: the partitioned index, the extension', () => {
    const result = plan(
      desiredState([
        desiredTable('users', [
          desiredIndex('users', 'users_part_idx', { columns: [column('role')] }),
          desiredIndex('users', 'users_ext_idx', { columns: [column('email')] }),
        ]),
      ]),
      liveState(
        [usersTable],
        [
          liveIndex('users', 'users_part_idx', 'CREATE INDEX users_part_idx ON public.users USING btree (role)', { parentIndex: 'public.parent_idx' }),
          liveIndex('users', 'users_ext_idx', 'CREATE INDEX users_ext_idx ON public.users USING btree (email)', { extension: 'postgis' }),
        ],
      ),
      forms({
        users_part_idx: 'CREATE INDEX users_part_idx ON public.users USING btree (role)',
        users_ext_idx: 'CREATE INDEX users_ext_idx ON public.users USING btree (email)',
      }),
    );
    expect(result.problems.map((p) => p.message)).toEqual([
      'users_part_idx cannot be declared: it is attached to the partitioned index public.parent_idx, which owns it (declare that one on its partitioned table); remove it from indexes.yaml',
      'users_ext_idx cannot be declared: it belongs to the extension "postgis", which manages it; remove it from indexes.yaml',
    ]);
  });

  it('says what a declared view is', () => {
    const result = plan(
      desiredState([desiredTable('active_users', [desiredIndex('active_users', 'idx_active')])]),
      liveState([], [], { notIndexable: new Map([['public.active_users', 'v']]) }),
    );
    expect(result.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'tables.active_users: public.active_users is a view; only tables, partitioned tables and materialized views have indexes',
    ]);
  });

  it("plans a partition's own index under the partition's key like any index", () => {
    const events2024 = liveTable('events_2024', ['id', 'at']);
    const own = liveIndex('events_2024', 'events_2024_id', 'CREATE INDEX events_2024_id ON public.events_2024 USING btree (id)');
    const attached = liveIndex('events_2024', 'events_2024_at_idx', 'CREATE INDEX events_2024_at_idx ON public.events_2024 USING btree (at)', { parentIndex: 'public.events_at' });
    const same = plan(
      desiredState([desiredTable('events_2024', [desiredIndex('events_2024', 'events_2024_id')], { prune: true })]),
      liveState([events2024], [own, attached]),
      forms({ events_2024_id: own.definition }),
    );
    expect(same.problems).toEqual([]);
    expect(same.actions).toEqual([]);
    const pruned = plan(desiredState([desiredTable('events_2024', [], { prune: true })]), liveState([events2024], [own, attached]), forms({}), { ...OPTIONS, allowEmpty: true });
    expect(kinds(pruned.actions)).toEqual(['drop events_2024_id']);
  });
});

describe('computePlan: actions never work against each other', () => {
  const partition = (name: string) => ({ schema: 'public', name, parentSchema: 'public', parentName: 'events', isLeaf: true, sizeBytes: 8192 });
  const events = liveTable('events', ['id', 'at'], { kind: 'partitioned', partitions: [partition('events_2024'), partition('events_2025')] });
  const events2024 = liveTable('events_2024', ['id', 'at']);
  const events2025 = liveTable('events_2025', ['id', 'at']);
  const parentDef = 'CREATE INDEX idx_events_at ON ONLY public.events USING btree (at)';
  const declared = desiredIndex('events', 'idx_events_at', { columns: [column('at')] });
  const halfBuilt = [
    liveIndex('events', 'idx_events_at', parentDef, { partitioned: true, valid: false }),
    liveIndex('events_2024', 'idx_events_at_events_2024', 'CREATE INDEX idx_events_at_events_2024 ON public.events_2024 USING btree (at)', { parentIndex: 'public.idx_events_at' }),
    // A matching valid index on the other partition, attached to nothing.
    liveIndex('events_2025', 'events_2025_at', 'CREATE INDEX events_2025_at ON public.events_2025 USING btree (at)'),
  ];

  it('does not prune the partition index a half-built partitioned index attaches', () => {
    const result = plan(
      desiredState([
        desiredTable('events', [declared], { prune: true }),
        desiredTable('events_2025', [desiredIndex('events_2025', 'events_2025_id')], { prune: true }),
      ]),
      liveState([events, events2024, events2025], [...halfBuilt, liveIndex('events_2025', 'events_2025_id', 'CREATE INDEX events_2025_id ON public.events_2025 USING btree (id)')]),
      forms({ idx_events_at: parentDef, events_2025_id: 'CREATE INDEX events_2025_id ON public.events_2025 USING btree (id)' }),
    );
    expect(result.problems).toEqual([]);
    expect(result.actions).toEqual([
      {
        kind: 'rebuild',
        table: { schema: 'public', name: 'events' },
        index: 'idx_events_at',
        reason: 'invalid: an interrupted build left partitions without their index; finishing them',
        definition: parentDef,
        cost: { tableBytes: 8192000, estimatedRows: 100000 },
        steps: [
          {
            kind: 'attach',
            sql: ['ALTER INDEX public.idx_events_at ATTACH PARTITION public.events_2025_at'],
            partition: { schema: 'public', name: 'events_2025' },
          },
        ],
      },
    ]);
  });

  it('does not count a partition with nothing left to prune as emptied by prune', () => {
    const result = plan(
      desiredState([desiredTable('events', [declared]), desiredTable('events_2025', [], { prune: true })]),
      liveState([events, events2024, events2025], halfBuilt),
      forms({ idx_events_at: parentDef }),
    );
    expect(result.problems).toEqual([]);
    expect(kinds(result.actions)).toEqual(['rebuild idx_events_at']);
  });

  it('does not attach a partition index the manifest declares on the partition, nor one a rename there takes over', () => {
    const result = plan(
      desiredState([
        desiredTable('events', [declared]),
        desiredTable('events_2024', [desiredIndex('events_2024', 'events_2024_at', { columns: [column('at')] })]),
        desiredTable('events_2025', [desiredIndex('events_2025', 'events_2025_at_renamed', { columns: [column('at')] })]),
      ]),
      liveState(
        [events, events2024, events2025],
        [
          liveIndex('events_2024', 'events_2024_at', 'CREATE INDEX events_2024_at ON public.events_2024 USING btree (at)'),
          liveIndex('events_2025', 'events_2025_at', 'CREATE INDEX events_2025_at ON public.events_2025 USING btree (at)'),
        ],
      ),
      forms({
        idx_events_at: parentDef,
        events_2024_at: 'CREATE INDEX events_2024_at ON public.events_2024 USING btree (at)',
        events_2025_at_renamed: 'CREATE INDEX events_2025_at_renamed ON public.events_2025 USING btree (at)',
      }),
    );
    expect(result.problems).toEqual([]);
    expect(kinds(result.actions)).toEqual(['create idx_events_at', 'rename events_2025_at_renamed']);
    expect(result.actions[0]!.steps.map((s) => s.sql[0])).toEqual([
      'CREATE INDEX idx_events_at ON ONLY public.events USING btree (at)',
      'CREATE INDEX CONCURRENTLY idx_events_at_events_2024 ON public.events_2024 USING btree (at)',
      'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_2024',
      'CREATE INDEX CONCURRENTLY idx_events_at_events_2025 ON public.events_2025 USING btree (at)',
      'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_2025',
    ]);
  });

  it('drops first an invalid leftover under a partition index name the build needs, once, and refuses a valid one there', () => {
    const leftover = liveIndex('events_2025', 'idx_events_at_events_2025', 'CREATE UNIQUE INDEX idx_events_at_events_2025 ON public.events_2025 USING btree (id)', { valid: false });
    const desired = desiredState([desiredTable('events', [declared]), desiredTable('events_2025', [])]);
    const result = plan(desired, liveState([events, events2024, events2025], [...halfBuilt.slice(0, 2), leftover]), forms({ idx_events_at: parentDef }));
    expect(result.problems).toEqual([]);
    expect(kinds(result.actions)).toEqual(['rebuild idx_events_at']);
    expect(result.actions[0]!.steps.map((s) => [s.kind, s.sql[0], s.partition?.name])).toEqual([
      ['drop', 'DROP INDEX CONCURRENTLY IF EXISTS public.idx_events_at_events_2025', 'events_2025'],
      ['build', 'CREATE INDEX CONCURRENTLY idx_events_at_events_2025 ON public.events_2025 USING btree (at)', 'events_2025'],
      ['attach', 'ALTER INDEX public.idx_events_at ATTACH PARTITION public.idx_events_at_events_2025', 'events_2025'],
    ]);

    const taken = plan(desired, liveState([events, events2024, events2025], [...halfBuilt.slice(0, 2), { ...leftover, valid: true }]), forms({ idx_events_at: parentDef }));
    expect(taken.problems.map((p) => p.message)).toEqual([
      'the rebuild of idx_events_at builds idx_events_at_events_2025 on public.events_2025, where an index of that name exists (CREATE UNIQUE INDEX idx_events_at_events_2025 ON public.events_2025 USING btree (id)); rename or drop it',
    ]);
  });

  it('does not drop a leftover the partitioned build attaches', () => {
    const leftover = liveIndex('events_2025', 'events_2025_at_reconcile_new', 'CREATE INDEX events_2025_at_reconcile_new ON public.events_2025 USING btree (at)');
    const result = plan(
      desiredState([desiredTable('events', [declared]), desiredTable('events_2025', [desiredIndex('events_2025', 'events_2025_id')])]),
      liveState([events, events2024, events2025], [...halfBuilt.slice(0, 2), leftover, liveIndex('events_2025', 'events_2025_id', 'CREATE INDEX events_2025_id ON public.events_2025 USING btree (id)')]),
      forms({ idx_events_at: parentDef, events_2025_id: 'CREATE INDEX events_2025_id ON public.events_2025 USING btree (id)' }),
    );
    expect(result.problems).toEqual([]);
    expect(kinds(result.actions)).toEqual(['rebuild idx_events_at']);
    expect(result.actions[0]!.steps.map((s) => s.sql[0])).toEqual(['ALTER INDEX public.idx_events_at ATTACH PARTITION public.events_2025_at_reconcile_new']);
  });
});
