/*
 * The canonicaliser against real PostgreSQL: a corpus of index shapes written the way a person writes
 * them (live) and declared the way the manifest declares them (desired), which must compare equal, and
 * changed ones, which must not. Plus per-index errors, cleanliness, round trips and lock slots.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import {
  DEFAULT_SETTINGS,
  indexKey,
  type DesiredIndex,
  type DesiredState,
  type DesiredTable,
  type IndexKeyPart,
  type LiveState,
  type SourceRef,
} from '../../src/core/model.js';
import { createIndexSql, definitionBody, isSingleFunctionCall } from '../../src/core/sql.js';
import { normaliseStorageParameters } from '../../src/core/definition-text.js';
import { canonicalise, type CanonicalResults } from '../../src/io/canonical/index.js';
import { readLiveState } from '../../src/io/catalog.js';
import { connect, type Session } from '../../src/io/db.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

// ---- building desired state by hand ----

const source: SourceRef = { file: 'indexes.yaml', line: 1, column: 1, path: '' };

type PartOptions = Pick<IndexKeyPart, 'opclass' | 'collation' | 'order' | 'nulls'>;

function col(column: string, options: PartOptions = {}): IndexKeyPart {
  return { kind: 'column', column, source, ...options };
}

function expr(expression: string, options: PartOptions = {}): IndexKeyPart {
  return { kind: 'expression', expression, source, ...options };
}

interface IndexSpec {
  readonly unique?: boolean;
  readonly method?: string;
  readonly include?: readonly string[];
  readonly where?: string;
  readonly with?: Readonly<Record<string, string>>;
  readonly nullsNotDistinct?: boolean;
}

/** `table` is `schema.name`. */
function index(table: string, name: string, columns: readonly IndexKeyPart[], spec: IndexSpec = {}): DesiredIndex {
  const [schema, tableName] = splitTable(table);
  return {
    name,
    schema,
    table: tableName,
    unique: spec.unique ?? false,
    method: spec.method ?? 'btree',
    columns,
    include: spec.include ?? [],
    ...(spec.where !== undefined ? { where: spec.where } : {}),
    with: Object.entries(spec.with ?? {}).map(([n, value]) => ({ name: n, value })),
    nullsNotDistinct: spec.nullsNotDistinct ?? false,
    queries: [],
    source,
  };
}

function splitTable(table: string): [string, string] {
  const dot = table.indexOf('.');
  return [table.slice(0, dot), table.slice(dot + 1)];
}

function desiredState(indexes: readonly DesiredIndex[]): DesiredState {
  const tables = new Map<string, DesiredIndex[]>();
  for (const i of indexes) {
    const key = `${i.schema}.${i.table}`;
    tables.set(key, [...(tables.get(key) ?? []), i]);
  }
  return {
    file: 'indexes.yaml',
    settings: DEFAULT_SETTINGS,
    budgets: {},
    tables: [...tables.entries()].map(
      ([key, list]): DesiredTable => ({ schema: list[0]!.schema, name: list[0]!.table, key, prune: false, indexes: list, source }),
    ),
  };
}

function tablesOf(state: DesiredState): { schema: string; name: string }[] {
  return state.tables.map((t) => ({ schema: t.schema, name: t.name }));
}

// ---- the corpus ----

const SETUP = `
CREATE EXTENSION pg_trgm;
CREATE EXTENSION btree_gist;
CREATE SCHEMA util;
CREATE FUNCTION util.norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(btrim($1)) $$;
CREATE SCHEMA app;
CREATE TABLE users (
  id bigint PRIMARY KEY, email varchar(255), name text, status varchar(20), is_active boolean,
  created_at timestamptz, score int, rank int, tags jsonb, profile jsonb, body text, code text, loc point,
  during tstzrange, deleted_at timestamptz, doc tsvector, kind varchar(10));
INSERT INTO users (id, email, name, status, is_active, created_at, score, tags)
  VALUES (1, 'a@x.org', 'Ana', 'active', true, '2024-03-01', 5, '{"vip": 1}'),
         (2, 'b@x.org', 'Bo', 'pending', false, '2023-03-01', 50, '{}');
CREATE TABLE "Order" ("UserId" int, "user" text, "Total" numeric);
CREATE TABLE app.events (id int, kind text, payload jsonb, at timestamptz);
CREATE MATERIALIZED VIEW user_stats AS SELECT status, count(*) AS n FROM users GROUP BY status;
CREATE TABLE measurements (id int, taken date, v int) PARTITION BY RANGE (taken);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
`;

interface Shape {
  /** Index name (and test title). */
  readonly name: string;
  /** How a person would have created it, in an ordinary session (search_path "$user", public). */
  readonly live: string;
  readonly desired: DesiredIndex;
  /** A changed definition: canon(desired) must NOT match. */
  readonly differs?: boolean;
  readonly minMajor?: number;
}

const U = 'public.users';
const shape = (name: string, live: string, desired: (name: string) => DesiredIndex, extra: Partial<Shape> = {}): Shape => ({
  name,
  live: live.replace('$NAME', name),
  desired: desired(name),
  ...extra,
});

