/*
 * Broken manifests, one problem each, with the exact place and words the user sees.
 * Index lines built by `index(...)` start at line 6, column 9.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/core/errors.js';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { checkManifestText } from '../../src/io/manifest/load.js';

beforeAll(async () => {
  await loadSqlParser();
});

/** One table `users` with one index `idx_x` made of `lines`. */
const index = (...lines: string[]): string =>
  ['version: 1', 'tables:', '  users:', '    indexes:', '      idx_x:', ...lines.map((l) => `        ${l}`)].join('\n') + '\n';

/** Top-level `lines`, then a valid `tables:` section. */
const top = (...lines: string[]): string =>
  [...lines, 'tables:', '  users:', '    indexes:', '      idx_x:', '        columns: [email]'].join('\n') + '\n';

const ASCII_64 = `idx_${'x'.repeat(60)}`;
// 62 ASCII bytes and a two-byte character: PostgreSQL would cut before the é, at 62 bytes.
const MULTIBYTE_64 = `idx_${'x'.repeat(58)}é`;
const TABLE_64 = 't'.repeat(64);

type Expected = readonly [line: number, column: number, path: string, message: string];

const cases: readonly (readonly [name: string, yaml: string, expected: Expected])[] = [
  [
    'typo in an index field', index('colums: [email]'),
    [6, 9, 'tables.users.indexes.idx_x.colums', 'unknown field "colums" — did you mean "columns"?'],
  ],
  [
    'typo: uniqe', index('columns: [email]', 'uniqe: true'),
    [7, 9, 'tables.users.indexes.idx_x.uniqe', 'unknown field "uniqe" — did you mean "unique"?'],
  ],
  [
    'snake_case field name', index('columns: [email]', 'unique: true', 'nulls_not_distinct: true'),
    [8, 9, 'tables.users.indexes.idx_x.nulls_not_distinct', 'unknown field "nulls_not_distinct" — did you mean "nullsNotDistinct"?'],
  ],
  [
    'unknown index field', index('columns: [email]', 'fastupdate: true'),
    [7, 9, 'tables.users.indexes.idx_x.fastupdate', 'unknown field "fastupdate": it is a storage parameter, write with: { fastupdate: … }'],
  ],
  [
    'typo at the top level', 'version: 1\ntable:\n  users: {}\n',
    [2, 1, 'table', 'unknown field "table" — did you mean "tables"?'],
  ],
  [
    'typo in a table', 'version: 1\ntables:\n  users:\n    indexs: {}\n',
    [4, 5, 'tables.users.indexs', 'unknown field "indexs" — did you mean "indexes"?'],
  ],
  [
    'index fields directly under the table', 'version: 1\ntables:\n  users:\n    columns: [email]\n',
    [4, 5, 'tables.users.columns', 'unknown field "columns"; a table takes: prune, indexes, maintenance (index fields go under indexes.<index name>)'],
  ],
  [
    'unique: yes', index('columns: [email]', 'unique: yes'),
    [7, 17, 'tables.users.indexes.idx_x.unique', '"unique" must be true or false, found the text "yes" (YAML 1.2 reads yes/no/on/off as text)'],
  ],
  [
    'unique: 1', index('columns: [email]', 'unique: 1'),
    [7, 17, 'tables.users.indexes.idx_x.unique', '"unique" must be true or false, found the number 1'],
  ],
  [
    'columns as a string', index('columns: email'),
    [6, 18, 'tables.users.indexes.idx_x.columns', '"columns" must be a list, found the text "email" (write [email])'],
  ],
  [
    'columns as a comma-separated string', index('columns: email, name'),
    [6, 18, 'tables.users.indexes.idx_x.columns', '"columns" must be a list, found the text "email, name" (write [email, name])'],
  ],
  [
    'queries as a string', index('columns: [email]', 'queries: SELECT 1'),
    [7, 18, 'tables.users.indexes.idx_x.queries', '"queries" must be a list, found the text "SELECT 1"'],
  ],
  [
    'default schema of 64 bytes', top('version: 1', `defaults: { schema: ${TABLE_64} }`),
    [2, 21, 'defaults.schema', `schema name is 64 bytes, over PostgreSQL's limit of 63: PostgreSQL would truncate it to "${TABLE_64.slice(0, 63)}" and the plan would never converge`],
  ],
  [
    'no columns', index('columns: []'),
    [6, 18, 'tables.users.indexes.idx_x.columns', 'an index needs at least one column'],
  ],
  [
    'missing columns', index('unique: true'),
    [5, 7, 'tables.users.indexes.idx_x', 'missing "columns": an index needs at least one column'],
  ],
  [
    'both column and expression', index('columns: [{ column: email, expression: lower(email) }]'),
    [6, 19, 'tables.users.indexes.idx_x.columns[0]', 'a column entry needs exactly one of "column" or "expression", not both'],
  ],
  [
    'neither column nor expression', index('columns: [{ opclass: text_pattern_ops }]'),
    [6, 19, 'tables.users.indexes.idx_x.columns[0]', 'a column entry needs exactly one of "column" or "expression"'],
  ],
  [
    'bad order', index('columns: [{ column: created_at, order: descending }]'),
    [6, 48, 'tables.users.indexes.idx_x.columns[0].order', '"order" must be asc or desc, not "descending"'],
  ],
  [
    'bad nulls', index('columns: [{ column: created_at, nulls: top }]'),
    [6, 48, 'tables.users.indexes.idx_x.columns[0].nulls', '"nulls" must be first or last, not "top"'],
  ],
  [
    'typo in a column entry', index('columns: [{ colum: email }]'),
    [6, 21, 'tables.users.indexes.idx_x.columns[0].colum', 'unknown field "colum" — did you mean "column"?'],
  ],
  [
    'a number as column entry', index('columns: [email, 5]'),
    [6, 26, 'tables.users.indexes.idx_x.columns[1]', 'expected a column name or { column: … } / { expression: … }, found the number 5'],
  ],
  [
    'an empty column name', index("columns: ['']"),
    [6, 19, 'tables.users.indexes.idx_x.columns[0]', 'a column name cannot be empty'],
  ],
  [
    'expression not text', index('columns: [{ expression: 5 }]'),
    [6, 33, 'tables.users.indexes.idx_x.columns[0].expression', '"expression" must be text, found the number 5'],
  ],
  [
    'method not text', index('columns: [email]', 'method: 5'),
    [7, 17, 'tables.users.indexes.idx_x.method', '"method" must be text, found the number 5'],
  ],
  [
    'method in capitals', index('columns: [email]', 'method: GIN'),
    [7, 17, 'tables.users.indexes.idx_x.method', 'access method names are case-sensitive: write gin, not "GIN"'],
  ],
  [
    'include as a string', index('columns: [email]', 'include: name'),
    [7, 18, 'tables.users.indexes.idx_x.include', '"include" must be a list, found the text "name" (write [name])'],
  ],
  [
    'include repeats a key column', index('columns: [email, name]', 'include: [id, name]'),
    [7, 23, 'tables.users.indexes.idx_x.include[1]', '"name" is already a key column of this index: a column is either a key column or included, not both'],
  ],
  [
    'nullsNotDistinct without unique', index('columns: [email]', 'nullsNotDistinct: true'),
    [7, 9, 'tables.users.indexes.idx_x.nullsNotDistinct', 'nullsNotDistinct needs unique: true (it only changes how a unique index treats NULLs)'],
  ],
  [
    'storage parameter value a list', index('columns: [email]', 'with: { fillfactor: [90] }'),
    [7, 29, 'tables.users.indexes.idx_x.with.fillfactor', '"fillfactor" must be text, a number or true/false, found a list'],
  ],
  [
    'storage parameter in capitals', index('columns: [email]', 'with: { FillFactor: 90 }'),
    [7, 17, 'tables.users.indexes.idx_x.with.FillFactor', 'storage parameter names are lower case: write fillfactor'],
  ],
  [
    'empty where', index('columns: [email]', "where: ''"),
    [7, 16, 'tables.users.indexes.idx_x.where', '"where" cannot be empty'],
  ],
  [
    'where with a syntax error', index('columns: [email]', 'where: deleted_at IS NULL)'),
    [7, 34, 'tables.users.indexes.idx_x.where', 'the condition is not valid SQL: syntax error at or near ")"'],
  ],
  [
    'where injection', index('columns: [email]', "where: 'true); DROP TABLE users; --'"),
    [7, 22, 'tables.users.indexes.idx_x.where', '";" is not allowed: the condition must be one SQL expression, not statements'],
  ],
  [
    'expression with a subquery', index('columns: [{ expression: "(SELECT max(id) FROM users)" }]'),
    [6, 34, 'tables.users.indexes.idx_x.columns[0].expression', 'a subquery is not allowed in an index expression'],
  ],
  [
    'multi-line where with an error', index('columns: [email]', 'where: |', '  deleted_at IS NULL', '    AND status = = 1'),
    [9, 26, 'tables.users.indexes.idx_x.where', 'the condition is not valid SQL: syntax error at or near "="'],
  ],
  [
    'bare column that is an expression', index('columns: [lower(email)]'),
    [6, 19, 'tables.users.indexes.idx_x.columns[0]', '"lower(email)" is taken as a column name; for an expression write { expression: lower(email) }'],
  ],
  [
    'query FOR UPDATE', index('columns: [email]', 'queries:', '  - sql: SELECT * FROM users WHERE email = $1 FOR UPDATE'),
    [8, 55, 'tables.users.indexes.idx_x.queries[0].sql', 'FOR UPDATE takes row locks: declare the query without it'],
  ],
  [
    'query that deletes', index('columns: [email]', 'queries:', '  - sql: WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d'),
    [8, 23, 'tables.users.indexes.idx_x.queries[0].sql', 'the query must only read, but its WITH clause runs DELETE'],
  ],
  [
    'query p95 in words', index('columns: [email]', 'queries:', '  - sql: SELECT 1', '    p95: 5 sec'),
    [9, 18, 'tables.users.indexes.idx_x.queries[0].p95', '"5 sec" is not a duration: use a number of milliseconds or a value like 500ms, 5s, 2min, 1h'],
  ],
  [
    'query without sql', index('columns: [email]', 'queries:', '  - p95: 5ms'),
    [8, 13, 'tables.users.indexes.idx_x.queries[0]', 'missing required field "sql"'],
  ],
  [
    'query params fewer than its $n', index('columns: [email]', 'queries:', "  - sql: SELECT id FROM users WHERE email = $1 AND id > $2", '    params: [a@b.c]'),
    [9, 21, 'tables.users.indexes.idx_x.queries[0].params', 'params has 1 value, but the query uses parameters up to $2: give 2 values, one for each of $1…$2'],
  ],
  [
    'query params more than its $n', index('columns: [email]', 'queries:', '  - sql: SELECT id FROM users WHERE email = $1', '    params: [a@b.c, 2]'),
    [9, 21, 'tables.users.indexes.idx_x.queries[0].params', 'params has 2 values, but the query uses parameters up to $1: give one value, for $1'],
  ],
  [
    'query params for a query without $n', index('columns: [email]', 'queries:', "  - sql: SELECT id FROM users WHERE email = '$1'", '    params: [1]'),
    [9, 21, 'tables.users.indexes.idx_x.queries[0].params', 'params has 1 value, but the query uses no $n parameters: remove params, or write $1… in the query where the values go'],
  ],
  [
    'query param that is a mapping', index('columns: [email]', 'queries:', '  - sql: SELECT id FROM users WHERE email = $1', '    params: [{ email: a@b.c }]'),
    [9, 22, 'tables.users.indexes.idx_x.queries[0].params[0]', 'the entry must be text, a number, true/false or nothing, found a mapping'],
  ],
  [
    'query params not a list', index('columns: [email]', 'queries:', '  - sql: SELECT id FROM users WHERE email = $1', '    params: 42'),
    [9, 21, 'tables.users.indexes.idx_x.queries[0].params', '"params" must be a list, found the number 42'],
  ],
  [
    'version 2', top('version: 2'),
    [1, 10, 'version', 'unsupported manifest version 2: this reconcile reads version 1'],
  ],
  [
    'no version', top(),
    [1, 1, '', 'missing "version: 1" (the manifest format version) at the top of the file'],
  ],
  [
    'version as text', top("version: '1'"),
    [1, 10, 'version', '"version" must be the number 1, not the text "1"'],
  ],
  [
    'lockTimeout in words', top('version: 1', 'settings:', '  lockTimeout: 5 sec'),
    [3, 16, 'settings.lockTimeout', '"5 sec" is not a duration: use a number of milliseconds or a value like 500ms, 5s, 2min, 1h'],
  ],
  [
    'lockTimeout true', top('version: 1', 'settings:', '  lockTimeout: true'),
    [3, 16, 'settings.lockTimeout', 'expected a duration (milliseconds, or a value like 500ms, 5s, 2min), found true'],
  ],
  [
    'lockTimeout negative', top('version: 1', 'settings:', '  lockTimeout: -5'),
    [3, 16, 'settings.lockTimeout', '-5 is not a duration: it cannot be negative'],
  ],
  [
    'lockTimeout below a millisecond', top('version: 1', 'settings:', '  lockTimeout: 0.5ms'),
    [3, 16, 'settings.lockTimeout', '"0.5ms" is not a whole number of milliseconds'],
  ],
  [
    'size in lower case', top('version: 1', 'settings:', '  maintenanceWorkMem: 512mb'),
    [3, 23, 'settings.maintenanceWorkMem', '"512mb" is not a size: units are case-sensitive, write 512MB'],
  ],
  [
    'size in words', top('version: 1', 'settings:', '  maintenanceWorkMem: lots'),
    [3, 23, 'settings.maintenanceWorkMem', '"lots" is not a size: use a number of bytes or a value like 64kB, 512MB, 1GB'],
  ],
  [
    'maxReplicaLag in lower case', top('version: 1', 'settings:', '  maxReplicaLag: 256mb'),
    [3, 18, 'settings.maxReplicaLag', '"256mb" is not a size: units are case-sensitive, write 256MB'],
  ],
  [
    'maxReplicaLagWait in words', top('version: 1', 'settings:', '  maxReplicaLagWait: forever'),
    [3, 22, 'settings.maxReplicaLagWait', '"forever" is not a duration: use a number of milliseconds or a value like 500ms, 5s, 2min, 1h'],
  ],
  [
    'concurrency 0', top('version: 1', 'settings:', '  concurrency: 0'),
    [3, 16, 'settings.concurrency', '"concurrency" must be at least 1, not 0'],
  ],
  [
    'concurrency 1.5', top('version: 1', 'settings:', '  concurrency: 1.5'),
    [3, 16, 'settings.concurrency', '"concurrency" must be a whole number, found the number 1.5'],
  ],
  [
    'ratio 0', top('version: 1', 'budgets:', '  indexToTableRatio: 0'),
    [3, 22, 'budgets.indexToTableRatio', '"indexToTableRatio" must be greater than 0, not 0'],
  ],
  [
    'defaults.prune as text', top('version: 1', 'defaults:', "  prune: 'false'"),
    [3, 10, 'defaults.prune', '"prune" must be true or false, found the text "false"'],
  ],
  [
    'duplicate YAML key', index('columns: [email]', 'unique: true', 'unique: false'),
    [8, 9, 'tables.users.indexes.idx_x.unique', 'duplicate key "unique": it is already at line 7; each key may appear once'],
  ],
  [
    'duplicate index name in YAML', 'version: 1\ntables:\n  users:\n    indexes:\n      idx_x: { columns: [a] }\n      idx_x: { columns: [b] }\n',
    [6, 7, 'tables.users.indexes.idx_x', 'duplicate key "idx_x": it is already at line 5; each key may appear once'],
  ],
  [
    'same index name on two tables', 'version: 1\ntables:\n  users:\n    indexes:\n      idx_x: { columns: [a] }\n  orders:\n    indexes:\n      idx_x: { columns: [b] }\n',
    [8, 7, 'tables.orders.indexes.idx_x', 'index name "idx_x" is already used by table "users" at line 5: index names must be unique within schema "public"'],
  ],
  [
    'index name of 64 bytes', `version: 1\ntables:\n  users:\n    indexes:\n      ${ASCII_64}: { columns: [a] }\n`,
    [5, 7, `tables.users.indexes.${ASCII_64}`, `index name is 64 bytes, over PostgreSQL's limit of 63: PostgreSQL would truncate it to "${ASCII_64.slice(0, 63)}" and the plan would never converge`],
  ],
  [
    'multibyte index name of 64 bytes', `version: 1\ntables:\n  users:\n    indexes:\n      ${MULTIBYTE_64}: { columns: [a] }\n`,
    [5, 7, `tables.users.indexes.${MULTIBYTE_64}`, `index name is 64 bytes, over PostgreSQL's limit of 63: PostgreSQL would truncate it to "${MULTIBYTE_64.slice(0, -1)}" and the plan would never converge`],
  ],
  [
    'table name of 64 bytes', `version: 1\ntables:\n  app.${TABLE_64}: {}\n`,
    [3, 3, `tables.app.${TABLE_64}`, `table name is 64 bytes, over PostgreSQL's limit of 63: PostgreSQL would truncate it to "${TABLE_64.slice(0, 63)}" and the plan would never converge`],
  ],
  [
    'table key with two dots', 'version: 1\ntables:\n  a.b.c: {}\n',
    [3, 3, 'tables.a.b.c', 'table key "a.b.c" has more than one dot: write table or schema.table, and quote a name that contains a dot ("my.schema".users)'],
  ],
  [
    'one table under two keys', 'version: 1\ntables:\n  users: {}\n  public.users: {}\n',
    [4, 3, 'tables.public.users', '"public.users" is the same table as "users" at line 3: declare each table once'],
  ],
  [
    'index named like a table', 'version: 1\ntables:\n  users: {}\n  orders:\n    indexes:\n      users: { columns: [a] }\n',
    [6, 7, 'tables.orders.indexes.users', 'index name "users" is also the name of table "users": indexes and tables share one namespace in a schema'],
  ],
  [
    'tables empty', 'version: 1\ntables:\n',
    [2, 1, 'tables', '"tables" must be a mapping (key: value lines), found nothing'],
  ],
  [
    'index empty', index().trimEnd() + '\n',
    [5, 7, 'tables.users.indexes.idx_x', '"idx_x" must be a mapping (key: value lines), found nothing'],
  ],
  [
    'empty file', '',
    [1, 1, '', 'the file is empty: a manifest starts with "version: 1" and declares "tables:"'],
  ],
  [
    'only comments', '# nothing yet\n',
    [1, 1, '', 'the file is empty: a manifest starts with "version: 1" and declares "tables:"'],
  ],
  [
    'a list', '- users\n- orders\n',
    [1, 1, '', 'the file holds a list, not a manifest: a manifest is a mapping with "version: 1" and "tables:"'],
  ],
  [
    'a scalar', 'hello\n',
    [1, 1, '', 'the file holds the text "hello", not a manifest: a manifest is a mapping with "version: 1" and "tables:"'],
  ],
  [
    'binary bytes', 'version: 1\n\u0000\u0001\u0002',
    [2, 1, '', 'not a text file: it contains NUL bytes; a manifest is a YAML text file'],
  ],
  [
    'YAML syntax error', 'version: 1\ntables:\n  users:\n    indexes: { idx_x: { columns: [a }\n',
    [4, 37, '', 'not valid YAML: flow sequence in block collection must be sufficiently indented and end with a ]'],
  ],
  [
    'tab indentation', 'version: 1\ntables:\n\tusers: {}\n',
    [3, 1, '', 'not valid YAML: a tab is used for indentation; YAML indents with spaces'],
  ],
];

