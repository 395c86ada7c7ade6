import { beforeAll, describe, expect, it } from 'vitest';
import { checkFragment, checkFragments, clearFragmentCache, type FragmentKind } from '../../src/core/fragments.js';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { checkQueries, checkQuery } from '../../src/core/query-check.js';

beforeAll(async () => {
  await loadSqlParser();
});

const REFUSED = [
  // [fragment, kind, message, offset]
  [
    'true); DROP TABLE users; --',
    'where',
    '";" is not allowed: the condition must be one SQL expression, not statements',
    5,
  ],
  ['true)', 'where', 'the condition is not valid SQL: syntax error at or near ")"', 4],
  [
    '1=1 UNION SELECT usename FROM pg_user',
    'where',
    'the condition must be one SQL expression, not a query: UNION is not allowed',
    4,
  ],
  ['1=1 INTERSECT SELECT 1', 'where', 'the condition must be one SQL expression, not a query: INTERSECT is not allowed', 4],
  ['(SELECT pg_sleep(10))', 'expression', 'a subquery is not allowed in an index expression', 0],
  ['x IN (SELECT id FROM admins)', 'where', 'a subquery is not allowed in an index predicate ("where")', 2],
  ['EXISTS (SELECT 1 FROM admins)', 'where', 'a subquery is not allowed in an index predicate ("where")', 0],
  ['lower((SELECT max(email) FROM users))', 'expression', 'a subquery is not allowed in an index expression', 6],
  ['ARRAY(SELECT 1)', 'expression', 'a subquery is not allowed in an index expression', 0],
  [';', 'where', '";" is not allowed: the condition must be one SQL expression, not statements', 0],
  ['a; SELECT 2', 'expression', '";" is not allowed: the expression must be one SQL expression, not statements', 1],
  ['a = 1;', 'where', '";" is not allowed: the condition must be one SQL expression, not statements', 5],
  ['', 'expression', 'the expression is empty: give one SQL expression, e.g. lower(email)', 0],
  ['   ', 'where', 'the condition is empty: give one SQL condition, e.g. deleted_at IS NULL', 0],
  ['lower(email) -- trailing', 'expression', 'SQL comments are not allowed in a fragment: use a YAML # comment instead', 13],
  ['a /* x */ = 1', 'where', 'SQL comments are not allowed in a fragment: use a YAML # comment instead', 2],
  ['a, b', 'expression', 'the expression must be one SQL expression, but this is a list of 2: give each its own column entry', 3],
  ['a = 1, b = 2', 'where', 'the condition must be one SQL expression, but this is a list of 2: combine conditions with AND', 7],
  ['1 FROM users', 'where', 'the condition must be one SQL expression, not a query: FROM is not allowed', 2],
  ['a WHERE b', 'where', 'the condition must be one SQL expression, not a query: WHERE is not allowed', 2],
  ['a ORDER BY a', 'expression', 'the expression must be one SQL expression, not a query: ORDER BY is not allowed', 2],
  ['a LIMIT 1', 'expression', 'the expression must be one SQL expression, not a query: LIMIT is not allowed', 2],
  ['DISTINCT a', 'expression', 'the expression must be one SQL expression, not a query: DISTINCT is not allowed', 0],
  ['ALL a', 'expression', 'the expression must be one SQL expression, not a query: ALL is not allowed', 0],
  ['a INTO t', 'expression', 'the expression must be one SQL expression, not a query: INTO is not allowed', 2],
  ['a FOR UPDATE', 'expression', 'the expression must be one SQL expression, not a query: FOR UPDATE is not allowed', 2],
  ['a FOR KEY SHARE', 'expression', 'the expression must be one SQL expression, not a query: FOR KEY SHARE is not allowed', 2],
  ['lower(email) AS e', 'expression', 'the expression must be one SQL expression, without an alias ("e")', 0],
  ['*', 'expression', '"*" is not an expression', 0],
  ['$1 = a', 'where', 'parameters like $1 are not allowed in an index predicate ("where")', 0],
  ["status = 'é' AND )", 'where', 'the condition is not valid SQL: syntax error at or near ")"', 17],
  ["'😀' || )", 'expression', 'the expression is not valid SQL: syntax error at or near ")"', 8],
] as const;

const ACCEPTED = [
  ['lower(email)', 'expression'],
  ["status = 'active'", 'where'],
  ['refresh_token IS NOT NULL', 'where'],
  ["to_tsvector('spanish', coalesce(title,'') || ' ' || coalesce(content,''))", 'expression'],
  ["(data->>'kind')", 'expression'],
  ["data->>'kind'", 'expression'],
  ["created_at > '2024-01-01'::timestamptz", 'where'],
  ['a BETWEEN 1 AND 2', 'where'],
  ["x IN ('a','b')", 'where'],
  ["split_part(path, ';', 1)", 'expression'],
  ["url NOT LIKE '%--%'", 'where'],
  ['deleted_at IS NULL AND NOT archived', 'where'],
  ['(a + b) * 2', 'expression'],
  ['title COLLATE "C"', 'expression'],
  ['CASE WHEN a THEN 1 ELSE 2 END', 'expression'],
  ['"UserId"', 'expression'],
  ['lower(email)\n', 'expression'],
] as const;

describe('checkFragment refuses anything but one expression', () => {
  it.each(REFUSED)('%j (%s)', (fragment, kind, message, offset) => {
    expect(checkFragment(fragment, kind)).toEqual({ message, offset });
  });
});