const SHAPES: readonly Shape[] = [
  // expressions
  shape('x_lower_email', 'CREATE INDEX $NAME ON users (lower(email))', (n) => index(U, n, [expr('lower(email)')])),
  shape('x_fts_spanish', "CREATE INDEX $NAME ON users USING gin (to_tsvector('spanish', body))", (n) =>
    index(U, n, [expr("to_tsvector('spanish', body)")], { method: 'gin' }),
  ),
  shape('x_jsonb_field', "CREATE INDEX $NAME ON users ((profile->>'country'))", (n) => index(U, n, [expr("profile->>'country'")])),
  shape('x_jsonb_path', "CREATE INDEX $NAME ON users ((profile #>> '{address,city}'))", (n) => index(U, n, [expr("profile #>> '{address,city}'")])),
  shape('x_coalesce', "CREATE INDEX $NAME ON users (coalesce(name, ''))", (n) => index(U, n, [expr("coalesce(name, '')")])),
  shape('x_date_trunc', "CREATE INDEX $NAME ON users (date_trunc('day', created_at AT TIME ZONE 'UTC'))", (n) =>
    index(U, n, [expr("date_trunc('day', created_at AT TIME ZONE 'UTC')")]),
  ),
  shape('x_cast', 'CREATE INDEX $NAME ON users ((score::text))', (n) => index(U, n, [expr('score::text')])),
  shape('x_util_function', 'CREATE INDEX $NAME ON users (util.norm(email))', (n) => index(U, n, [expr('util.norm(email)')])),
  shape('x_mixed_columns', 'CREATE INDEX $NAME ON users (status, lower(email) DESC)', (n) =>
    index(U, n, [col('status'), expr('lower(email)', { order: 'desc' })]),
  ),
  // partial indexes whose predicates the server rewrites
  shape('p_varchar_eq', "CREATE INDEX $NAME ON users (email) WHERE status = 'active'", (n) => index(U, n, [col('email')], { where: "status = 'active'" })),
  shape('p_bool_column', 'CREATE INDEX $NAME ON users (created_at) WHERE is_active', (n) => index(U, n, [col('created_at')], { where: 'is_active' })),
  shape('p_bool_eq_true', 'CREATE INDEX $NAME ON users (created_at) WHERE is_active = true', (n) =>
    index(U, n, [col('created_at')], { where: 'is_active = true' }),
  ),
  shape('p_in_list', "CREATE INDEX $NAME ON users (email) WHERE status IN ('active', 'pending')", (n) =>
    index(U, n, [col('email')], { where: "status IN ('active', 'pending')" }),
  ),
  // the manifest copied from pg_get_indexdef (what `export` writes): re-feeding prints it differently
  shape('p_in_list_exported', "CREATE INDEX $NAME ON users (kind) WHERE status IN ('active', 'pending')", (n) =>
    index(U, n, [col('kind')], { where: "((status)::text = ANY ((ARRAY['active'::character varying, 'pending'::character varying])::text[]))" }),
  ),
  shape('p_not_in', "CREATE INDEX $NAME ON users (id) WHERE status NOT IN ('x', 'y')", (n) => index(U, n, [col('id')], { where: "status NOT IN ('x', 'y')" })),
  shape('p_between', 'CREATE INDEX $NAME ON users (created_at) WHERE score BETWEEN 1 AND 10', (n) =>
    index(U, n, [col('created_at')], { where: 'score BETWEEN 1 AND 10' }),
  ),
  shape('p_like', "CREATE INDEX $NAME ON users (name) WHERE name LIKE 'A%'", (n) => index(U, n, [col('name')], { where: "name LIKE 'A%'" })),
  shape('p_not_null', 'CREATE INDEX $NAME ON users (deleted_at) WHERE deleted_at IS NOT NULL', (n) =>
    index(U, n, [col('deleted_at')], { where: 'deleted_at IS NOT NULL' }),
  ),
  shape('p_or', 'CREATE INDEX $NAME ON users (id) WHERE deleted_at IS NULL OR is_active', (n) =>
    index(U, n, [col('id')], { where: 'deleted_at IS NULL OR is_active' }),
  ),
  shape('p_jsonb_exists', "CREATE INDEX $NAME ON users (id) WHERE tags ? 'vip'", (n) => index(U, n, [col('id')], { where: "tags ? 'vip'" })),
  shape('p_timestamptz', "CREATE INDEX $NAME ON users (id) WHERE created_at >= '2024-01-01'", (n) =>
    index(U, n, [col('id')], { where: "created_at >= '2024-01-01'" }),
  ),
  // written in another time zone with an explicit offset: the same instant
  shape(
    'p_timestamptz_offset',
    "SET TimeZone = 'America/Bogota'; CREATE INDEX $NAME ON users (score) WHERE created_at < '2024-01-01 00:00:00-05'",
    (n) => index(U, n, [col('score')], { where: "created_at < '2024-01-01 05:00:00+00'" }),
  ),
  // opclasses and collations
  shape('o_text_pattern', 'CREATE INDEX $NAME ON users (code text_pattern_ops)', (n) => index(U, n, [col('code', { opclass: 'text_pattern_ops' })])),
  shape('o_varchar_pattern', 'CREATE INDEX $NAME ON users (email varchar_pattern_ops)', (n) =>
    index(U, n, [col('email', { opclass: 'varchar_pattern_ops' })]),
  ),
  shape('o_jsonb_path_ops', 'CREATE INDEX $NAME ON users USING gin (tags jsonb_path_ops)', (n) =>
    index(U, n, [col('tags', { opclass: 'jsonb_path_ops' })], { method: 'gin' }),
  ),
  shape('o_trgm', 'CREATE INDEX $NAME ON users USING gin (name gin_trgm_ops)', (n) =>
    index(U, n, [col('name', { opclass: 'public.gin_trgm_ops' })], { method: 'gin' }),
  ),
  shape('o_default_opclass', 'CREATE INDEX $NAME ON users (rank int4_ops)', (n) => index(U, n, [col('rank')])),
  shape('c_collate_c', 'CREATE INDEX $NAME ON users (name COLLATE "C")', (n) => index(U, n, [col('name', { collation: 'C' })])),
  shape('c_collate_posix', 'CREATE INDEX $NAME ON users (name COLLATE "POSIX")', (n) => index(U, n, [col('name', { collation: 'POSIX' })])),
  shape('c_collate_default', 'CREATE INDEX $NAME ON users (body COLLATE "default")', (n) => index(U, n, [col('body')])),
  // every ordering, written one way live and another way declared
  shape('s_default', 'CREATE INDEX $NAME ON users (score ASC NULLS LAST)', (n) => index(U, n, [col('score')])),
  shape('s_asc', 'CREATE INDEX $NAME ON users (score)', (n) => index(U, n, [col('score', { order: 'asc' })])),
  shape('s_desc', 'CREATE INDEX $NAME ON users (score DESC NULLS FIRST)', (n) => index(U, n, [col('score', { order: 'desc' })])),
  shape('s_nulls_first', 'CREATE INDEX $NAME ON users (score ASC NULLS FIRST)', (n) => index(U, n, [col('score', { nulls: 'first' })])),
  shape('s_nulls_last', 'CREATE INDEX $NAME ON users (score)', (n) => index(U, n, [col('score', { nulls: 'last' })])),
  shape('s_asc_first', 'CREATE INDEX $NAME ON users (score NULLS FIRST)', (n) => index(U, n, [col('score', { order: 'asc', nulls: 'first' })])),
  shape('s_asc_last', 'CREATE INDEX $NAME ON users (score ASC)', (n) => index(U, n, [col('score', { order: 'asc', nulls: 'last' })])),
  shape('s_desc_first', 'CREATE INDEX $NAME ON users (score DESC)', (n) => index(U, n, [col('score', { order: 'desc', nulls: 'first' })])),
  shape('s_desc_last', 'CREATE INDEX $NAME ON users (score DESC NULLS LAST)', (n) => index(U, n, [col('score', { order: 'desc', nulls: 'last' })])),
  // INCLUDE and storage parameters
  shape('w_include', 'CREATE INDEX $NAME ON users (status) INCLUDE (email, name)', (n) => index(U, n, [col('status')], { include: ['email', 'name'] })),
  shape('w_fillfactor_number', 'CREATE INDEX $NAME ON users (rank) WITH (fillfactor = 90)', (n) => index(U, n, [col('rank')], { with: { fillfactor: '90' } })),
  shape('w_fillfactor_quoted', "CREATE INDEX $NAME ON users (rank) WITH (fillfactor = '70')", (n) => index(U, n, [col('rank')], { with: { fillfactor: '70' } })),
  shape('w_brin_pages', 'CREATE INDEX $NAME ON users USING brin (created_at) WITH (pages_per_range = 32)', (n) =>
    index(U, n, [col('created_at')], { method: 'brin', with: { pages_per_range: '32' } }),
  ),
  shape('w_gin_fastupdate_off', 'CREATE INDEX $NAME ON users USING gin (tags) WITH (fastupdate = off)', (n) =>
    index(U, n, [col('tags')], { method: 'gin', with: { fastupdate: 'off' } }),
  ),
  shape('w_gin_fastupdate_false', 'CREATE INDEX $NAME ON users USING gin (profile) WITH (fastupdate = false)', (n) =>
    index(U, n, [col('profile')], { method: 'gin', with: { fastupdate: 'false' } }),
  ),
  // the same setting spelled differently on each side
  shape('w_gin_fastupdate_spelling', 'CREATE INDEX $NAME ON users USING gin (doc) WITH (fastupdate = off)', (n) =>
    index(U, n, [col('doc')], { method: 'gin', with: { fastupdate: 'false' } }),
  ),
  shape('w_dedup_off', 'CREATE INDEX $NAME ON users (status) WITH (deduplicate_items = off)', (n) =>
    index(U, n, [col('status')], { with: { deduplicate_items: 'off' } }),
  ),
  shape('w_params_two', 'CREATE INDEX $NAME ON users (kind) WITH (fillfactor = 80, deduplicate_items = false)', (n) =>
    index(U, n, [col('kind')], { with: { fillfactor: '80', deduplicate_items: 'off' } }),
  ),
  // access methods
  shape('m_hash', 'CREATE INDEX $NAME ON users USING hash (email)', (n) => index(U, n, [col('email')], { method: 'hash' })),
  shape('m_gist_tsvector', 'CREATE INDEX $NAME ON users USING gist (doc)', (n) => index(U, n, [col('doc')], { method: 'gist' })),
  shape('m_gist_range', 'CREATE INDEX $NAME ON users USING gist (during)', (n) => index(U, n, [col('during')], { method: 'gist' })),
  shape('m_gist_point', 'CREATE INDEX $NAME ON users USING gist (loc)', (n) => index(U, n, [col('loc')], { method: 'gist' })),
  shape('m_btree_gist', 'CREATE INDEX $NAME ON users USING gist (score, during)', (n) => index(U, n, [col('score'), col('during')], { method: 'gist' })),
  shape('m_spgist_text', 'CREATE INDEX $NAME ON users USING spgist (code)', (n) => index(U, n, [col('code')], { method: 'spgist' })),
  shape('m_spgist_point', 'CREATE INDEX $NAME ON users USING spgist (loc)', (n) => index(U, n, [col('loc')], { method: 'spgist' })),
  shape('m_brin', 'CREATE INDEX $NAME ON users USING brin (id)', (n) => index(U, n, [col('id')], { method: 'brin' })),
  shape('m_btree_explicit', 'CREATE INDEX $NAME ON users USING BTREE (created_at, id)', (n) => index(U, n, [col('created_at'), col('id')])),
  // uniqueness
  shape('u_unique', 'CREATE UNIQUE INDEX $NAME ON users (email)', (n) => index(U, n, [col('email')], { unique: true })),
  shape('u_unique_partial', 'CREATE UNIQUE INDEX $NAME ON users (lower(email)) WHERE deleted_at IS NULL', (n) =>
    index(U, n, [expr('lower(email)')], { unique: true, where: 'deleted_at IS NULL' }),
  ),
  shape('u_nulls_not_distinct', 'CREATE UNIQUE INDEX $NAME ON users (email, code) NULLS NOT DISTINCT', (n) =>
    index(U, n, [col('email'), col('code')], { unique: true, nullsNotDistinct: true }), { minMajor: 15 },
  ),
  // identifiers, schemas, other kinds of table
  shape('n_mixed_case_column', 'CREATE INDEX $NAME ON "Order" ("UserId")', (n) => index('public.Order', n, [col('UserId')])),
  shape('n_reserved_column', 'CREATE INDEX $NAME ON "Order" ("user")', (n) => index('public.Order', n, [col('user')])),
  shape('Idx_Order_Total', 'CREATE INDEX "$NAME" ON "Order" ("Total" DESC)', (n) => index('public.Order', n, [col('Total', { order: 'desc' })])),
  shape('n_app_schema', 'CREATE INDEX $NAME ON app.events (kind, at DESC)', (n) => index('app.events', n, [col('kind'), col('at', { order: 'desc' })])),
  shape('n_app_jsonb', "CREATE INDEX $NAME ON app.events USING gin (payload) WHERE kind = 'click'", (n) =>
    index('app.events', n, [col('payload')], { method: 'gin', where: "kind = 'click'" }),
  ),
  shape('n_matview', 'CREATE UNIQUE INDEX $NAME ON user_stats (status)', (n) => index('public.user_stats', n, [col('status')], { unique: true })),
  shape('n_partitioned', 'CREATE INDEX $NAME ON measurements (taken, v)', (n) => index('public.measurements', n, [col('taken'), col('v')])),
  shape('n_partitioned_unique', 'CREATE UNIQUE INDEX $NAME ON measurements (id, taken)', (n) =>
    index('public.measurements', n, [col('id'), col('taken')], { unique: true }),
  ),

  // changed definitions: zero false diffs must not become zero real diffs
  shape('d_predicate', "CREATE INDEX $NAME ON users (email) WHERE status = 'active'", (n) => index(U, n, [col('email')], { where: "status = 'inactive'" }), {
    differs: true,
  }),
  shape('d_in_list', "CREATE INDEX $NAME ON users (kind) WHERE status IN ('a', 'b')", (n) => index(U, n, [col('kind')], { where: "status IN ('a', 'b', 'c')" }), {
    differs: true,
  }),
  shape('d_bool', 'CREATE INDEX $NAME ON users (created_at) WHERE is_active', (n) => index(U, n, [col('created_at')], { where: 'NOT is_active' }), {
    differs: true,
  }),
  shape('d_opclass', 'CREATE INDEX $NAME ON users (code text_pattern_ops)', (n) => index(U, n, [col('code')]), { differs: true }),
  shape('d_order', 'CREATE INDEX $NAME ON users (score DESC)', (n) => index(U, n, [col('score')]), { differs: true }),
  shape('d_nulls', 'CREATE INDEX $NAME ON users (score DESC NULLS LAST)', (n) => index(U, n, [col('score', { order: 'desc' })]), { differs: true }),
  shape('d_collation', 'CREATE INDEX $NAME ON users (name COLLATE "C")', (n) => index(U, n, [col('name', { collation: 'POSIX' })]), { differs: true }),
  shape('d_method', 'CREATE INDEX $NAME ON users USING hash (code)', (n) => index(U, n, [col('code')]), { differs: true }),
  shape('d_unique', 'CREATE UNIQUE INDEX $NAME ON users (id)', (n) => index(U, n, [col('id')]), { differs: true }),
  shape('d_include', 'CREATE INDEX $NAME ON users (status) INCLUDE (email)', (n) => index(U, n, [col('status')], { include: ['name'] }), { differs: true }),
  shape('d_fillfactor', 'CREATE INDEX $NAME ON users (rank) WITH (fillfactor = 90)', (n) => index(U, n, [col('rank')], { with: { fillfactor: '80' } }), {
    differs: true,
  }),
  shape('d_fastupdate', 'CREATE INDEX $NAME ON users USING gin (tags) WITH (fastupdate = on)', (n) =>
    index(U, n, [col('tags')], { method: 'gin', with: { fastupdate: 'off' } }), { differs: true },
  ),
  shape('d_expression', 'CREATE INDEX $NAME ON users (lower(email))', (n) => index(U, n, [expr('upper(email)')]), { differs: true }),
  shape('d_timestamptz_zone', "SET TimeZone = 'America/Bogota'; CREATE INDEX $NAME ON users (rank) WHERE created_at >= '2024-01-01'", (n) =>
    index(U, n, [col('rank')], { where: "created_at >= '2024-01-01'" }), { differs: true },
  ),
  shape('d_partitioned', 'CREATE INDEX $NAME ON measurements (taken)', (n) => index('public.measurements', n, [col('taken', { order: 'desc' })]), {
    differs: true,
  }),
  shape('d_nulls_not_distinct', 'CREATE UNIQUE INDEX $NAME ON users (email)', (n) => index(U, n, [col('email')], { unique: true, nullsNotDistinct: true }), {
    differs: true,
    minMajor: 15,
  }),
];