describe('broken manifests', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s', (_name, yaml, [line, column, path, message]) => {
    const check = checkManifestText(yaml, 'indexes.yaml');
    expect(check.state).toBeUndefined();
    expect(check.problems).toEqual([{ file: 'indexes.yaml', line, column, path, message }]);
  });
});

describe('errors inside SQL fragments point at the character', () => {
  // The parser stops at the second "=" of `a = = 1`, written in each YAML scalar style.
  it.each([
    ['plain', index('columns: [email]', 'where: a = = 1'), [7, 20]],
    ['double-quoted with an escape', index('columns: [email]', 'where: "b = \'\\t\' AND a = = 1"'), [7, 34]],
    ['single-quoted with a quote', index('columns: [email]', "where: 'b = ''x'' AND a = = 1'"), [7, 35]],
    ['plain over two lines', index('columns: [email]', 'where: b = 1', '  AND a = = 1'), [8, 19]],
    ['folded block', index('columns: [email]', 'where: >', '  b = 1', '  AND a = = 1'), [9, 19]],
    ['literal block', index('columns: [email]', 'where: |-', '  b = 1', '    AND a = = 1'), [9, 21]],
  ] as const)('%s', (_style, yaml, [line, column]) => {
    expect(checkManifestText(yaml, 'indexes.yaml').problems).toEqual([
      {
        file: 'indexes.yaml',
        line,
        column,
        path: 'tables.users.indexes.idx_x.where',
        message: 'the condition is not valid SQL: syntax error at or near "="',
      },
    ]);
  });
});

