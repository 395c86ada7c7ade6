import { describe, expect, it } from 'vitest';
import {
  closingParenthesis,
  definitionBody,
  isWholeArgumentList,
  normaliseStorageParameters,
  parseDefinitionHead,
  quotedEnd,
  retargetDefinition,
  scanOutsideQuotes,
  topLevelClause,
} from '../../src/core/definition-text.js';
import { isSingleFunctionCall } from '../../src/core/sql.js';

describe('quotedEnd', () => {
  it.each<[string, number, number | undefined]>([
    ["'abc' x", 0, 5],
    ["'it''s' x", 0, 7],
    ["''''", 0, 4],
    ["''", 0, 2],
    ['"we""ird".f', 0, 9],
    ['"a\'b" x', 0, 5],
    ["'a\"b' x", 0, 5],
    // A plain literal takes no backslash escapes: the backslash is a character, the next quote ends it.
    [String.raw`'a\' x`, 0, 4],
    // An escape string does: \' stays inside, and so does \\.
    [String.raw`E'a\'b' x`, 1, 7],
    [String.raw`e'a\\' x`, 1, 6],
    [String.raw`x = E'\'''' y`, 5, 11],
    // An E that ends a longer word makes no escape string.
    [String.raw`typE'a\' x`, 4, 8],
    [String.raw`_E'a\' x`, 2, 6],
    // A backslash in a quoted identifier is just a character.
    [String.raw`E"a\" x`, 1, 5],
    ["'never closes", 0, undefined],
    ["'doubled at the end''", 0, undefined],
    [String.raw`E'escaped at the end\'`, 1, undefined],
  ])('%s from %i → %s', (text, open, end) => {
    expect(quotedEnd(text, open)).toBe(end);
  });
});

describe('scanOutsideQuotes', () => {
  const visited = (text: string) => {
    const seen: string[] = [];
    scanOutsideQuotes(text, (i, depth) => {
      seen.push(`${text[i]}${depth}`);
      return false;
    });
    return seen.join(' ');
  };

  it('visits only what is outside quotes, with the depth before each character', () => {
    expect(visited("f('(', \"(\")")).toBe('f0 (0 ,1  1 )1');
    expect(visited("(a(b)'it''s')")).toBe('(0 a1 (1 b2 )2 )1');
    expect(visited(String.raw`(E'\')' )`)).toBe(String.raw`(0 E1  1 )1`);
  });

  it('stops where the visitor says, and at a quote that never closes', () => {
    expect(scanOutsideQuotes('abc', (i) => i === 1)).toBe(1);
    expect(scanOutsideQuotes("a 'b", () => false)).toBeUndefined();
    expect(scanOutsideQuotes('abc', () => false)).toBeUndefined();
  });

  it('reports each quoted span, and stops when told', () => {
    const spans: [number, number | undefined][] = [];
    const stop = scanOutsideQuotes("x 'a' \"b\" 'c", () => false, {
      quoted: (start, end) => {
        spans.push([start, end]);
        return end === undefined;
      },
    });
    expect(spans).toEqual([
      [2, 5],
      [6, 9],
      [10, undefined],
    ]);
    expect(stop).toBe(10);
  });

  it('starts where told, counting depth from there', () => {
    expect(scanOutsideQuotes('((a))', (i, depth) => depth === 1 && i > 2, { from: 1 })).toBe(3);
  });
});

describe('topLevelClause', () => {
  it.each<[string, string, number | undefined]>([
    ['btree (a) WHERE (a > 0)', ' WHERE (', 9],
    ["btree ((note = ' WHERE (')) WHERE (a > 0)", ' WHERE (', 27],
    ['btree ("x WHERE (y") WHERE (a > 0)', ' WHERE (', 20],
    ["btree (a) WHERE ((b = 'it''s') AND (c IS NULL))", ' WHERE (', 9],
    [String.raw`btree ((x = E'\' WHERE (')) WHERE (a)`, ' WHERE (', 27],
    ['btree (f(a, (b WHERE (c))))', ' WHERE (', undefined],
    ["btree (a) WHERE (b = 'never closes", ' WITH (', undefined],
  ])('%s', (text, clause, at) => {
    expect(topLevelClause(text, clause)).toBe(at);
  });
});

describe('closingParenthesis', () => {
  it.each<[string, number, number | undefined]>([
    ['(a)', 0, 2],
    ['f((a), (b)) x', 1, 10],
    ["(')', \")\") x", 0, 9],
    ["('it''s)') x", 0, 9],
    [String.raw`(E'\')') x`, 0, 7],
    ['((a) b', 0, undefined],
    ["('a)", 0, undefined],
  ])('%s from %i', (text, open, close) => {
    expect(closingParenthesis(text, open)).toBe(close);
  });
});

