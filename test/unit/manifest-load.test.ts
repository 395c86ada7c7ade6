import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTableKey } from '../../src/core/table-key.js';
import { UserError } from '../../src/core/errors.js';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { DEFAULT_SETTINGS, type DesiredState } from '../../src/core/model.js';
import { checkManifestText, loadManifest } from '../../src/io/manifest/load.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

beforeAll(async () => {
  await loadSqlParser();
});

function load(yaml: string): DesiredState {
  const check = checkManifestText(yaml, 'indexes.yaml');
  expect(check.problems).toEqual([]);
  if (!check.state) throw new Error('no state');
  return check.state;
}

describe('normalisation', () => {
  it('qualifies every table with its schema, taking names literally', () => {
    const state = load(
      [
        'version: 1',
        'defaults: { schema: app }',
        'tables:',
        '  users: {}',
        '  audit.Events: {}',
        '  \'"my.schema"."Orders.v2"\': {}',
        '  public.UserId: {}',
        '',
      ].join('\n'),
    );
    expect(state.tables.map((t) => [t.key, t.schema, t.name])).toEqual([
      ['users', 'app', 'users'],
      ['audit.Events', 'audit', 'Events'],
      ['"my.schema"."Orders.v2"', 'my.schema', 'Orders.v2'],
      ['public.UserId', 'public', 'UserId'],
    ]);
  });

  it('uses public when defaults give no schema', () => {
    expect(load('version: 1\ntables:\n  users: {}\n').tables[0]?.schema).toBe('public');
  });

  it('applies defaults to tables, indexes and settings', () => {
    const state = load(
      [
        'version: 1',
        'defaults: { prune: true }',
        'tables:',
        '  users:',
        '    indexes:',
        '      idx_users_email:',
        '        columns: [email]',
        '  orders:',
        '    prune: false',
        '',
      ].join('\n'),
    );
    expect(state.tables.map((t) => [t.name, t.prune])).toEqual([
      ['users', true],
      ['orders', false],
    ]);
    expect(state.settings).toEqual(DEFAULT_SETTINGS);
    expect(state.budgets).toEqual({});
    expect(state.tables[0]?.indexes[0]).toEqual({
      name: 'idx_users_email',
      schema: 'public',
      table: 'users',
      unique: false,
      method: 'btree',
      columns: [
        {
          kind: 'column',
          column: 'email',
          source: { file: 'indexes.yaml', line: 7, column: 19, path: 'tables.users.indexes.idx_users_email.columns[0]' },
        },
      ],
      include: [],
      with: [],
      nullsNotDistinct: false,
      queries: [],
      source: { file: 'indexes.yaml', line: 6, column: 7, path: 'tables.users.indexes.idx_users_email' },
    });
  });

  it('parses durations and sizes', () => {
    const state = load(
      [
        'version: 1',
        'settings:',
        '  concurrency: 4',
        '  lockTimeout: 2min',
        '  buildLockTimeout: 1h',
        '  statementTimeout: 250',
        '  maintenanceWorkMem: 512MB',
        '  maxParallelMaintenanceWorkers: 0',
        '  retries: 0',
        '  analyzeAfterBuild: false',
        '  allowLockingDrops: true',
        '  maxReplicaLag: 256MB',
        '  maxReplicaLagWait: 1h',
        'budgets: { indexToTableRatio: 0.2 }',
        'tables: {}',
        '',
      ].join('\n'),
    );
    expect(state.settings).toEqual({
      concurrency: 4,
      lockTimeoutMs: 120_000,
      buildLockTimeoutMs: 3_600_000,
      statementTimeoutMs: 250,
      maintenanceWorkMemBytes: 512 * 1024 * 1024,
      maxParallelMaintenanceWorkers: 0,
      retries: 0,
      analyzeAfterBuild: false,
      allowLockingDrops: true,
      maxReplicaLagBytes: 256 * 1024 * 1024,
      maxReplicaLagWaitMs: 3_600_000,
    });
    expect(state.budgets).toEqual({ indexToTableRatio: 0.2 });
  });

  it('turns every index field into the model', () => {
    const state = load(
      [
        'version: 1',
        'tables:',
        '  posts:',
        '    indexes:',
        '      idx_posts_list:',
        '        unique: true',
        '        nullsNotDistinct: true',
        '        method: btree',
        '        columns:',
        '          - author_id',
        '          - { column: published_at, order: desc, nulls: last }',
        '          - { expression: "  lower(title) ", collation: C, opclass: text_pattern_ops }',
        '        include: [id, title]',
        '        where: |',
        "          status = 'published'",
        '        with: { fillfactor: 90, deduplicate_items: false, note: "07" }',
        '        tablespace: fast_ssd',
        '        comment: ""',
        '        queries:',
        '          - sql: SELECT id FROM posts WHERE author_id = 1;',
        '            p95: 50ms',
        '          - sql: SELECT 1',
        '          - sql: SELECT id FROM posts WHERE author_id = $2 OR title = $1',
        "            params: [Hello, 7]",
        '',
      ].join('\n'),
    );
    const index = state.tables[0]?.indexes[0];
    const at = (line: number, column: number, path: string) => ({ file: 'indexes.yaml', line, column, path });
    const p = 'tables.posts.indexes.idx_posts_list';
    expect(index).toEqual({
      name: 'idx_posts_list',
      schema: 'public',
      table: 'posts',
      unique: true,
      method: 'btree',
      columns: [
        { kind: 'column', column: 'author_id', source: at(10, 13, `${p}.columns[0]`) },
        { kind: 'column', column: 'published_at', order: 'desc', nulls: 'last', source: at(11, 13, `${p}.columns[1]`) },
        {
          kind: 'expression',
          expression: 'lower(title)',
          collation: 'C',
          opclass: 'text_pattern_ops',
          source: at(12, 13, `${p}.columns[2]`),
        },
      ],
      include: ['id', 'title'],
      where: "status = 'published'",
      // Storage parameters as text, in the order written.
      with: [
        { name: 'fillfactor', value: '90' },
        { name: 'deduplicate_items', value: 'false' },
        { name: 'note', value: '07' },
      ],
      nullsNotDistinct: true,
      tablespace: 'fast_ssd',
      // An empty comment is no comment (COMMENT ON … IS '' removes it).
      queries: [
        { sql: 'SELECT id FROM posts WHERE author_id = 1', parameters: 0, p95Ms: 50, source: at(20, 13, `${p}.queries[0]`) },
        { sql: 'SELECT 1', parameters: 0, source: at(22, 13, `${p}.queries[1]`) },
        { sql: 'SELECT id FROM posts WHERE author_id = $2 OR title = $1', parameters: 2, params: ['Hello', 7], source: at(23, 13, `${p}.queries[2]`) },
      ],
      source: at(5, 7, p),
    });
  });

  it('reads YAML anchors and merge keys', () => {
    const state = load(
      [
        'version: 1',
        'tables:',
        '  users:',
        '    indexes:',
        '      idx_a: &partial',
        '        columns: [a]',
        '        where: deleted_at IS NULL',
        '      idx_b:',
        '        <<: *partial',
        '        columns: [b]',
        '',
      ].join('\n'),
    );
    expect(state.tables[0]?.indexes.map((i) => [i.name, i.columns.map((c) => c.kind === 'column' && c.column), i.where])).toEqual([
      ['idx_a', ['a'], 'deleted_at IS NULL'],
      ['idx_b', ['b'], 'deleted_at IS NULL'],
    ]);
  });

  it('reads a file with a byte-order mark and CRLF line ends', () => {
    const state = load('\uFEFFversion: 1\r\ntables:\r\n  users:\r\n    indexes:\r\n      idx_a: { columns: [a] }\r\n');
    expect(state.tables[0]?.indexes[0]?.source).toEqual({
      file: 'indexes.yaml',
      line: 5,
      column: 7,
      path: 'tables.users.indexes.idx_a',
    });
    // The mark is not a column a person can see.
    expect(checkManifestText('\uFEFFversion: 2\ntables: {}\n', 'indexes.yaml').problems[0]?.column).toBe(10);
  });
});