describe('all problems at once', () => {
  it('reports every problem of the file, sorted by position, with the file as the user named it', () => {
    const yaml = [
      'version: 1',
      'settings:',
      '  lockTimeout: 5 sec',
      'tables:',
      '  users:',
      '    prune: maybe',
      '    indexes:',
      '      idx_users_email:',
      '        columns: [{ expression: lower(email)) }]',
      '        uniqe: true',
      '  orders:',
      '    indexes:',
      '      idx_users_email:',
      '        columns: [email]',
      '        include: [email]',
      '',
    ].join('\n');
    const check = checkManifestText(yaml, 'db/indexes.yaml');
    expect(check.problems.map(formatProblem)).toEqual([
      'db/indexes.yaml:3:16  settings.lockTimeout  "5 sec" is not a duration: use a number of milliseconds or a value like 500ms, 5s, 2min, 1h',
      'db/indexes.yaml:6:12  tables.users.prune  "prune" must be true or false, found the text "maybe"',
      'db/indexes.yaml:9:45  tables.users.indexes.idx_users_email.columns[0].expression  the expression is not valid SQL: syntax error at or near ")"',
      'db/indexes.yaml:10:9  tables.users.indexes.idx_users_email.uniqe  unknown field "uniqe" — did you mean "unique"?',
      'db/indexes.yaml:13:7  tables.orders.indexes.idx_users_email  index name "idx_users_email" is already used by table "users" at line 8: index names must be unique within schema "public"',
      'db/indexes.yaml:15:19  tables.orders.indexes.idx_users_email.include[0]  "email" is already a key column of this index: a column is either a key column or included, not both',
    ]);
    expect(check.tableCount).toBe(2);
    expect(check.indexCount).toBe(2);
  });

  it('reports a problem inside a merged mapping where it is written', () => {
    const yaml = [
      'version: 1',
      'x-common: &common',
      '  method: btree',
      'tables:',
      '  users:',
      '    indexes:',
      '      idx_a:',
      '        <<: *common',
      '        columns: [a]',
      '',
    ].join('\n');
    // `x-common` is not a manifest field: extension keys are not allowed (additionalProperties: false).
    expect(checkManifestText(yaml, 'indexes.yaml').problems.map(formatProblem)).toEqual([
      'indexes.yaml:2:1  x-common  unknown field "x-common"; the top level takes: version, defaults, settings, budgets, maintenance, tables',
    ]);
  });
});