let db: TestDatabase;
let session: Session;

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(SETUP);
  session = await connect({ connectionString: db.url, display: 'test database', secrets: [] });
});

afterAll(async () => {
  await session?.end();
});

function matches(canonical: string, liveDefinition: string, canonLive: string | undefined): boolean {
  const body = definitionBody(canonical);
  return body === definitionBody(liveDefinition) || (canonLive !== undefined && body === definitionBody(canonLive));
}

describe('the corpus', () => {
  const applicable = (): Shape[] => SHAPES.filter((s) => db.major >= (s.minMajor ?? 0));
  let live: LiveState;
  let canon: CanonicalResults;
  let whole: CanonicalResults;

  beforeAll(async () => {
    // A person's session: default search_path and time zone, one statement string per index.
    const human = await db.connect();
    for (const s of applicable()) {
      await human.query(`RESET TimeZone; ${s.live}`);
    }
    await human.end();
    const state = desiredState(applicable().map((s) => s.desired));
    live = await readLiveState(session, tablesOf(state));
    canon = await canonicalise(session, state, live);
    whole = await canonicalise(session, state, live, { shareCopies: false });
  });

  it('gives the same results from copies of the used columns as from whole copies of each table', () => {
    // One copy per table at most (of the columns its indexes use when the parser can list them).
    expect(canon.copies.tables).toBeLessThanOrEqual(whole.copies.tables);
    expect(canon.desired).toEqual(whole.desired);
    expect(canon.live).toEqual(whole.live);
  });

  it('has at least 40 shapes that must compare equal, and changed ones that must not', () => {
    expect(SHAPES.filter((s) => !s.differs).length).toBeGreaterThanOrEqual(60);
    expect(SHAPES.filter((s) => s.differs).length).toBeGreaterThanOrEqual(15);
  });

  for (const s of SHAPES) {
    it.skipIf(inject('pgMajor') < (s.minMajor ?? 0))(s.name, () => {
      const key = indexKey(s.desired.schema, s.desired.name);
      const result = canon.desired.get(key);
      expect(result, `canonicalised ${key}`).toMatchObject({ ok: true });
      if (!result?.ok) return;
      const liveIndex = live.indexes.find((i) => i.schema === s.desired.schema && i.name === s.desired.name);
      expect(liveIndex, `live ${key}`).toBeDefined();
      const canonLive = canon.live.get(key);
      const context = { desired: result.definition, live: liveIndex!.definition, canonLive };
      expect(matches(result.definition, liveIndex!.definition, canonLive), JSON.stringify(context, null, 2)).toBe(!s.differs);
    });
  }

  it('needs canon(live) where re-feeding the live text prints it differently', () => {
    // The exported predicate builds to the re-fed form, which only canon(live) matches.
    const key = 'public.p_in_list_exported';
    const result = canon.desired.get(key);
    const liveIndex = live.indexes.find((i) => i.name === 'p_in_list_exported')!;
    expect(result?.ok && result.definition).not.toBe(liveIndex.definition);
    expect(canon.live.get(key)).toBe(result?.ok ? result.definition : undefined);
  });

  it('computes no canon(live) for indexes whose live text already matches', () => {
    for (const s of applicable().filter((x) => !x.differs)) {
      const key = indexKey(s.desired.schema, s.desired.name);
      const result = canon.desired.get(key);
      const liveIndex = live.indexes.find((i) => i.schema === s.desired.schema && i.name === s.desired.name)!;
      if (result?.ok && definitionBody(result.definition) === definitionBody(liveIndex.definition)) {
        expect(canon.live.has(key), key).toBe(false);
      }
    }
  });

  it('prints ON ONLY for a partitioned table and the real names for the rest', () => {
    const part = canon.desired.get('public.n_partitioned');
    expect(part).toEqual({ ok: true, definition: 'CREATE INDEX n_partitioned ON ONLY public.measurements USING btree (taken, v)' });
    expect(canon.desired.get('public.Idx_Order_Total')).toEqual({
      ok: true,
      definition: 'CREATE INDEX "Idx_Order_Total" ON public."Order" USING btree ("Total" DESC)',
    });
    expect(canon.desired.get('public.x_lower_email')).toEqual({
      ok: true,
      definition: 'CREATE INDEX x_lower_email ON public.users USING btree (lower((email)::text))',
    });
  });
});

