/*
 * Catalog introspection against real PostgreSQL: each LiveTable / LiveIndex field read from real state.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import type { LiveIndex, LiveState } from '../../src/core/model.js';
import { readLiveState } from '../../src/io/catalog.js';
import type { TableName } from '../../src/io/catalog-snapshot.js';
import { connect, type Session } from '../../src/io/db.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

const SETUP = `
CREATE EXTENSION pg_trgm;
CREATE TABLE accounts (id int PRIMARY KEY, code text, email varchar(100), dropped int, CONSTRAINT accounts_email_key UNIQUE (email));
ALTER TABLE accounts DROP COLUMN dropped;
CREATE UNIQUE INDEX accounts_code_idx ON accounts (code);
CREATE TABLE payments (id int, account_code text REFERENCES accounts (code));
CREATE TABLE orders (id int, account_id int REFERENCES accounts (id));
CREATE TABLE bookings (room int, during tstzrange, CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&));
CREATE TABLE replicated (id int NOT NULL, v int);
CREATE UNIQUE INDEX replicated_id ON replicated (id);
ALTER TABLE replicated REPLICA IDENTITY USING INDEX replicated_id;
CREATE TABLE events (id int, at date, v int) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (at);
CREATE TABLE events_2024_h1 PARTITION OF events_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX events_v ON events (v);
INSERT INTO events SELECT i, DATE '2024-01-01' + (i % 100), i FROM generate_series(1, 300) i;
INSERT INTO events SELECT i, DATE '2025-03-01', i FROM generate_series(1, 200) i;
ANALYZE events;
CREATE TABLE sized (id int, body text);
INSERT INTO sized SELECT i, repeat('x', 100) FROM generate_series(1, 1000) i;
CREATE INDEX sized_id ON sized (id);
COMMENT ON INDEX sized_id IS 'lookup by id';
ANALYZE sized;
CREATE TABLE never_analyzed (id int);
CREATE TABLE ext_owned (id int);
CREATE INDEX ext_owned_id ON ext_owned (id);
ALTER EXTENSION pg_trgm ADD TABLE ext_owned;
CREATE TABLE dups (v int);
INSERT INTO dups VALUES (1), (1);
CREATE TABLE building (v int);
CREATE VIEW a_view AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW a_matview AS SELECT id FROM sized;
CREATE INDEX a_matview_id ON a_matview (id);
CREATE SCHEMA "Other Schema";
CREATE TABLE "Other Schema"."Mixed" ("Id" int);
CREATE INDEX "Mixed_Id" ON "Other Schema"."Mixed" ("Id" DESC);
`;

const T = (name: string, schema = 'public'): TableName => ({ schema, name });
const ALL = [
  'accounts', 'payments', 'orders', 'bookings', 'replicated', 'events', 'sized', 'never_analyzed', 'ext_owned', 'dups', 'a_matview',
].map((name) => T(name));

let db: TestDatabase;
let session: Session;
let state: LiveState;

function indexNamed(name: string, from: LiveState = state): LiveIndex {
  const found = from.indexes.find((i) => i.name === name);
  if (!found) throw new Error(`no live index ${name}; have ${from.indexes.map((i) => i.name).join(', ')}`);
  return found;
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(SETUP);
  // A failed concurrent unique build over duplicates leaves an invalid index behind.
  await expect(db.query('CREATE UNIQUE INDEX CONCURRENTLY dups_v ON dups (v)')).rejects.toThrow(/could not create unique index/);
  session = await connect({ connectionString: db.url, display: 'test database', secrets: [] });
  state = await readLiveState(session, [...ALL, T('a_view'), T('no_such_table'), T('Mixed', 'Other Schema')]);
});

afterAll(async () => {
  await session?.end();
});

describe('server and role', () => {
  it('reads the version, the current role and the index access methods', () => {
    expect(Math.floor(state.serverVersionNum / 10_000)).toBe(db.major);
    expect(state.serverVersion).toMatch(new RegExp(`^${db.major}\\.`));
    expect(state.currentRole).toBe('postgres');
    expect(state.accessMethods).toEqual(expect.arrayContaining(['brin', 'btree', 'gin', 'gist', 'hash', 'spgist']));
    expect(state.accessMethods).not.toContain('heap');
  });
});

describe('tables', () => {
  it('leaves out tables that do not exist and relations that are not tables (a view)', () => {
    expect(state.tables.has('public.no_such_table')).toBe(false);
    expect(state.tables.has('public.a_view')).toBe(false);
    expect(state.tables.size).toBe(ALL.length + 1);
  });

  it('says what a declared relation that cannot have indexes is (a view), in the same read', () => {
    expect(state.notIndexable).toEqual(new Map([['public.a_view', 'v']]));
  });

  it('reads kind, owner, ownership and columns (dropped ones left out, types with modifiers)', () => {
    const accounts = state.tables.get('public.accounts')!;
    expect(accounts).toMatchObject({ schema: 'public', name: 'accounts', kind: 'table', owner: 'postgres', ownedByCurrentRole: true });
    expect(accounts.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'code', type: 'text' },
      { name: 'email', type: 'character varying(100)' },
    ]);
    expect(state.tables.get('public.a_matview')!.kind).toBe('matview');
    expect(state.tables.get('public.events')!.kind).toBe('partitioned');
    expect(state.tables.get('Other Schema.Mixed')).toMatchObject({ schema: 'Other Schema', name: 'Mixed', columns: [{ name: 'Id', type: 'integer' }] });
  });

  it('reads size from relpages and estimated rows from reltuples, undefined when never analyzed', async () => {
    const { rows } = await db.query<{ size: string }>(`SELECT pg_relation_size('sized') AS size`);
    const sized = state.tables.get('public.sized')!;
    expect(sized.sizeBytes).toBe(Number(rows[0]!.size));
    expect(sized.sizeBytes).toBeGreaterThan(0);
    expect(sized.estimatedRows).toBe(1000);
    const never = state.tables.get('public.never_analyzed')!;
    expect(never.sizeBytes).toBe(0);
    expect(never.estimatedRows).toBeUndefined();
    expect('estimatedRows' in never).toBe(false);
  });

  it('reads the partition tree with direct parents, leaves and sizes, and sums the leaves for the parent', async () => {
    const events = state.tables.get('public.events')!;
    expect(events.partitions.map((p) => ({ ...p, sizeBytes: p.sizeBytes > 0 }))).toEqual([
      { schema: 'public', name: 'events_2024', parentSchema: 'public', parentName: 'events', isLeaf: false, sizeBytes: false },
      { schema: 'public', name: 'events_2025', parentSchema: 'public', parentName: 'events', isLeaf: true, sizeBytes: true },
      { schema: 'public', name: 'events_2024_h1', parentSchema: 'public', parentName: 'events_2024', isLeaf: true, sizeBytes: true },
    ]);
    const { rows } = await db.query<{ size: string }>(`SELECT (pg_relation_size('events_2025') + pg_relation_size('events_2024_h1'))::text AS size`);
    expect(events.sizeBytes).toBe(Number(rows[0]!.size));
    expect(events.estimatedRows).toBe(500);
    expect(state.tables.get('public.accounts')!.partitions).toEqual([]);
  });
});

describe('indexes', () => {
  it('reads every index on the declared tables, with its definition as pg_get_indexdef prints it', async () => {
    const names = state.indexes.map((i) => i.name);
    for (const name of ['accounts_pkey', 'accounts_email_key', 'accounts_code_idx', 'bookings_no_overlap', 'replicated_id', 'sized_id', 'a_matview_id', 'Mixed_Id']) {
      expect(names).toContain(name);
    }
    expect(names).not.toContain('no_such_index');
    expect(indexNamed('Mixed_Id')).toMatchObject({
      schema: 'Other Schema',
      table: 'Mixed',
      definition: 'CREATE INDEX "Mixed_Id" ON "Other Schema"."Mixed" USING btree ("Id" DESC)',
    });
    expect(indexNamed('sized_id')).toMatchObject({
      schema: 'public',
      table: 'sized',
      definition: 'CREATE INDEX sized_id ON public.sized USING btree (id)',
      method: 'btree',
      valid: true,
      ready: true,
      unique: false,
      partitioned: false,
      replicaIdentity: false,
      referencedByForeignKeys: [],
    });
    expect(indexNamed('sized_id').constraint).toBeUndefined();
  });

  it('reads the constraint an index backs: primary key, unique, exclusion', () => {
    expect(indexNamed('accounts_pkey')).toMatchObject({ unique: true, constraint: { name: 'accounts_pkey', type: 'p' } });
    expect(indexNamed('accounts_email_key')).toMatchObject({ unique: true, constraint: { name: 'accounts_email_key', type: 'u' } });
    expect(indexNamed('bookings_no_overlap')).toMatchObject({ method: 'gist', unique: false, constraint: { name: 'bookings_no_overlap', type: 'x' } });
    expect(indexNamed('accounts_code_idx').constraint).toBeUndefined();
  });

  it('reads which foreign keys use an index, a plain unique index included', () => {
    expect(indexNamed('accounts_code_idx').referencedByForeignKeys).toEqual(['public.payments.payments_account_code_fkey']);
    expect(indexNamed('accounts_pkey').referencedByForeignKeys).toEqual(['public.orders.orders_account_id_fkey']);
    expect(indexNamed('accounts_email_key').referencedByForeignKeys).toEqual([]);
  });

  it('reads the replica identity index', () => {
    expect(indexNamed('replicated_id').replicaIdentity).toBe(true);
    expect(indexNamed('accounts_pkey').replicaIdentity).toBe(false);
  });

  it('reads partitioned indexes and the partitions’ child indexes with their parent index', async () => {
    expect(indexNamed('events_v')).toMatchObject({
      table: 'events',
      partitioned: true,
      valid: true,
      definition: 'CREATE INDEX events_v ON ONLY public.events USING btree (v)',
    });
    expect(indexNamed('events_v').parentIndex).toBeUndefined();
    expect(indexNamed('events_2024_v_idx')).toMatchObject({ table: 'events_2024', partitioned: true, parentIndex: 'public.events_v' });
    expect(indexNamed('events_2024_h1_v_idx')).toMatchObject({ table: 'events_2024_h1', partitioned: false, parentIndex: 'public.events_2024_v_idx' });
    expect(indexNamed('events_2025_v_idx')).toMatchObject({ table: 'events_2025', partitioned: false, parentIndex: 'public.events_v' });
    // A partitioned index has no storage of its own: its size is its leaves'.
    const { rows } = await db.query<{ size: string }>(
      `SELECT (pg_relation_size('events_2024_h1_v_idx') + pg_relation_size('events_2025_v_idx'))::text AS size`,
    );
    expect(indexNamed('events_v').sizeBytes).toBe(Number(rows[0]!.size));
    expect(indexNamed('events_v').sizeBytes).toBeGreaterThan(0);
  });

  it('reads the extension a table (and so its index) belongs to', () => {
    // No contrib extension ships a table with an index; a superuser can make a table an extension member.
    expect(indexNamed('ext_owned_id').extension).toBe('pg_trgm');
    expect(indexNamed('sized_id').extension).toBeUndefined();
  });

  it('reads an invalid index left by a failed concurrent unique build', () => {
    expect(indexNamed('dups_v')).toMatchObject({ valid: false, ready: false, unique: true });
    expect(indexNamed('dups_v').build).toBeUndefined();
  });

  it('reads comments, sizes and the matview’s index', async () => {
    expect(indexNamed('sized_id').comment).toBe('lookup by id');
    expect(indexNamed('accounts_pkey').comment).toBeUndefined();
    const { rows } = await db.query<{ size: string }>(`SELECT pg_relation_size('sized_id') AS size`);
    expect(indexNamed('sized_id').sizeBytes).toBe(Number(rows[0]!.size));
    expect(indexNamed('a_matview_id')).toMatchObject({ table: 'a_matview', definition: 'CREATE INDEX a_matview_id ON public.a_matview USING btree (id)' });
  });

  it('reads scans (summed over leaves for a partitioned index) and, on 16+, the last scan', async () => {
    const scanner = await db.connect();
    await scanner.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
    await scanner.query('SELECT * FROM sized WHERE id = 5');
    await scanner.query(`SELECT * FROM events WHERE v = 5`);
    await scanner.end(); // a backend's statistics are flushed when it exits
    let read = state;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      read = await readLiveState(session, [T('sized'), T('events')]);
      if (indexNamed('sized_id', read).scans > 0 && indexNamed('events_v', read).scans > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(indexNamed('sized_id', read).scans).toBe(1);
    // The query on the parent scanned both leaves' indexes.
    expect(indexNamed('events_v', read).scans).toBe(2);
    if (db.major >= 16) {
      expect(Date.parse(indexNamed('sized_id', read).lastScan!)).toBeGreaterThan(Date.now() - 60_000);
      expect(Date.parse(indexNamed('events_v', read).lastScan!)).toBeGreaterThan(Date.now() - 60_000);
    } else {
      expect(indexNamed('sized_id', read).lastScan).toBeUndefined();
    }
    expect(indexNamed('accounts_pkey', state).lastScan).toBeUndefined();
  });

  it('reads a build running right now from the progress view', async () => {
    // An open writing transaction holds the concurrent build in "waiting for writers before build".
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('INSERT INTO building VALUES (1)');
    const builder = await db.connect();
    const { rows } = await builder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    const build = builder.query('CREATE INDEX CONCURRENTLY building_v ON building (v)');
    try {
      let phase: string | undefined;
      for (let attempt = 0; attempt < 100 && !phase?.startsWith('waiting'); attempt += 1) {
        const progress = await db.query<{ phase: string }>('SELECT phase FROM pg_stat_progress_create_index WHERE pid = $1', [pid]);
        phase = progress.rows[0]?.phase;
        if (!phase?.startsWith('waiting')) await new Promise((r) => setTimeout(r, 50));
      }
      expect(phase).toMatch(/^waiting for writers before build/);
      const during = await readLiveState(session, [T('building')]);
      expect(indexNamed('building_v', during)).toMatchObject({ valid: false, build: { pid, phase: 'waiting for writers before build' } });
    } finally {
      await holder.query('COMMIT');
      await build;
    }
    const after = await readLiveState(session, [T('building')]);
    expect(indexNamed('building_v', after)).toMatchObject({ valid: true, ready: true });
    expect(indexNamed('building_v', after).build).toBeUndefined();
  });
});

describe('tablespace', () => {
  let location: string | undefined;
  const name = `ts_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    if (!location) return;
    await db.query('DROP INDEX IF EXISTS in_tablespace_id').catch(() => undefined);
    await db.query(`DROP TABLESPACE IF EXISTS ${name}`).catch(() => undefined);
    fs.rmSync(location, { recursive: true, force: true });
  });

  it('reads the tablespace of an index outside the default one', async () => {
    location = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-ts-'));
    fs.chmodSync(location, 0o700);
    // The embedded server runs as an unprivileged `postgres` user when the tests run as root.
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      fs.chownSync(location, uid, gid);
    }
    await db.query(`CREATE TABLESPACE ${name} LOCATION '${location}'`);
    await db.query(`CREATE TABLE in_tablespace (id int); CREATE INDEX in_tablespace_id ON in_tablespace (id) TABLESPACE ${name}`);
    const read = await readLiveState(session, [T('in_tablespace'), T('sized')]);
    expect(indexNamed('in_tablespace_id', read).tablespace).toBe(name);
    // pg_get_indexdef never prints it
    expect(indexNamed('in_tablespace_id', read).definition).toBe('CREATE INDEX in_tablespace_id ON public.in_tablespace USING btree (id)');
    expect(indexNamed('sized_id', read).tablespace).toBeUndefined();
  });
});

describe('ownership', () => {
  it('tells whether the connected role may create indexes on each table', async () => {
    const suffix = randomBytes(4).toString('hex');
    const reader = `reader_${suffix}`;
    const team = `team_${suffix}`;
    const password = randomBytes(12).toString('hex');
    await db.query(`CREATE ROLE ${team} NOLOGIN; CREATE ROLE ${reader} LOGIN PASSWORD '${password}' IN ROLE ${team};
      CREATE TABLE team_table (id int); ALTER TABLE team_table OWNER TO ${team}`);
    const url = new URL(db.url);
    url.username = reader;
    url.password = password;
    const other = await connect({ connectionString: url.toString(), display: 'reader', secrets: [password] });
    try {
      const read = await readLiveState(other, [T('sized'), T('team_table')]);
      expect(read.currentRole).toBe(reader);
      expect(read.tables.get('public.sized')).toMatchObject({ owner: 'postgres', ownedByCurrentRole: false });
      expect(read.tables.get('public.team_table')).toMatchObject({ owner: team, ownedByCurrentRole: true });
      // A non-owner still reads every index.
      expect(indexNamed('sized_id', read).definition).toBe('CREATE INDEX sized_id ON public.sized USING btree (id)');
    } finally {
      await other.end();
      await db.query(`DROP TABLE team_table; DROP ROLE ${reader}; DROP ROLE ${team}`);
    }
    // The superuser owns everything.
    expect(state.tables.get('public.sized')!.ownedByCurrentRole).toBe(true);
  });
});

describe('cost and locks', () => {
  function counting(inner: Session): { session: Session; count: () => number } {
    let count = 0;
    return {
      session: { ...inner, query: (sql, params) => ((count += 1), inner.query(sql, params)) },
      count: () => count,
    };
  }

  it('sends the same number of queries for 2 tables as for 50 tables with partitions and indexes', async () => {
    await db.query(`DO $$ BEGIN FOR i IN 1..50 LOOP
      EXECUTE format('CREATE TABLE many_%s (a int, b int) PARTITION BY RANGE (a)', i);
      EXECUTE format('CREATE TABLE many_%s_p1 PARTITION OF many_%s FOR VALUES FROM (0) TO (10)', i, i);
      EXECUTE format('CREATE INDEX ON many_%s (a)', i);
      EXECUTE format('CREATE INDEX ON many_%s (b)', i); END LOOP; END $$`);
    const few = counting(session);
    const small = await readLiveState(few.session, [T('many_1'), T('many_2')]);
    const lots = counting(session);
    const large = await readLiveState(lots.session, Array.from({ length: 50 }, (_, i) => T(`many_${i + 1}`)));
    expect(small.indexes).toHaveLength(2 * 4);
    expect(large.indexes).toHaveLength(50 * 4);
    expect(few.count()).toBe(lots.count());
    expect(lots.count()).toBe(6);
  });

  it('does not queue behind an ACCESS EXCLUSIVE lock: it names the blocker instead', async () => {
    const blocker = await db.connect();
    await blocker.query(`SET application_name = 'schema-migration'`);
    const { rows } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await blocker.query('BEGIN');
    await blocker.query('ALTER TABLE sized ADD COLUMN extra int');
    const started = Date.now();
    const error = await readLiveState(session, [T('sized')], { lockTimeoutMs: 300 }).catch((e: unknown) => e);
    const waited = Date.now() - started;
    await blocker.query('ROLLBACK');
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toMatch(/^Reading the catalog waited more than 0\.3s for a lock on a declared table\. Blocked by:/);
    expect(message).toContain(`pid ${rows[0]!.pid} (application "schema-migration", idle in transaction) holds ACCESS EXCLUSIVE on public.sized`);
    expect(message).toContain('last query: ALTER TABLE sized ADD COLUMN extra int');
    expect((error as UserError).hint).toContain(`pg_terminate_backend(${rows[0]!.pid})`);
    expect(waited).toBeLessThan(5_000);
    // The session is out of the failed transaction and usable.
    const { rows: activity } = await db.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [session.pid]);
    expect(activity[0]!.state).toBe('idle');
    expect((await readLiveState(session, [T('sized')])).tables.has('public.sized')).toBe(true);
  });

  it('names a queued ACCESS EXCLUSIVE request and the transaction it waits for', async () => {
    // A long reader holds ACCESS SHARE; an ALTER TABLE queues behind it; our read would queue behind both.
    const reader = await db.connect();
    await reader.query(`SET application_name = 'long-report'`);
    const { rows: readerRows } = await reader.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM sized');
    const migrator = await db.connect();
    await migrator.query(`SET application_name = 'migrator'`);
    const { rows: migratorRows } = await migrator.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await migrator.query('BEGIN');
    const alter = migrator.query('ALTER TABLE sized ADD COLUMN queued int');
    try {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const { rows } = await db.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [migratorRows[0]!.pid]);
        if (rows.length > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const error = await readLiveState(session, [T('sized')], { lockTimeoutMs: 200 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      const message = (error as UserError).message;
      expect(message).toContain(`pid ${migratorRows[0]!.pid} (application "migrator", active) waits for ACCESS EXCLUSIVE on public.sized (reads queue behind it); running: ALTER TABLE sized ADD COLUMN queued int`);
      expect(message).toContain(`pid ${readerRows[0]!.pid} (application "long-report", idle in transaction) holds a lock that pid ${migratorRows[0]!.pid} waits for; last query: SELECT count(*) FROM sized`);
      expect((error as UserError).hint).toBe(`Let that transaction finish, or end it (SELECT pg_terminate_backend(${readerRows[0]!.pid})), then run again.`);
    } finally {
      await reader.query('ROLLBACK');
      await alter;
      await migrator.query('ROLLBACK');
    }
  });
});