describe('parts that fail the schema do not hide or invent other problems', () => {
  it('checks the rest of an index whose entries are broken, and no clashes when defaults are unreadable', () => {
    const yaml = [
      'version: 1',
      'defualts: { schema: app }',
      'tables:',
      '  users:',
      '    indexes:',
      '      idx_a:',
      '        columns: [5, { expression: "lower(x" }]',
      '        include: [7, x]',
      '        queries:',
      '          - { p95: 5ms }',
      '          - sql: SELECT 1 FOR SHARE',
      '  public.users:',
      '    indexes:',
      '      idx_a: { columns: [a] }',
      '',
    ].join('\n');
    // `users` may be app.users (the mistyped defaults) or public.users: neither clash is reported.
    expect(checkManifestText(yaml, 'indexes.yaml').problems.map(formatProblem)).toEqual([
      'indexes.yaml:2:1  defualts  unknown field "defualts" — did you mean "defaults"?',
      'indexes.yaml:7:19  tables.users.indexes.idx_a.columns[0]  expected a column name or { column: … } / { expression: … }, found the number 5',
      'indexes.yaml:7:44  tables.users.indexes.idx_a.columns[1].expression  the expression is not valid SQL: syntax error at end of input',
      'indexes.yaml:8:19  tables.users.indexes.idx_a.include[0]  the entry must be text, found the number 7',
      'indexes.yaml:10:13  tables.users.indexes.idx_a.queries[0]  missing required field "sql"',
      'indexes.yaml:11:27  tables.users.indexes.idx_a.queries[1].sql  FOR SHARE takes row locks: declare the query without it',
    ]);
  });
});