describe('after apply', () => {
  it('canonicalises every declared index to exactly what building it from our own statement prints', async () => {
    // The same tables in schema `applied` (and `applied_app`), each index built from createIndexSql as apply does.
    await db.query(`
      CREATE SCHEMA applied; CREATE SCHEMA applied_app;
      CREATE TABLE applied.users (LIKE public.users);
      CREATE TABLE applied."Order" (LIKE public."Order");
      CREATE TABLE applied_app.events (LIKE app.events);
      CREATE MATERIALIZED VIEW applied.user_stats AS SELECT status, count(*) AS n FROM public.users GROUP BY status;
      CREATE TABLE applied.measurements (id int, taken date, v int) PARTITION BY RANGE (taken);
      CREATE TABLE applied.measurements_2024 PARTITION OF applied.measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`);
    const moved = SHAPES.filter((s) => db.major >= (s.minMajor ?? 0)).map(
      (s): DesiredIndex => ({ ...s.desired, schema: s.desired.schema === 'app' ? 'applied_app' : 'applied' }),
    );
    for (const i of moved) await db.query(createIndexSql(i, { concurrently: false }));
    const state = desiredState(moved);
    const live = await readLiveState(session, tablesOf(state));
    const canon = await canonicalise(session, state, live);
    const mismatches: string[] = [];
    for (const i of moved) {
      const key = indexKey(i.schema, i.name);
      const result = canon.desired.get(key);
      const liveIndex = live.indexes.find((l) => l.schema === i.schema && l.name === i.name)!;
      const canonLive = canon.live.get(key);
      const same = result?.ok && (result.definition === liveIndex.definition || result.definition === canonLive);
      if (!same) mismatches.push(`${key}: ${JSON.stringify({ result, live: liveIndex.definition, canonLive })}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('per-index errors', () => {
  const bad = (name: string, columns: readonly IndexKeyPart[], spec: IndexSpec = {}): DesiredIndex => index(U, name, columns, spec);
  const cases: readonly { index: DesiredIndex; code?: string; message: RegExp; minMajor?: number; maxMajor?: number }[] = [
    { index: bad('e_unknown_column', [col('nope')]), code: '42703', message: /^column "nope" does not exist/ },
    { index: bad('e_unknown_opclass', [col('code', { opclass: 'no_such_ops' })]), code: '42704', message: /operator class "no_such_ops" does not exist/ },
    { index: bad('e_unknown_collation', [col('name', { collation: 'no_such' })]), code: '42704', message: /collation "no_such" for encoding "UTF8" does not exist/ },
    { index: bad('e_unknown_method', [col('name')], { method: 'nosuch' }), code: '42704', message: /access method "nosuch" does not exist/ },
    { index: bad('e_not_immutable', [col('id')], { where: 'created_at > now()' }), code: '42P17', message: /functions in index predicate must be marked IMMUTABLE/ },
    { index: bad('e_not_immutable_expr', [expr('created_at::date')]), code: '42P17', message: /functions in index expression must be marked IMMUTABLE/ },
    { index: bad('e_gin_desc', [col('tags', { order: 'desc' })], { method: 'gin' }), code: '0A000', message: /access method "gin" does not support ASC\/DESC options/ },
    { index: bad('e_gin_include', [col('tags')], { method: 'gin', include: ['id'] }), code: '0A000', message: /access method "gin" does not support included columns/ },
    { index: bad('e_brin_include', [col('id')], { method: 'brin', include: ['score'] }), code: '0A000', message: /access method "brin" does not support included columns/ },
    { index: bad('e_unique_hash', [col('email')], { method: 'hash', unique: true }), code: '0A000', message: /access method "hash" does not support unique indexes/ },
    { index: bad('e_bad_fillfactor', [col('id')], { with: { fillfactor: '5' } }), code: '22023', message: /value 5 out of bounds for option "fillfactor"/ },
    {
      index: bad('e_unqualified_function', [expr('norm(email)')]),
      code: '42883',
      message:
        /^function norm\(character varying\) does not exist\. Unqualified names resolve through search_path pg_catalog \(settings\.searchPath\); a function of that name is in util: add the schema to settings\.searchPath, or write util\.norm$/,
    },
    {
      index: bad('e_unqualified_opclass', [col('name', { opclass: 'gin_trgm_ops' })], { method: 'gin' }),
      code: '42704',
      message:
        /operator class "gin_trgm_ops" does not exist for access method "gin"\. Unqualified names resolve through search_path pg_catalog \(settings\.searchPath\); an operator class of that name is in public: add the schema to settings\.searchPath, or write public\.gin_trgm_ops$/,
    },
    {
      index: bad('e_unqualified_operator', [col('id')], { where: "name % 'ana'" }),
      code: '42883',
      message:
        /^operator does not exist: text % unknown\. Unqualified names resolve through search_path pg_catalog \(settings\.searchPath\); an operator of that name is in public: add the schema to settings\.searchPath, or write OPERATOR\(public\.%\)$/,
    },
    {
      index: index('public.measurements', 'e_partitioned_unique', [col('id')], { unique: true }),
      code: '0A000',
      message: /unique constraint on partitioned table must include all partitioning columns\. .*table "public\.measurements" lacks column "taken"/,
    },
    { index: bad('e_nnd_not_unique', [col('code')], { nullsNotDistinct: true }), message: /^nullsNotDistinct applies only to unique indexes/, minMajor: 15 },
    { index: bad('e_nnd_old_server', [col('code')], { unique: true, nullsNotDistinct: true }), message: /^nullsNotDistinct needs PostgreSQL 15 or later \(server is 1[34]\.\d+/, maxMajor: 14 },
  ];

  it('reports each failing index with PostgreSQL’s message and code, and canonicalises the others in the same batch', async () => {
    const applicable = cases.filter((c) => db.major >= (c.minMajor ?? 0) && db.major <= (c.maxMajor ?? 99));
    const good = [index(U, 'e_good_1', [expr('lower(name)')]), index(U, 'e_good_2', [col('email')], { where: "status = 'x'" })];
    const state = desiredState([good[0]!, ...applicable.map((c) => c.index), good[1]!]);
    const live = await readLiveState(session, tablesOf(state));
    const canon = await canonicalise(session, state, live);
    for (const c of applicable) {
      const result = canon.desired.get(indexKey(c.index.schema, c.index.name));
      expect(result, c.index.name).toMatchObject({ ok: false });
      if (result?.ok !== false) continue;
      expect(result.message, c.index.name).toMatch(c.message);
      expect(result.code, c.index.name).toBe(c.code);
      expect(result.message, 'no temporary names leak into messages').not.toMatch(/reconcile_canon/);
    }
    expect(canon.desired.get('public.e_good_1')).toEqual({ ok: true, definition: 'CREATE INDEX e_good_1 ON public.users USING btree (lower(name))' });
    expect(canon.desired.get('public.e_good_2')).toEqual({
      ok: true,
      definition: "CREATE INDEX e_good_2 ON public.users USING btree (email) WHERE ((status)::text = 'x'::text)",
    });
    await expectNothingSurvives();
  });

  it('leaves out desired indexes on tables that do not exist', async () => {
    const state = desiredState([index('public.no_such_table', 'e_missing_table', [col('id')]), index(U, 'e_present', [col('id')])]);
    const live = await readLiveState(session, tablesOf(state));
    const canon = await canonicalise(session, state, live);
    expect(canon.desired.has('public.e_missing_table')).toBe(false);
    expect(canon.desired.get('public.e_present')).toMatchObject({ ok: true });
  });
});

async function expectNothingSurvives(): Promise<void> {
  // Another session sees no temporary copy; ours is idle (not in a transaction) and has none left.
  const { rows: others } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'reconcile\\_canon\\_%'`);
  expect(others[0]!.n).toBe('0');
  const { rows: state } = await db.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [session.pid]);
  expect(state[0]!.state).toBe('idle');
  const { rows: mine } = await session.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_class WHERE relnamespace = pg_my_temp_schema() OR relname LIKE 'reconcile\\_canon\\_%'`,
  );
  expect(mine[0]!.n).toBe('0');
}

describe('cleanliness', () => {
  it('leaves nothing behind and the session usable, after success and after errors', async () => {
    const state = desiredState([index(U, 'k_ok', [expr('upper(name)')]), index(U, 'k_bad', [col('missing')])]);
    const live = await readLiveState(session, tablesOf(state));
    const canon = await canonicalise(session, state, live);
    expect(canon.desired.get('public.k_ok')).toMatchObject({ ok: true });
    expect(canon.desired.get('public.k_bad')).toMatchObject({ ok: false, code: '42703' });
    await expectNothingSurvives();
    expect((await session.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('names the blocker when a declared table is locked, and still leaves nothing behind', async () => {
    await db.query('CREATE TABLE locked_table (id int)');
    const state = desiredState([index('public.locked_table', 'l_id', [expr('id + 1')])]);
    const live = await readLiveState(session, tablesOf(state));
    // Someone takes the table between the catalog read and the canonicalisation.
    const blocker = await db.connect();
    await blocker.query(`SET application_name = 'migration-job'`);
    const { rows } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE locked_table IN ACCESS EXCLUSIVE MODE');
    const error = await canonicalise(session, state, live, { lockTimeoutMs: 200 }).catch((e: unknown) => e);
    await blocker.query('ROLLBACK');
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toContain(`pid ${rows[0]!.pid}`);
    expect(message).toContain('application "migration-job"');
    expect(message).toContain('idle in transaction) holds ACCESS EXCLUSIVE on public.locked_table');
    expect(message).toContain('last query: LOCK TABLE locked_table IN ACCESS EXCLUSIVE MODE');
    expect((error as UserError).hint).toContain(`pg_terminate_backend(${rows[0]!.pid})`);
    await expectNothingSurvives();
  });
});

describe('spelling of boolean storage parameters', () => {
  const head = 'CREATE INDEX i ON public.t USING gin (tags)';
  it.each([
    [`${head} WITH (fastupdate='false')`, `${head} WITH (fastupdate=off)`],
    [`${head} WITH (fastupdate=off, gin_pending_list_limit='100')`, `${head} WITH (fastupdate=off, gin_pending_list_limit='100')`],
    [`${head} WITH (fastupdate='TRUE')`, `${head} WITH (fastupdate='on')`],
    [`${head} WITH (fastupdate=of)`, `${head} WITH (fastupdate=off)`],
    ["CREATE INDEX i ON public.t USING btree (a) WITH (deduplicate_items='0', fillfactor='070')", "CREATE INDEX i ON public.t USING btree (a) WITH (deduplicate_items=off, fillfactor='070')"],
    ["CREATE INDEX i ON public.t USING brin (a) WITH (autosummarize=yes, pages_per_range='16')", "CREATE INDEX i ON public.t USING brin (a) WITH (autosummarize='on', pages_per_range='16')"],
    // unknown options, options that are not booleans and text outside the WITH list are left alone
    [`${head} WITH (mystery='false', buffering='on')`, `${head} WITH (mystery='false', buffering='on')`],
    [`${head} WITH (fastupdate='maybe')`, `${head} WITH (fastupdate='maybe')`],
    [`${head} WHERE (note = ' WITH (fastupdate=''false'')'::text)`, `${head} WHERE (note = ' WITH (fastupdate=''false'')'::text)`],
    ['CREATE INDEX " WITH (fastupdate=\'false\')" ON public.t USING gin (tags)', 'CREATE INDEX " WITH (fastupdate=\'false\')" ON public.t USING gin (tags)'],
    [
      "CREATE INDEX i ON public.t USING gin (tags) WITH (fastupdate='0') WHERE (x = 'WITH (fastupdate=1)'::text)",
      "CREATE INDEX i ON public.t USING gin (tags) WITH (fastupdate=off) WHERE (x = 'WITH (fastupdate=1)'::text)",
    ],
  ])('%s', (definition, expected) => {
    expect(normaliseStorageParameters(definition)).toBe(expected);
  });
});

describe('Session.queryAll', () => {
  it('returns one result per statement of a string, and an array of one for a single statement', async () => {
    const results = await session.queryAll('SELECT 1 AS a; SELECT 2 AS b UNION ALL SELECT 3; SET LOCAL lock_timeout = 10');
    expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }, { b: 3 }], []]);
    expect(await session.queryAll('SELECT 4 AS c')).toEqual([{ rows: [{ c: 4 }], rowCount: 1 }]);
  });

  it('skips the rest of a string after a failing statement, leaving an open transaction aborted until ROLLBACK', async () => {
    const error = await session.queryAll('BEGIN; SELECT 1/0; SELECT 1; ROLLBACK').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '22012' });
    const { rows } = await db.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [session.pid]);
    expect(rows[0]!.state).toBe('idle in transaction (aborted)');
    await session.query('ROLLBACK');
    expect((await session.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('rendering as the server prints', () => {
  it.each<[string, boolean]>([
    ['lower(email)', true],
    ['util.norm(email)', true],
    ['util."Norm Me"(email)', true],
    ['"lower"(email)', true],
    ['LOWER(email)', true],
    ['lower (email)', true],
    ["replace(name, ')', '(')", true],
    ["replace(name, 'it''s)', 'x')", true],
    ['replace(name, "odd)col", code)', true],
    ["concat_ws('$', name, code)", true],
    ["to_tsvector('spanish', coalesce(title, '') || ' ' || coalesce(body, ''))", true],
    // not one call: keeps its parentheses
    ["lower(email) || 'x'", false],
    ['lower(email)::text', false],
    ['f(a) + g(b)', false],
    ['(lower(email))', false],
    ['lower(email)[1]', false],
    ["profile->>'country'", false],
    ['score', false],
    ['lower', false],
    // keywords with grammar of their own
    ["coalesce(name, '')", false],
    ['row(a, b)', false],
    ["substring(name from 1 for 2)", false],
    ['left(name, 2)', false],
    ['user.f(x)', false],
    // what the scan cannot read with certainty
    ["lower(E'a\\'b')", false],
    ["lower('a\\b')", false],
    ['lower($1)', false],
    ['lower($$x)$$)', false],
    ["lower('unclosed)", false],
    ['lower(email', false],
    ['lower(email))', false],
    ['U&"d0061t"(x)', false],
    ['lowér(x)', false],
  ])('%s is one function call: %s', (expression, expected) => {
    expect(isSingleFunctionCall(expression)).toBe(expected);
  });

  it('builds the same index from a bare call as from the parenthesised one', async () => {
    await db.query(`
      CREATE SCHEMA render;
      CREATE FUNCTION util."Norm Me"(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower($1) $$;
      CREATE TABLE render.t (id int, name text, code text, "odd)col" text, title text, body text)`);
    const expressions = [
      'lower(name)',
      'util.norm(name)',
      'util."Norm Me"(name)',
      '"lower"(name)',
      'LOWER(name)',
      'lower (name)',
      "replace(name, ')', '(')",
      "replace(name, 'it''s)', 'x')",
      'replace(name, "odd)col", code)',
      "replace(name, '$', code)",
      "md5(coalesce(title, '') || ' (' || coalesce(body, ''))",
      "lower(name) || 'x'",
      "coalesce(name, '')",
      'left(name, 2)',
    ];
    const mismatches: string[] = [];
    for (const [i, expression] of expressions.entries()) {
      const bare = index('render.t', `r_bare_${i}`, [expr(expression, { collation: 'C', order: 'desc' })]);
      const wrapped = index('render.t', `r_wrapped_${i}`, [expr(`(${expression})`, { collation: 'C', order: 'desc' })]);
      const sql = createIndexSql(bare, { concurrently: false });
      expect(sql.includes(`(${expression})`), sql).toBe(!isSingleFunctionCall(expression));
      await db.query(sql);
      await db.query(createIndexSql(wrapped, { concurrently: false }));
      const { rows } = await db.query<{ name: string; def: string }>(
        `SELECT c.relname AS name, pg_get_indexdef(c.oid) AS def FROM pg_class c WHERE c.relname IN ($1, $2)`,
        [bare.name, wrapped.name],
      );
      const body = (name: string): string => definitionBody(rows.find((r) => r.name === name)!.def);
      if (body(bare.name) !== body(wrapped.name)) mismatches.push(`${expression}: ${body(bare.name)} ≠ ${body(wrapped.name)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('takes the fast path for hand-written shapes whose rendering is exactly the live text', async () => {
    await db.query(`
      CREATE SCHEMA fast;
      CREATE TABLE fast.t (id int, name text, email varchar(200), score int, tags jsonb, at timestamptz, deleted_at timestamptz, during tstzrange);
      CREATE INDEX f_lower ON fast.t (lower(name));
      CREATE INDEX f_util ON fast.t (util.norm(name));
      CREATE INDEX f_fillfactor ON fast.t (score) WITH (fillfactor = 90);
      CREATE INDEX f_two_params ON fast.t (id) WITH (fillfactor = 80, deduplicate_items = off);
      CREATE INDEX f_gin ON fast.t USING gin (tags jsonb_path_ops) WITH (fastupdate = off);
      CREATE INDEX f_gist ON fast.t USING gist (during) WITH (buffering = auto);
      CREATE INDEX f_brin ON fast.t USING brin (at) WITH (pages_per_range = 32);
      CREATE INDEX f_order ON fast.t (score DESC NULLS LAST, id NULLS FIRST, at ASC, deleted_at DESC NULLS FIRST);
      CREATE INDEX f_expr_desc ON fast.t (lower(name) DESC);
      CREATE INDEX f_partial ON fast.t (at) WHERE deleted_at IS NOT NULL;
      CREATE UNIQUE INDEX f_unique_include ON fast.t (email) INCLUDE (name, score);
      CREATE INDEX f_hash ON fast.t USING hash (email);`);
    const T = 'fast.t';
    const declared = [
      index(T, 'f_lower', [expr('lower(name)')]),
      index(T, 'f_util', [expr('util.norm(name)')]),
      index(T, 'f_fillfactor', [col('score')], { with: { fillfactor: '90' } }),
      index(T, 'f_two_params', [col('id')], { with: { fillfactor: '80', deduplicate_items: 'off' } }),
      index(T, 'f_gin', [col('tags', { opclass: 'jsonb_path_ops' })], { method: 'gin', with: { fastupdate: 'off' } }),
      index(T, 'f_gist', [col('during')], { method: 'gist', with: { buffering: 'auto' } }),
      index(T, 'f_brin', [col('at')], { method: 'brin', with: { pages_per_range: '32' } }),
      index(T, 'f_order', [
        col('score', { order: 'desc', nulls: 'last' }),
        col('id', { nulls: 'first' }),
        col('at', { order: 'asc' }),
        col('deleted_at', { order: 'desc', nulls: 'first' }),
      ]),
      index(T, 'f_expr_desc', [expr('lower(name)', { order: 'desc' })]),
      index(T, 'f_partial', [col('at')], { where: 'deleted_at IS NOT NULL' }),
      index(T, 'f_unique_include', [col('email')], { unique: true, include: ['name', 'score'] }),
      index(T, 'f_hash', [col('email')], { method: 'hash' }),
    ];
    const state = desiredState(declared);
    const live = await readLiveState(session, tablesOf(state));
    const canon = await canonicalise(session, state, live);
    const differences = declared
      .map((i) => ({ rendered: createIndexSql(i, { concurrently: false }), live: live.indexes.find((l) => l.name === i.name)!.definition }))
      .filter((d) => d.rendered !== d.live);
    expect(differences).toEqual([]);
    expect(canon.roundTrips).toBe(0);
    expect(canon.fastPath).toBe(declared.length);
    expect(canon.cloned).toEqual({ desired: 0, live: 0 });
    expect([...canon.desired.values()].every((r) => r.ok)).toBe(true);
  });
});

describe('cost', () => {
  let created = 0;

  /**
   * `count` tables `cost_<n>` with two int columns and, unless `sameShape`, a third named after the
   * table (so that each one needs a copy of its own), created in one statement.
   */
  async function tables(count: number, { sameShape = false } = {}): Promise<string[]> {
    const from = created;
    created += count;
    const third = sameShape ? '' : ', c_%1$s int';
    await db.query(`DO $$ BEGIN FOR i IN ${from}..${created - 1} LOOP
      EXECUTE format('CREATE TABLE public.cost_%1$s (a int, b int${third})', i); END LOOP; END $$`);
    return Array.from({ length: count }, (_, i) => `public.cost_${from + i}`);
  }

  /**
   * Desired indexes that no live index matches, so each one is built on a copy (no fast path): on the
   * table's own column c_<n> (so that no two tables share a copy), or with `sameShape` on a and b.
   */
  function indexesOn(names: readonly string[], perTable: number, { sameShape = false } = {}): DesiredIndex[] {
    return names.flatMap((t) => {
      const name = splitTable(t)[1]!;
      const [a, b] = sameShape ? ['a', 'b'] : [`c_${name.slice('cost_'.length)}`, `c_${name.slice('cost_'.length)}`];
      return Array.from({ length: perTable }, (_, k) =>
        index(t, `${name}_i${k}`, [k % 2 === 0 ? col(a) : expr(`${b} + ${k}`)], k === 3 ? { where: `${a} > 0` } : {}),
      );
    });
  }

  it('sends the same number of queries for 5 tables as for 300: one round trip per batch and one for the columns, not growing with tables', async () => {
    const small = desiredState(indexesOn(await tables(5), 2));
    const large = desiredState(indexesOn(await tables(300), 2));
    const run = async (state: DesiredState, options = {}) => canonicalise(session, state, await readLiveState(session, tablesOf(state)), options);
    const a = await run(small, { maxTablesPerBatch: 300 });
    const b = await run(large, { maxTablesPerBatch: 300 });
    // One query reads the used columns' definitions; then BEGIN, SET LOCAL, 15 or 900 statements, the
    // SELECT and ROLLBACK go as one string: the count does not grow with the number of tables or indexes.
    expect(a.roundTrips).toBe(2);
    expect(b.roundTrips).toBe(2);
    expect(b.copies).toEqual({ tables: 300, indexes: 600 });
    expect([...b.desired.values()].every((r) => r.ok)).toBe(true);
    expect(b.desired.size).toBe(600);
  });

  it('canonicalises 2,500 tables in batches of 200, without running out of lock slots, in two round trips', async () => {
    // 2,500 tables in one transaction exhausted the lock table of a server with default settings.
    // This test server has room for far more (max_locks_per_transaction=256 × 200 connections), so
    // the batching itself is checked too: 13 transactions of 200 copies at most, one after another in
    // one query string; with the query for the columns, two round trips, as for 5 tables.
    const names = await tables(2_500);
    const state = desiredState(indexesOn(names, 1));
    const live = await readLiveState(session, tablesOf(state));
    expect(live.tables.size).toBe(2_500);
    const sent: string[] = [];
    const watched: Session = { ...session, queryAll: (sql) => (sent.push(sql), session.queryAll(sql)) };
    const canon = await canonicalise(watched, state, live);
    expect(canon.desired.size).toBe(2_500);
    expect([...canon.desired.values()].every((r) => r.ok)).toBe(true);
    expect(canon.roundTrips).toBe(2);
    expect(sent).toHaveLength(1);
    const transactions = sent[0]!.split(/^BEGIN;/m).slice(1);
    expect(transactions).toHaveLength(Math.ceil(2_500 / 200));
    for (const transaction of transactions) {
      expect(transaction.match(/^CREATE TEMP TABLE /gm)!.length).toBeLessThanOrEqual(200);
      expect(transaction.trimEnd()).toMatch(/;\nROLLBACK(;)?$/);
    }
    await expectNothingSurvives();
  });

  it('finds a failing index in one batch of several, and leaves nothing behind', async () => {
    const names = await tables(5);
    const declared = indexesOn(names, 2);
    const bad = index(names[2]!, 'cost_bad', [col('nope')]);
    const state = desiredState([...declared, bad]);
    const live = await readLiveState(session, tablesOf(state));
    const canon = await canonicalise(session, state, live, { maxTablesPerBatch: 2 });
    expect(canon.desired.get('public.cost_bad')).toMatchObject({ ok: false, code: '42703', message: expect.stringMatching(/^column "nope" does not exist/) });
    for (const i of declared) expect(canon.desired.get(indexKey(i.schema, i.name)), i.name).toMatchObject({ ok: true });
    // Whole copies of each table and each batch on its own: more round trips, on this path only.
    expect(canon.roundTrips).toBeGreaterThan(2);
    expect(canon.desired).toEqual((await canonicalise(session, state, live, { maxTablesPerBatch: 2, shareCopies: false })).desired);
    await expectNothingSurvives();
  });

  it('needs no query at all when every desired index renders to the live text', async () => {
    const names = await tables(3);
    const indexes = names.map((t) => index(t, `${splitTable(t)[1]}_fast`, [col('a')]));
    for (const i of indexes) await db.query(createIndexSql(i, { concurrently: false }));
    const state = desiredState(indexes);
    const canon = await canonicalise(session, state, await readLiveState(session, tablesOf(state)));
    expect(canon.roundTrips).toBe(0);
    expect([...canon.desired.values()]).toEqual(indexes.map((i) => ({ ok: true, definition: createIndexSql(i, { concurrently: false }) })));
  });

  /** canonicalise with shared copies (the default) and without: the results must be the same. */
  async function bothWays(state: DesiredState): Promise<{ shared: CanonicalResults; alone: CanonicalResults }> {
    const live = await readLiveState(session, tablesOf(state));
    const shared = await canonicalise(session, state, live);
    const alone = await canonicalise(session, state, live, { shareCopies: false });
    return { shared, alone };
  }

  it('builds a statement once for tables of the same shape, with the same results as copying each table', async () => {
    const names = await tables(300, { sameShape: true });
    const { shared, alone } = await bothWays(desiredState(indexesOn(names, 4, { sameShape: true })));
    expect(shared.desired.size).toBe(1_200);
    expect([...shared.desired.values()].every((r) => r.ok)).toBe(true);
    expect(shared.desired).toEqual(alone.desired);
    // Each result names its own index and table.
    const seventh = splitTable(names[7]!)[1]!;
    expect(shared.desired.get(`public.${seventh}_i3`)).toEqual({
      ok: true,
      definition: `CREATE INDEX ${seventh}_i3 ON ${names[7]} USING btree (((b + 3))) WHERE (a > 0)`,
    });
    // One copy of (a, b); i0 and i2 are the same statement (on column a): three builds answer for 1,200
    // indexes.
    expect(shared.copies).toEqual({ tables: 1, indexes: 3 });
    expect(alone.copies).toEqual({ tables: 300, indexes: 1_200 });
    expect(shared.roundTrips).toBe(2);
    await expectNothingSurvives();
  });

  it('gives tables that differ in a type, a modifier, a collation, NOT NULL or a column name copies of their own', async () => {
    await db.query(`
      CREATE TABLE shape_a1 (id int, status varchar(20), note text);
      CREATE TABLE shape_a2 (id int, status varchar(20), note text);
      CREATE TABLE shape_text (id int, status text, note text);
      CREATE TABLE shape_varchar30 (id int, status varchar(30), note text);
      CREATE TABLE shape_collate (id int, status varchar(20) COLLATE "C", note text);
      CREATE TABLE shape_not_null (id int, status varchar(20) NOT NULL, note text);
      CREATE TABLE shape_renamed (id int, state varchar(20), note text);`);
    const tablesAll = ['shape_a1', 'shape_a2', 'shape_text', 'shape_varchar30', 'shape_collate', 'shape_not_null', 'shape_renamed'];
    const declared = tablesAll.flatMap((t) => [
      index(`public.${t}`, `${t}_active`, [col('id')], { where: t === 'shape_renamed' ? "state = 'active'" : "status = 'active'" }),
      index(`public.${t}`, `${t}_lower`, [expr(t === 'shape_renamed' ? 'lower(state)' : 'lower(status)')]),
    ]);
    const { shared, alone } = await bothWays(desiredState(declared));
    expect([...shared.desired.values()].every((r) => r.ok)).toBe(true);
    expect(shared.desired).toEqual(alone.desired);
    // Only shape_a1 and shape_a2 share a copy (of id and status), and its two builds.
    expect(shared.copies).toEqual({ tables: 6, indexes: 12 });
    expect(shared.desired.get('public.shape_text_active')).toEqual({
      ok: true,
      definition: "CREATE INDEX shape_text_active ON public.shape_text USING btree (id) WHERE (status = 'active'::text)",
    });
    expect(shared.desired.get('public.shape_a2_active')).toEqual({
      ok: true,
      definition: "CREATE INDEX shape_a2_active ON public.shape_a2 USING btree (id) WHERE ((status)::text = 'active'::text)",
    });
  });

  it('shares a copy of the used columns between tables that differ elsewhere, and copies whole what it cannot tell', async () => {
    await db.query(`
      CREATE TABLE het_1 (x int, status varchar(20), created_at timestamptz);
      CREATE TABLE het_2 (status varchar(20), y text, created_at timestamptz, z jsonb);
      CREATE TABLE het_3 (created_at timestamptz, status varchar(20) COLLATE "C", w int);
      CREATE TABLE het_4 (x int, g int GENERATED ALWAYS AS (x * 2) STORED);
      CREATE TABLE het_5 (y text, "Odd Name" text);`);
    const declared = [
      ...['het_1', 'het_2', 'het_3'].map((t) => index(`public.${t}`, `${t}_active`, [col('created_at')], { where: "status = 'active'" })),
      // a generated column: copied whole
      index('public.het_4', 'het_4_g', [col('g')]),
      // a quoted name, an expression and INCLUDE
      index('public.het_5', 'het_5_odd', [expr('lower("Odd Name")')], { include: ['y'] }),
    ];
    const { shared, alone } = await bothWays(desiredState(declared));
    expect(shared.desired).toEqual(alone.desired);
    // (created_at, status) for het_1 and het_2, built once; het_3's status has another collation;
    // het_4 whole, for its generated column; ("Odd Name", y) for het_5.
    expect(shared.copies).toEqual({ tables: 4, indexes: 4 });
    expect(shared.desired.get('public.het_2_active')).toEqual({
      ok: true,
      definition: "CREATE INDEX het_2_active ON public.het_2 USING btree (created_at) WHERE ((status)::text = 'active'::text)",
    });
    expect(shared.desired.get('public.het_3_active')).toEqual({
      ok: true,
      definition: "CREATE INDEX het_3_active ON public.het_3 USING btree (created_at) WHERE ((status)::text = 'active'::text)",
    });
    expect(shared.desired.get('public.het_5_odd')).toEqual({
      ok: true,
      definition: 'CREATE INDEX het_5_odd ON public.het_5 USING btree (lower("Odd Name")) INCLUDE (y)',
    });
    // A column that does not exist: the batch is done again with whole copies, refused as before.
    const missing = await bothWays(desiredState([...declared, index('public.het_3', 'het_3_missing', [col('nope')])]));
    expect(missing.shared.desired).toEqual(missing.alone.desired);
    expect(missing.shared.desired.get('public.het_3_missing')).toMatchObject({ ok: false, code: '42703' });
    await expectNothingSurvives();
  });

  it('reports failures on shared copies as if each table had its own, and leaves nothing behind', async () => {
    const names = await tables(4, { sameShape: true });
    const declared = names.flatMap((t) => {
      const n = splitTable(t)[1]!;
      return [
        index(t, `${n}_ok`, [expr('a + b')]),
        index(t, `${n}_bad_column`, [col('nope')]),
        index(t, `${n}_bad_fillfactor`, [col('a')], { with: { fillfactor: '5' } }),
      ];
    });
    const { shared, alone } = await bothWays(desiredState(declared));
    expect(shared.desired).toEqual(alone.desired);
    for (const t of names) {
      const n = splitTable(t)[1]!;
      expect(shared.desired.get(`public.${n}_ok`)).toEqual({ ok: true, definition: `CREATE INDEX ${n}_ok ON ${t} USING btree (((a + b)))` });
      expect(shared.desired.get(`public.${n}_bad_column`)).toMatchObject({ ok: false, code: '42703' });
      expect(shared.desired.get(`public.${n}_bad_fillfactor`)).toMatchObject({ ok: false, code: '22023' });
    }
    await expectNothingSurvives();
  });
});