describe('opclassParams', () => {
  it('keeps operator class parameters as text, in the order written, beside the opclass', () => {
    const state = load(
      [
        'version: 1',
        'tables:',
        '  docs:',
        '    indexes:',
        '      docs_title_trgm:',
        '        method: gist',
        '        columns:',
        '          - { column: title, opclass: public.gist_trgm_ops, opclassParams: { siglen: 32 } }',
        '          - { expression: lower(body), opclass: my_ops, opclassParams: { z: on, a: 1.50, b: true } }',
        '          - { column: c, opclass: gist_trgm_ops, opclassParams: {} }',
        '',
      ].join('\n'),
    );
    const parts = state.tables[0]?.indexes[0]?.columns ?? [];
    expect(parts.map((p) => [p.opclass, p.opclassParams])).toEqual([
      ['public.gist_trgm_ops', [{ name: 'siglen', value: '32' }]],
      ['my_ops', [{ name: 'z', value: 'on' }, { name: 'a', value: '1.5' }, { name: 'b', value: 'true' }]],
      // An empty mapping says nothing: no parameters.
      ['gist_trgm_ops', undefined],
    ]);
  });
});

describe('parseTableKey', () => {
  it.each([
    ['users', { ok: true, schema: 'public', name: 'users' }],
    ['app.users', { ok: true, schema: 'app', name: 'users' }],
    ['"My Schema".users', { ok: true, schema: 'My Schema', name: 'users' }],
    ['app."a.b"', { ok: true, schema: 'app', name: 'a.b' }],
    ['"say ""hi"""', { ok: true, schema: 'public', name: 'say "hi"' }],
    ['a.b.c', { ok: false, message: 'table key "a.b.c" has more than one dot: write table or schema.table, and quote a name that contains a dot ("my.schema".users)' }],
    ['.users', { ok: false, message: 'table key ".users" has an empty schema or table name' }],
    ['app.', { ok: false, message: 'table key "app." has an empty schema or table name' }],
    ['"app.users', { ok: false, message: 'table key "\\"app.users" has an unclosed double quote' }],
    ['"app"x.users', { ok: false, message: 'table key "\\"app\\"x.users": a double quote must wrap a whole name, as in "my.schema".users' }],
    ['ap"p.users', { ok: false, message: 'table key "ap\\"p.users": a double quote must wrap a whole name, as in "my.schema".users' }],
    ['', { ok: false, message: 'a table key cannot be empty' }],
  ] as const)('%j', (key, expected) => {
    expect(parseTableKey(key, 'public')).toEqual(expected);
  });
});