describe('control characters', () => {
  // YAML's double-quoted escapes (\0, \n, \t, \e, \x07) are how they get into a manifest.
  it.each([
    [
      'NUL in a where',
      index('columns: [email]', 'where: "deleted_at IS NULL AND\\0 true"'),
      [7, 39, 'tables.users.indexes.idx_x.where', 'the condition contains a NUL character (U+0000), which PostgreSQL text cannot hold; look for a \\0 escape in a double-quoted YAML string'],
    ],
    [
      'escape in an expression',
      index('columns: [{ expression: "lower(email)\\e[2J" }]'),
      [6, 46, 'tables.users.indexes.idx_x.columns[0].expression', 'the expression contains a control character (U+001B, escape): SQL text may only use spaces, tabs and line breaks between words; to put one in a string, use chr(27)'],
    ],
    [
      'bell inside a string literal of a where',
      index('columns: [email]', "where: \"status = 'a\\x07'\""),
      [7, 28, 'tables.users.indexes.idx_x.where', 'the condition contains a control character (U+0007, bell): SQL text may only use spaces, tabs and line breaks between words; to put one in a string, use chr(7)'],
    ],
    [
      'form feed between words',
      index('columns: [email]', 'where: "a IS NULL\\fAND b"'),
      [7, 26, 'tables.users.indexes.idx_x.where', 'the condition contains a control character (U+000C, form feed): SQL text may only use spaces, tabs and line breaks between words; to put one in a string, use chr(12)'],
    ],
    [
      'newline in an index name',
      'version: 1\ntables:\n  users:\n    indexes:\n      "idx_x\\n+ idx_forged":\n        columns: [email]\n',
      [5, 7, 'tables.users.indexes."idx_x\\n+ idx_forged"', 'the index name contains a control character (U+000A, line break) at character 6: names in the manifest cannot hold control characters'],
    ],
    [
      'tab in a table key',
      'version: 1\ntables:\n  "app.us\\ters":\n    indexes:\n      idx_x:\n        columns: [email]\n',
      [3, 3, 'tables."app.us\\ters"', 'the table key contains a control character (U+0009, tab) at character 7: names in the manifest cannot hold control characters'],
    ],
    [
      'carriage return in a column name',
      index('columns: ["email\\r"]'),
      [6, 25, 'tables.users.indexes.idx_x.columns[0]', 'the column name contains a control character (U+000D, carriage return): names in the manifest cannot hold control characters'],
    ],
    [
      'NUL in an included column',
      index('columns: [email]', 'include: ["i\\0d"]'),
      [7, 21, 'tables.users.indexes.idx_x.include[0]', 'the column name contains a control character (U+0000, NUL): names in the manifest cannot hold control characters'],
    ],
    [
      'a C1 control in an opclass',
      index('columns: [{ column: email, opclass: "text_pattern_ops\\x85" }]'),
      [6, 62, 'tables.users.indexes.idx_x.columns[0].opclass', 'the opclass contains a control character (U+0085): names in the manifest cannot hold control characters'],
    ],
    [
      'NUL in a comment (line breaks are fine)',
      index('columns: [email]', 'comment: "two\\nlines\\0"'),
      [7, 29, 'tables.users.indexes.idx_x.comment', 'the comment contains a control character (U+0000, NUL): a comment may hold line breaks and tabs, no other control characters'],
    ],
    [
      'line break in a schema of the search path',
      top('version: 1', 'settings:', '  searchPath: [public, "ext\\nx"]'),
      [3, 28, 'settings.searchPath[1]', 'the schema name contains a control character (U+000A, line break): names in the manifest cannot hold control characters'],
    ],
    [
      'NUL in a declared query',
      index('columns: [email]', 'queries:', '  - sql: "SELECT 1\\0"'),
      [8, 27, 'tables.users.indexes.idx_x.queries[0].sql', 'the query contains a NUL character (U+0000), which PostgreSQL text cannot hold; look for a \\0 escape in a double-quoted YAML string'],
    ],
  ] as const)('%s', (_name, yaml, [line, column, path, message]) => {
    expect(checkManifestText(yaml, 'indexes.yaml').problems).toEqual([{ file: 'indexes.yaml', line, column, path, message }]);
  });

  it('lets tabs, line breaks and carriage returns through a fragment, between words and inside strings', () => {
    const check = checkManifestText(index('columns: [email]', 'where: "status <> \'a\\tb\\r\\nc\'\\r\\n\\tAND\\nemail IS NOT NULL"'), 'indexes.yaml');
    expect(check.problems).toEqual([]);
    expect(check.state?.tables[0]?.indexes[0]?.where).toBe("status <> 'a\tb\r\nc'\r\n\tAND\nemail IS NOT NULL");
  });
});