describe('checkFragment accepts expressions', () => {
  it.each(ACCEPTED)('%j (%s)', (fragment, kind) => {
    expect(checkFragment(fragment, kind)).toBeUndefined();
  });
});

describe('checkFragments (batched) answers exactly as one at a time', () => {
  it('for every case above, mixed in one batch with fragments that would swallow their neighbours', () => {
    const swallowers: [string, FragmentKind][] = [
      ["x = 'unterminated", 'where'],
      ["E'\\'", 'expression'],
      ['$$ dollar', 'expression'],
      ['"open identifier', 'expression'],
      ['(a', 'where'],
    ];
    const requests = [
      ...ACCEPTED.map(([text, kind]) => ({ text, kind })),
      ...REFUSED.map(([text, kind]) => ({ text, kind })),
      ...swallowers.map(([text, kind]) => ({ text, kind })),
      ...ACCEPTED.map(([text, kind]) => ({ text, kind })),
    ];
    clearFragmentCache();
    const batched = checkFragments(requests);
    clearFragmentCache();
    const alone = requests.map((r) => {
      clearFragmentCache();
      return checkFragment(r.text, r.kind);
    });
    expect(batched).toEqual(alone);
    expect(batched.slice(0, ACCEPTED.length)).toEqual(ACCEPTED.map(() => undefined));
    expect(batched.slice(-ACCEPTED.length)).toEqual(ACCEPTED.map(() => undefined));
    for (const issue of batched.slice(ACCEPTED.length, ACCEPTED.length + REFUSED.length + swallowers.length)) {
      expect(issue).toBeDefined();
    }
  });
});

describe('checkQueries (batched) answers exactly as one at a time', () => {
  it('for a mix of good, bad and swallowing queries', () => {
    const texts = [
      'SELECT 1',
      'SELECT * FROM t FOR UPDATE',
      "SELECT 'unterminated",
      'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d',
      'SELECT a FROM t WHERE b = 1',
      'INSERT INTO t VALUES (1)',
      'SELECT 2;',
      'SELECT x INTO y FROM t',
      'SELECT 3',
    ];
    clearFragmentCache();
    const batched = checkQueries(texts);
    const alone = texts.map((text) => {
      clearFragmentCache();
      return checkQuery(text);
    });
    expect(batched).toEqual(alone);
    expect(batched.map((c) => c.sql)).toEqual(['SELECT 1', undefined, undefined, undefined, 'SELECT a FROM t WHERE b = 1', undefined, 'SELECT 2', undefined, 'SELECT 3']);
  });
});

describe('checkQuery accepts only one read-only SELECT', () => {
  it('accepts a SELECT', () => {
    expect(
      checkQuery("SELECT * FROM scraped_content WHERE source = 'El Tiempo' ORDER BY published_date DESC LIMIT 20"),
    ).toEqual({
      sql: "SELECT * FROM scraped_content WHERE source = 'El Tiempo' ORDER BY published_date DESC LIMIT 20",
      parameters: 0,
    });
  });

  it('says the highest $n parameter a query uses, batched or alone; a $n inside a string is no parameter', () => {
    const texts = ['SELECT $2, a FROM t WHERE b = $1', "SELECT a FROM t WHERE b = '$3'", 'SELECT a FROM t WHERE b IN (SELECT c FROM u WHERE d = $7) LIMIT $10', 'SELECT 1;'];
    clearFragmentCache();
    const batched = checkQueries(texts);
    const alone = texts.map((text) => {
      clearFragmentCache();
      return checkQuery(text);
    });
    expect(batched).toEqual(alone);
    expect(batched.map((c) => c.parameters)).toEqual([2, 0, 10, 0]);
  });

  it('accepts a read-only WITH and drops a trailing semicolon', () => {
    expect(checkQuery('WITH r AS (SELECT id FROM t) SELECT * FROM r;  ')).toEqual({
      sql: 'WITH r AS (SELECT id FROM t) SELECT * FROM r',
      parameters: 0,
    });
  });

  it.each([
    ['INSERT INTO t VALUES (1)', 'the query must be a SELECT, not INSERT', 0],
    ['UPDATE t SET a = 1', 'the query must be a SELECT, not UPDATE', 0],
    ['DROP TABLE users', 'the query must be a SELECT, not DROP', 0],
    [
      'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d',
      'the query must only read, but its WITH clause runs DELETE',
      5,
    ],
    [
      'WITH x AS (SELECT 1), m AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x',
      'the query must only read, but its WITH clause runs INSERT',
      22,
    ],
    ['SELECT * FROM t WHERE id = 1 FOR UPDATE', 'FOR UPDATE takes row locks: declare the query without it', 29],
    ['SELECT * FROM (SELECT * FROM t FOR SHARE) s', 'FOR SHARE takes row locks: declare the query without it', 31],
    ['SELECT 1; SELECT 2', 'the query must be exactly one SQL statement, but this has 2', 10],
    ['SELECT * INTO t2 FROM t', 'SELECT … INTO creates a table: declare a plain SELECT', 9],
    ['EXPLAIN SELECT 1', 'the query must be a plain SELECT: reconcile check adds EXPLAIN itself', 0],
    ['SELECT * FORM t', 'the query is not valid SQL: syntax error at or near "FORM"', 9],
    ['', 'the query is empty: give one SELECT statement', 0],
  ] as const)('%j', (sql, message, offset) => {
    expect(checkQuery(sql)).toEqual({ issue: { message, offset } });
  });
});