describe('files', () => {
  it('every example manifest is valid', async () => {
    const entries = await readdir(join(root, 'examples'), { recursive: true });
    const manifests = entries.filter((e) => e.endsWith('indexes.yaml')).map((e) => join(root, 'examples', e));
    expect(manifests.length).toBeGreaterThan(0);
    for (const file of manifests) {
      const state = await loadManifest(relative(process.cwd(), file));
      expect(state.tables.length, file).toBeGreaterThan(0);
    }
  });

  it('throws a UserError listing the problems', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-'));
    const file = join(dir, 'indexes.yaml');
    await writeFile(file, 'version: 1\ntables:\n  users:\n    indexes:\n      idx: { colums: [a], unique: 1 }\n');
    const error = await loadManifest(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`${file} has 2 problems`);
    expect((error as UserError).problems.map((p) => [p.line, p.column, p.path])).toEqual([
      [5, 14, 'tables.users.indexes.idx.colums'],
      [5, 35, 'tables.users.indexes.idx.unique'],
    ]);
  });

  it('says when the file cannot be read', async () => {
    const error = await loadManifest('no/such/indexes.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('Cannot read no/such/indexes.yaml: no such file.');
    expect((error as UserError).hint).toBe('Pass the manifest with -f FILE.');
  });

  it('refuses invalid UTF-8 with one problem at the bad byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-'));
    const file = join(dir, 'indexes.yaml');
    await writeFile(file, Buffer.concat([Buffer.from('version: 1\ntables: ä'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    const error = (await loadManifest(file).catch((e: unknown) => e)) as UserError;
    expect(error.problems).toEqual([
      {
        file,
        line: 2,
        column: 10,
        path: '',
        message: 'not a text file: invalid UTF-8 at byte 21; a manifest is a YAML text file in UTF-8',
      },
    ]);
  });
});

describe('schema/indexes.schema.json', () => {
  it('compiles in ajv strict mode and describes every field for editors', async () => {
    const schema = JSON.parse(await readFile(join(root, 'schema/indexes.schema.json'), 'utf8')) as Record<string, unknown>;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBeTypeOf('string');
    expect(schema['title']).toBeTypeOf('string');
    expect(() => new Ajv2020({ strict: true, allowUnionTypes: true }).compile(schema)).not.toThrow();
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}/${i}`));
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
      const properties = (node as { properties?: Record<string, unknown> }).properties ?? {};
      for (const [name, property] of Object.entries(properties)) {
        // `true` only marks a property as known to a oneOf branch; the field itself is described above it.
        if (property !== true && !(property as { description?: string }).description) undocumented.push(`${path}/${name}`);
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${path}/${key}`);
    };
    walk(schema, '#');
    expect(undocumented).toEqual([]);
  });
});