describe('opclassParams', () => {
  it.each([
    [
      'without an opclass',
      index('method: gist', 'columns: [{ column: title, opclassParams: { siglen: 32 } }]'),
      [7, 36, 'tables.users.indexes.idx_x.columns[0].opclassParams', 'opclassParams needs an opclass beside it: parameters belong to an operator class, as in { column: title, opclass: gist_trgm_ops, opclassParams: { siglen: 32 } }'],
    ],
    [
      'not a mapping',
      index('method: gist', 'columns: [{ column: title, opclass: gist_trgm_ops, opclassParams: 32 }]'),
      [7, 75, 'tables.users.indexes.idx_x.columns[0].opclassParams', '"opclassParams" must be a mapping (key: value lines), found the number 32'],
    ],
    [
      'a list as a value',
      index('method: gist', 'columns: [{ column: title, opclass: gist_trgm_ops, opclassParams: { siglen: [32] } }]'),
      [7, 85, 'tables.users.indexes.idx_x.columns[0].opclassParams.siglen', '"siglen" must be text, a number or true/false, found a list'],
    ],
    [
      'a capitalised name',
      index('method: gist', 'columns: [{ column: title, opclass: gist_trgm_ops, opclassParams: { sigLen: 32 } }]'),
      [7, 77, 'tables.users.indexes.idx_x.columns[0].opclassParams.sigLen', 'operator class parameter names are lower case: write siglen'],
    ],
    [
      'a typo of the field',
      index('method: gist', 'columns: [{ column: title, opclass: gist_trgm_ops, opclass_params: { siglen: 32 } }]'),
      [7, 60, 'tables.users.indexes.idx_x.columns[0].opclass_params', 'unknown field "opclass_params" — did you mean "opclassParams"?'],
    ],
  ] as const)('%s', (_name, yaml, [line, column, path, message]) => {
    expect(checkManifestText(yaml, 'indexes.yaml').problems).toEqual([{ file: 'indexes.yaml', line, column, path, message }]);
  });
});