describe('isWholeArgumentList and the single-call check built on it', () => {
  it.each<[string, boolean]>([
    ['(a)', true],
    ['(g(x), h(y))', true],
    ["('a)b', \"c)\")", true],
    ["('it''s')", true],
    ['(a) ', false],
    ['(a)(b)', false],
    ['(a', false],
    ["('never", false],
    [String.raw`('a\')`, false],
    [String.raw`(E'a\'b')`, false],
    ['($1)', false],
    ['(a -- c\n)', false],
    ['(/* c */ a)', false],
  ])('%s → %s', (text, whole) => {
    expect(isWholeArgumentList(text, 0)).toBe(whole);
  });

  it.each<[string, boolean]>([
    ['lower(email)', true],
    ['"we""ird".f(x)', true],
    ["f('a)b')", true],
    ["date_trunc('day', at) ", true],
    ['lower(a) || lower(b)', false],
    ['coalesce(a, b)', false],
    [String.raw`f(E'a\\b')`, false],
  ])('isSingleFunctionCall(%s) → %s', (text, single) => {
    expect(isSingleFunctionCall(text)).toBe(single);
  });
});

describe('definition heads', () => {
  it('reads the names as printed', () => {
    expect(parseDefinitionHead('CREATE UNIQUE INDEX "Order ""Idx""" ON ONLY "Sales"."my.table" USING btree (a)')).toEqual({
      unique: true,
      name: '"Order ""Idx"""',
      only: true,
      schema: '"Sales"',
      table: '"my.table"',
      rest: 'btree (a)',
    });
    expect(parseDefinitionHead('CREATE INDEX i ON t USING btree (a)')).toEqual({ unique: false, name: 'i', only: false, table: 't', rest: 'btree (a)' });
    expect(parseDefinitionHead('not a definition')).toBeUndefined();
  });

  it.each<[string, string]>([
    ['CREATE INDEX users_email ON public.users USING btree (email)', 'ON public.users USING btree (email)'],
    ['CREATE UNIQUE INDEX users_email ON public.users USING btree (email)', 'UNIQUE ON public.users USING btree (email)'],
    ['CREATE INDEX "Order ""Idx""" ON "Sales".orders USING btree (a)', 'ON "Sales".orders USING btree (a)'],
    ['CREATE INDEX events_at ON ONLY public.events USING btree (at)', 'ON ONLY public.events USING btree (at)'],
    ["CREATE INDEX x ON public.t USING btree (a) WHERE (note = 'ON ')", "ON public.t USING btree (a) WHERE (note = 'ON ')"],
    ['not a definition', 'not a definition'],
  ])('body of %s', (definition, body) => {
    expect(definitionBody(definition)).toBe(body);
  });

  it('retargets a definition on a qualified table, keeping UNIQUE and ONLY', () => {
    expect(retargetDefinition("CREATE UNIQUE INDEX a ON ONLY public.t USING btree (x) WHERE (y = 'ON public.t')")?.('c1', 'pg_temp.t1')).toBe(
      "CREATE UNIQUE INDEX c1 ON ONLY pg_temp.t1 USING btree (x) WHERE (y = 'ON public.t')",
    );
    expect(retargetDefinition('CREATE INDEX a ON t USING btree (x)')).toBeUndefined();
  });
});

describe('normaliseStorageParameters', () => {
  it.each<[string, string]>([
    ["CREATE INDEX a ON public.t USING gin (x) WITH (fastupdate='false')", 'CREATE INDEX a ON public.t USING gin (x) WITH (fastupdate=off)'],
    [
      "CREATE INDEX a ON public.t USING btree (x) WITH (fillfactor='70', deduplicate_items=yes)",
      "CREATE INDEX a ON public.t USING btree (x) WITH (fillfactor='70', deduplicate_items='on')",
    ],
    // A ` WITH (` inside a literal or a quoted identifier is no clause.
    [
      "CREATE INDEX a ON public.t USING gin ((x || ' WITH (fastupdate=no)')) WHERE (\" WITH (\" IS NOT NULL)",
      "CREATE INDEX a ON public.t USING gin ((x || ' WITH (fastupdate=no)')) WHERE (\" WITH (\" IS NOT NULL)",
    ],
    [
      "CREATE INDEX a ON public.t USING gin ((x || 'it''s')) WITH (fastupdate='0') WHERE (y = ')')",
      "CREATE INDEX a ON public.t USING gin ((x || 'it''s')) WITH (fastupdate=off) WHERE (y = ')')",
    ],
    ['CREATE INDEX a ON public.t USING btree (x) WITH (fillfactor=70)', 'CREATE INDEX a ON public.t USING btree (x) WITH (fillfactor=70)'],
  ])('%s', (definition, normalised) => {
    expect(normaliseStorageParameters(definition)).toBe(normalised);
  });
});
