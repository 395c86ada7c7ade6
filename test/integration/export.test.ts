import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { runInProcess } from '../helpers/in-process.js';

/* Shapes a human creates by hand, which export must describe so exactly that plan finds nothing to do. */
const SHAPES = [
  `CREATE INDEX users_email_lower ON users (lower(email))`,
  `CREATE UNIQUE INDEX users_username_key2 ON users (username) WHERE deleted_at IS NULL`,
  `CREATE INDEX users_role_active ON users (role) WHERE is_active`,
  `CREATE INDEX users_status_in ON users (status) WHERE status IN ('a', 'b')`,
  `CREATE INDEX users_created_desc ON users (created_at DESC NULLS LAST, id)`,
  `CREATE INDEX users_created_nulls_first ON users (created_at NULLS FIRST)`,
  `CREATE INDEX users_email_pattern ON users (email varchar_pattern_ops)`,
  `CREATE INDEX users_name_c ON users (name COLLATE "C")`,
  `CREATE INDEX users_name_covering ON users (name) INCLUDE (email, role) WITH (fillfactor = 70)`,
  `CREATE INDEX users_tags ON users USING gin (tags jsonb_path_ops)`,
  `CREATE INDEX users_tags_default ON users USING gin (tags) WITH (fastupdate = off)`,
  `CREATE INDEX users_fts ON users USING gin (to_tsvector('spanish', coalesce(name, '') || ' ' || coalesce(bio, '')))`,
  `CREATE INDEX users_created_brin ON users USING brin (created_at) WITH (pages_per_range = 32)`,
  `CREATE INDEX users_email_hash ON users USING hash (email)`,
  `CREATE INDEX users_expr_sum ON users ((id + 1), (lower(name) || 'x'))`,
  `CREATE INDEX "Mixed_Case_Idx" ON app."Order" ("UserId", "user")`,
  `CREATE INDEX order_recent ON app."Order" (placed_at) WHERE placed_at > '2024-01-01 00:00:00+00'::timestamptz`,
  `CREATE INDEX users_util ON users (util.norm(name))`,
  `COMMENT ON INDEX users_email_lower IS 'Login lookup'`,
];

describe('reconcile export', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await freshDatabase();
    dir = await mkdtemp(path.join(tmpdir(), 'export-'));
    await db.query(`
      CREATE SCHEMA app; CREATE SCHEMA util;
      CREATE FUNCTION util.norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower($1) $$;
      CREATE TABLE users (id serial PRIMARY KEY, email varchar(200) UNIQUE, username text, name text, bio text, role text,
        status varchar(10), is_active boolean, tags jsonb, created_at timestamptz, deleted_at timestamptz);
      CREATE TABLE app."Order" (id int PRIMARY KEY, "UserId" int, "user" text, placed_at timestamptz);
      ${SHAPES.join(';\n')};
      CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE INDEX events_at ON events (at);
    `);
  });

  it('writes a manifest that plan then finds nothing to change in', async () => {
    const exported = await runInProcess(['export', '--database-url', db.url]);
    expect(exported.stderr).toBe('Exported 19 indexes, left out 3 (see the header).\n');
    expect(exported.code).toBe(0);
    const file = path.join(dir, 'indexes.yaml');
    await writeFile(file, exported.stdout);

    const validated = await runInProcess(['validate', '-f', file]);
    expect(validated.stderr).toBe('');
    const planned = await runInProcess(['plan', '-f', file, '--database-url', db.url, '--detailed-exitcode']);
    expect(planned.stderr).toBe('');
    expect(planned.stdout).toBe(`No changes. The indexes match ${file}.\n`);
    expect(planned.code).toBe(0);
  });

  it('names what it left out, and writes structured entries', async () => {
    const { stdout } = await runInProcess(['export', '--database-url', db.url]);
    const lines = stdout.split('\n');
    expect(lines.slice(2, 6)).toEqual([
      '# Left out, because they are not declared in a manifest:',
      '#   app.Order_pkey (owned by the primary key "Order_pkey")',
      '#   public.users_email_key (owned by the unique constraint "users_email_key")',
      '#   public.users_pkey (owned by the primary key "users_pkey")',
    ]);
    expect(stdout).toContain(
      ['      users_created_desc:', '        columns:', '          - column: created_at', '            order: desc', '            nulls: last', '          - id'].join('\n'),
    );
    expect(stdout).toContain(['      users_tags:', '        method: gin', '        columns:', '          - column: tags', '            opclass: jsonb_path_ops'].join('\n'));
    expect(stdout).toContain(['  app.Order:', '    indexes:', '      Mixed_Case_Idx:', '        columns:', '          - UserId', '          - user'].join('\n'));
  });

  it('exports only the schemas and tables asked for', async () => {
    const { stdout } = await runInProcess(['export', '--database-url', db.url, '--schema', 'app']);
    expect(stdout).toContain('app.Order:');
    expect(stdout).not.toContain('users_email_lower');
    const one = await runInProcess(['export', '--database-url', db.url, '--table', 'events']);
    expect(one.stdout).toContain('events_at:');
    expect(one.stdout).not.toContain('users');
  });
});