describe('qualified opclass and collation names', () => {
  it.each([
    [
      'unclosed quote',
      index('columns: [{ column: email, collation: \'"C\' }]'),
      [6, 47, 'tables.users.indexes.idx_x.columns[0].collation', '"collation" "\\"C" has an unclosed double quote'],
    ],
    [
      'quote inside a part',
      index('columns: [{ column: email, collation: \'pg_catalog."C"x\' }]'),
      [6, 47, 'tables.users.indexes.idx_x.columns[0].collation', '"collation" "pg_catalog.\\"C\\"x": a double quote must wrap a whole name, as in pg_catalog."C"'],
    ],
    [
      'three parts',
      index('columns: [{ column: email, opclass: db.public.text_pattern_ops }]'),
      [6, 45, 'tables.users.indexes.idx_x.columns[0].opclass', '"opclass" "db.public.text_pattern_ops" has more than one dot: write name or schema.name, and quote a name that contains a dot ("my.schema".my_ops)'],
    ],
    [
      'an empty part',
      index('columns: [{ column: email, opclass: public. }]'),
      [6, 45, 'tables.users.indexes.idx_x.columns[0].opclass', '"opclass" "public." has an empty schema or name'],
    ],
  ] as const)('%s', (_name, yaml, [line, column, path, message]) => {
    expect(checkManifestText(yaml, 'indexes.yaml').problems).toEqual([{ file: 'indexes.yaml', line, column, path, message }]);
  });

  it('accepts quoted parts, with dots and doubled quotes inside', () => {
    const check = checkManifestText(
      index('columns: [{ column: a, collation: pg_catalog."C" }, { column: b, opclass: \'"My.Schema"."say ""hi"""\' }]'),
      'indexes.yaml',
    );
    expect(check.problems).toEqual([]);
    expect(check.state?.tables[0]?.indexes[0]?.columns.map((c) => [c.collation, c.opclass])).toEqual([
      ['pg_catalog."C"', undefined],
      [undefined, '"My.Schema"."say ""hi"""'],
    ]);
  });
});

describe('stand-ins for broken list entries', () => {
  it('are not reported again as duplicates', () => {
    expect(checkManifestText(index('columns: [email]', 'include: [1, 2]'), 'indexes.yaml').problems.map(formatProblem)).toEqual([
      'indexes.yaml:7:19  tables.users.indexes.idx_x.include[0]  the entry must be text, found the number 1',
      'indexes.yaml:7:22  tables.users.indexes.idx_x.include[1]  the entry must be text, found the number 2',
    ]);
  });
});
