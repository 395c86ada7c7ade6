/*
 * The SQL text builders on their exact output: identifiers and literals, every part of CREATE INDEX,
 * the other statements, the single-call check, definition bodies, and names shortened to 63 bytes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { byteLength } from '../../src/core/model.js';
import { splitQualifiedName } from '../../src/core/qualified-name.js';
import {
  analyzeSql,
  attachPartitionSql,
  commentIndexSql,
  createIndexSql,
  definitionBody,
  dropIndexSql,
  isReindexLeftoverName,
  isSingleFunctionCall,
  isTemporaryName,
  partitionIndexName,
  qualify,
  quoteIdent,
  quoteLiteral,
  quoteQualifiedName,
  renameIndexSql,
  shortHash,
  temporaryName,
} from '../../src/core/sql.js';
import { column, desiredIndex, expression } from '../helpers/model-builders.js';

// Backslashes in fragments are rewritten with the parser's scanner.
beforeAll(() => loadSqlParser());

describe('quoteQualifiedName', () => {
  it.each([
    ['text_pattern_ops', 'text_pattern_ops'],
    ['public.gist_trgm_ops', 'public.gist_trgm_ops'],
    // Unquoted parts are taken literally, as every manifest name: C is the collation "C".
    ['C', '"C"'],
    ['pg_catalog.C', 'pg_catalog."C"'],
    // Already quoted: not quoted twice, and a dot inside quotes is part of the name.
    ['pg_catalog."C"', 'pg_catalog."C"'],
    ['"C"', '"C"'],
    ['"MySchema"."my_ops"', '"MySchema".my_ops'],
    ['"my.schema".my_ops', '"my.schema".my_ops'],
    ['"say ""hi"""."x"', '"say ""hi""".x'],
    ['public."en-x-icu"', 'public."en-x-icu"'],
    ['default', '"default"'],
    // Not a name (the manifest check refuses these): one quoted identifier, never SQL of its own.
    ['"C', '"""C"'],
    ['pg_catalog."C"x', '"pg_catalog.""C""x"'],
  ])('%s → %s', (written, quoted) => {
    expect(quoteQualifiedName(written)).toBe(quoted);
  });

  it('splits the way table keys are split', () => {
    expect(splitQualifiedName('a."b.c"')).toEqual({ ok: true, parts: ['a', 'b.c'] });
    expect(splitQualifiedName('a.b.c')).toEqual({ ok: true, parts: ['a', 'b', 'c'] });
    expect(splitQualifiedName('a.')).toEqual({ ok: true, parts: ['a', ''] });
    expect(splitQualifiedName('"a')).toEqual({ ok: false, problem: 'unclosed-quote' });
    expect(splitQualifiedName('a"b')).toEqual({ ok: false, problem: 'partial-quote' });
  });
});

describe('key parts', () => {
  it('prints operator class parameters after the opclass, as pg_get_indexdef does', () => {
    const index = desiredIndex('docs', 'docs_title_trgm', {
      method: 'gist',
      columns: [
        column('title', { opclass: 'public.gist_trgm_ops', opclassParams: [{ name: 'siglen', value: '32' }] }),
        { ...expression('lower(body)'), opclass: 'gist_trgm_ops', opclassParams: [{ name: 'siglen', value: '16' }] },
      ],
    });
    expect(createIndexSql(index, { concurrently: true })).toBe(
      "CREATE INDEX CONCURRENTLY docs_title_trgm ON public.docs USING gist (title public.gist_trgm_ops (siglen='32'), lower(body) gist_trgm_ops (siglen='16'))",
    );
  });

  it('prints several parameters in the order written, values bare where quote_ident leaves them bare', () => {
    const index = desiredIndex('docs', 'docs_x', {
      method: 'gist',
      columns: [
        column('t', {
          opclass: 'my_ops',
          opclassParams: [
            { name: 'siglen', value: '8' },
            { name: 'mode', value: 'fast' },
            { name: 'strict', value: 'true' },
          ],
        }),
      ],
    });
    expect(createIndexSql(index, { concurrently: false })).toBe(
      "CREATE INDEX docs_x ON public.docs USING gist (t my_ops (siglen='8', mode=fast, strict='true'))",
    );
  });

  it('puts COLLATE before the opclass and the order after its parameters', () => {
    const index = desiredIndex('docs', 'docs_y', {
      columns: [column('t', { collation: 'pg_catalog."C"', opclass: '"MySchema"."my_ops"', opclassParams: [{ name: 'n', value: '1' }], order: 'desc' })],
    });
    expect(createIndexSql(index, { concurrently: false })).toBe(
      `CREATE INDEX docs_y ON public.docs USING btree (t COLLATE pg_catalog."C" "MySchema".my_ops (n='1') DESC)`,
    );
  });
});

describe('quoteIdent', () => {
  // What PostgreSQL's quote_ident returns for each.
  it.each([
    ['a plain lower-case name', 'users', 'users'],
    ['a leading underscore, digits', '_t2_x', '_t2_x'],
    ['an unreserved keyword', 'name', 'name'],
    ['another unreserved keyword', 'index', 'index'],
    ['a reserved keyword', 'user', '"user"'],
    ['a reserved keyword', 'select', '"select"'],
    ['a keyword that can be a type name', 'int', '"int"'],
    ['a keyword that can be a function name', 'coalesce', '"coalesce"'],
    ['a type-or-function keyword', 'concurrently', '"concurrently"'],
    ['capitals', 'Users', '"Users"'],
    ['all capitals, even of a keyword', 'SELECT', '"SELECT"'],
    ['a leading digit', '1st', '"1st"'],
    ['a space', 'my table', '"my table"'],
    ['a dot', 'a.b', '"a.b"'],
    ['a hyphen', 'a-b', '"a-b"'],
    ['a dollar sign, which quote_ident quotes', 'a$b', '"a$b"'],
    ['a double quote, doubled', 'say "hi"', '"say ""hi"""'],
    ['only a double quote', '"', '""""'],
    ['non-ASCII letters', 'café', '"café"'],
    ['a non-Latin script', 'таблица', '"таблица"'],
    ['an emoji', 'idx_🚀', '"idx_🚀"'],
    ['the empty name', '', '""'],
  ])('%s: %s', (_, name, expected) => {
    expect(quoteIdent(name)).toBe(expected);
  });
});

describe('qualify', () => {
  it('quotes each part on its own', () => {
    expect(qualify('public', 'users')).toBe('public.users');
    expect(qualify('My Schema', 'order')).toBe('"My Schema"."order"');
    expect(qualify('app', 'a.b')).toBe('app."a.b"');
  });
});

describe('quoteLiteral', () => {
  it.each([
    ['plain text', 'active', `'active'`],
    ['the empty string', '', `''`],
    ['a quote, doubled', `it's`, `'it''s'`],
    ['a backslash: an escape string that reads the same whatever standard_conforming_strings says', String.raw`C:\dir`, String.raw`E'C:\\dir'`],
    ['a backslash and a quote', String.raw`a\'b`, String.raw`E'a\\''b'`],
    ['a trailing backslash', 'end\\', String.raw`E'end\\'`],
    ['multibyte text', 'crème brûlée', `'crème brûlée'`],
    ['a newline stays as it is', 'two\nlines', `'two\nlines'`],
  ])('%s', (_, value, expected) => {
    expect(quoteLiteral(value)).toBe(expected);
  });
});

describe('createIndexSql', () => {
  const base = desiredIndex('users', 'users_email', { columns: [column('email')] });

  it('writes the plainest index as pg_get_indexdef prints it', () => {
    expect(createIndexSql(base, { concurrently: false })).toBe('CREATE INDEX users_email ON public.users USING btree (email)');
  });

  it('writes CONCURRENTLY, UNIQUE, another name, ON ONLY and another table reference where asked', () => {
    expect(createIndexSql(base, { concurrently: true })).toBe('CREATE INDEX CONCURRENTLY users_email ON public.users USING btree (email)');
    expect(createIndexSql({ ...base, unique: true }, { concurrently: true })).toBe(
      'CREATE UNIQUE INDEX CONCURRENTLY users_email ON public.users USING btree (email)',
    );
    expect(createIndexSql(base, { concurrently: true, name: 'users_email_reconcile_new' })).toBe(
      'CREATE INDEX CONCURRENTLY users_email_reconcile_new ON public.users USING btree (email)',
    );
    expect(createIndexSql(base, { concurrently: false, only: true })).toBe('CREATE INDEX users_email ON ONLY public.users USING btree (email)');
    expect(createIndexSql(base, { concurrently: false, tableSql: 'pg_temp_3.users' })).toBe('CREATE INDEX users_email ON pg_temp_3.users USING btree (email)');
  });

  it('quotes every identifier that needs it', () => {
    const odd = desiredIndex('Order Lines', 'Order"Idx', {
      schema: 'Sales',
      method: 'btree',
      columns: [column('user'), column('Total')],
      include: ['select', 'note'],
      tablespace: 'Fast Disk',
    });
    expect(createIndexSql(odd, { concurrently: false })).toBe(
      'CREATE INDEX "Order""Idx" ON "Sales"."Order Lines" USING btree ("user", "Total") INCLUDE ("select", note) TABLESPACE "Fast Disk"',
    );
  });

  it('leaves out what btree means by default and writes the rest of the order', () => {
    const ordered = desiredIndex('t', 't_ordered', {
      columns: [
        column('a', { order: 'asc' }),
        column('b', { order: 'asc', nulls: 'last' }),
        column('c', { order: 'asc', nulls: 'first' }),
        column('d', { order: 'desc' }),
        column('e', { order: 'desc', nulls: 'first' }),
        column('f', { order: 'desc', nulls: 'last' }),
        column('g', { nulls: 'first' }),
      ],
    });
    expect(createIndexSql(ordered, { concurrently: false })).toBe(
      'CREATE INDEX t_ordered ON public.t USING btree (a, b, c NULLS FIRST, d DESC, e DESC, f DESC NULLS LAST, g NULLS FIRST)',
    );
  });

  it('writes the order as given for other methods, which refuse what they do not support', () => {
    const gist = desiredIndex('t', 't_gist', { method: 'gist', columns: [column('a', { order: 'asc', nulls: 'last' }), column('b')] });
    expect(createIndexSql(gist, { concurrently: false })).toBe('CREATE INDEX t_gist ON public.t USING gist (a ASC NULLS LAST, b)');
  });

  it('writes collations and operator classes after the key', () => {
    const keyed = desiredIndex('t', 't_keyed', {
      columns: [column('name', { collation: 'C' }), column('code', { opclass: 'text_pattern_ops', order: 'desc' })],
    });
    expect(createIndexSql(keyed, { concurrently: false })).toBe('CREATE INDEX t_keyed ON public.t USING btree (name COLLATE "C", code text_pattern_ops DESC)');
    const trigram = desiredIndex('t', 't_trgm', { method: 'gin', columns: [column('title', { opclass: 'public.gin_trgm_ops' })] });
    expect(createIndexSql(trigram, { concurrently: false })).toBe('CREATE INDEX t_trgm ON public.t USING gin (title public.gin_trgm_ops)');
  });

  it('writes a single function call bare and any other expression in parentheses', () => {
    const expressions = desiredIndex('t', 't_expr', {
      columns: [expression('lower(email)'), expression('a + b'), expression('(c)'), expression('coalesce(d, 0)')],
    });
    expect(createIndexSql(expressions, { concurrently: false })).toBe('CREATE INDEX t_expr ON public.t USING btree (lower(email), (a + b), ((c)), (coalesce(d, 0)))');
  });

  it('writes INCLUDE, NULLS NOT DISTINCT, storage parameters, TABLESPACE and WHERE in PostgreSQL\'s order', () => {
    const full = desiredIndex('t', 't_full', {
      unique: true,
      columns: [column('a')],
      include: ['b', 'c'],
      nullsNotDistinct: true,
      with: [
        { name: 'fillfactor', value: '70' },
        { name: 'deduplicate_items', value: 'off' },
      ],
      tablespace: 'fast',
      where: "status = 'open'",
    });
    expect(createIndexSql(full, { concurrently: true })).toBe(
      "CREATE UNIQUE INDEX CONCURRENTLY t_full ON public.t USING btree (a) INCLUDE (b, c) NULLS NOT DISTINCT WITH (fillfactor='70', deduplicate_items=off) TABLESPACE fast WHERE (status = 'open')",
    );
    expect(createIndexSql(full, { concurrently: false, omitTablespace: true })).toBe(
      "CREATE UNIQUE INDEX t_full ON public.t USING btree (a) INCLUDE (b, c) NULLS NOT DISTINCT WITH (fillfactor='70', deduplicate_items=off) WHERE (status = 'open')",
    );
  });

  it('quotes storage parameter values that are not bare words', () => {
    const gin = desiredIndex('t', 't_gin', {
      method: 'gin',
      columns: [column('doc')],
      with: [
        { name: 'fastupdate', value: 'off' },
        { name: 'gin_pending_list_limit', value: '4096' },
        { name: 'odd', value: "it's" },
      ],
    });
    expect(createIndexSql(gin, { concurrently: false })).toBe(
      "CREATE INDEX t_gin ON public.t USING gin (doc) WITH (fastupdate=off, gin_pending_list_limit='4096', odd='it''s')",
    );
  });

  it('sends literals with a backslash in fragments as escape strings', () => {
    const paths = desiredIndex('files', 'files_win', {
      columns: [expression(String.raw`replace(path, '\', '/')`)],
      where: String.raw`path LIKE 'C:\%'`,
    });
    // The call now holds a backslash, which the single-call scan does not read: it keeps parentheses.
    expect(createIndexSql(paths, { concurrently: false })).toBe(
      String.raw`CREATE INDEX files_win ON public.files USING btree ((replace(path, E'\\', '/'))) WHERE (path LIKE E'C:\\%')`,
    );
  });
});

describe('the other statements', () => {
  it('drops concurrently or not, always IF EXISTS', () => {
    expect(dropIndexSql('public', 'users_email', { concurrently: true })).toBe('DROP INDEX CONCURRENTLY IF EXISTS public.users_email');
    expect(dropIndexSql('Sales', 'Order Idx', { concurrently: false })).toBe('DROP INDEX IF EXISTS "Sales"."Order Idx"');
  });

  it('renames with ALTER INDEX, the new name unqualified', () => {
    expect(renameIndexSql('public', 'users_email', 'users_email_reconcile_old')).toBe('ALTER INDEX public.users_email RENAME TO users_email_reconcile_old');
    expect(renameIndexSql('Sales', 'old', 'New Name')).toBe('ALTER INDEX "Sales".old RENAME TO "New Name"');
  });

  it('sets, quotes and removes comments', () => {
    expect(commentIndexSql('public', 'users_email', 'Login lookup')).toBe(`COMMENT ON INDEX public.users_email IS 'Login lookup'`);
    expect(commentIndexSql('public', 'users_email', `Bob's index`)).toBe(`COMMENT ON INDEX public.users_email IS 'Bob''s index'`);
    expect(commentIndexSql('public', 'users_email', String.raw`C:\temp`)).toBe(String.raw`COMMENT ON INDEX public.users_email IS E'C:\\temp'`);
    expect(commentIndexSql('public', 'users_email', '')).toBe(`COMMENT ON INDEX public.users_email IS ''`);
    expect(commentIndexSql('public', 'users_email', undefined)).toBe('COMMENT ON INDEX public.users_email IS NULL');
  });

  it('analyzes a table and attaches a partition index', () => {
    expect(analyzeSql('public', 'Users')).toBe('ANALYZE public."Users"');
    expect(attachPartitionSql('public', 'events_at', 'archive', 'events_at_2024')).toBe('ALTER INDEX public.events_at ATTACH PARTITION archive.events_at_2024');
  });
});

describe('isSingleFunctionCall', () => {
  it.each([
    ['lower(email)', true],
    ['  lower(email)  ', true],
    ['LOWER(email)', true],
    ['lower (email)', true],
    ['public.immutable_unaccent(title)', true],
    ['"MyFunc"(x)', true],
    ['"we""ird".f(x)', true],
    ['date_trunc(\'day\', at)', true],
    ["f('a)b')", true],
    ["f('it''s')", true],
    ['f("col)")', true],
    ['f(g(x), h(y))', true],
    ['f()', true],
    ['lower(a) || lower(b)', false],
    ['f(a)(b)', false],
    ['(lower(email))', false],
    ['a + b', false],
    ['email', false],
    ['coalesce(a, b)', false],
    ['row(a, b)', false],
    ['substring(a, 1, 2)', false],
    ['f(', false],
    ['f(x))', false],
    ["f('unterminated)", false],
    [String.raw`f('a\')`, false],
    ['f($1)', false],
    ['f(x -- comment\n)', false],
    ['f(/* comment */ x)', false],
    ['1f(x)', false],
    ['.f(x)', false],
  ])('%s → %s', (text, expected) => {
    expect(isSingleFunctionCall(text)).toBe(expected);
  });
});

describe('definitionBody', () => {
  it.each([
    ['CREATE INDEX users_email ON public.users USING btree (email)', 'ON public.users USING btree (email)'],
    ['CREATE UNIQUE INDEX users_email ON public.users USING btree (email)', 'UNIQUE ON public.users USING btree (email)'],
    ['CREATE INDEX "Order ""Idx""" ON "Sales".orders USING btree (a)', 'ON "Sales".orders USING btree (a)'],
    ['CREATE INDEX events_at ON ONLY public.events USING btree (at)', 'ON ONLY public.events USING btree (at)'],
    ['CREATE INDEX x ON public.t USING btree (a) WHERE (note = \'ON \')', 'ON public.t USING btree (a) WHERE (note = \'ON \')'],
    ['not a definition', 'not a definition'],
    ['', ''],
  ])('%s', (definition, expected) => {
    expect(definitionBody(definition)).toBe(expected);
  });

  it('makes two indexes that differ only in name equal', () => {
    expect(definitionBody('CREATE INDEX a ON public.t USING btree (x)')).toBe(definitionBody('CREATE INDEX "B c" ON public.t USING btree (x)'));
  });
});

describe('temporary names', () => {
  it('appends the suffix to a short name', () => {
    expect(temporaryName('users_email', 'new')).toBe('users_email_reconcile_new');
    expect(temporaryName('users_email', 'old')).toBe('users_email_reconcile_old');
  });

  it('shortens a long name to keep the whole within 63 bytes', () => {
    const name = 'i'.repeat(63);
    expect(temporaryName(name, 'new')).toBe(`${'i'.repeat(49)}_reconcile_new`);
    expect(byteLength(temporaryName(name, 'new'))).toBe(63);
  });

  it('never cuts a multibyte character in half', () => {
    // 30 × 2 bytes; 49 bytes are left for the name: 24 characters (48 bytes) fit, the 25th does not.
    expect(temporaryName('é'.repeat(30), 'old')).toBe(`${'é'.repeat(24)}_reconcile_old`);
    expect(byteLength(temporaryName('é'.repeat(30), 'old'))).toBe(62);
    // 3-byte and 4-byte characters.
    expect(temporaryName('€'.repeat(20), 'new')).toBe(`${'€'.repeat(16)}_reconcile_new`);
    expect(temporaryName(`a${'🚀'.repeat(15)}`, 'new')).toBe(`a${'🚀'.repeat(12)}_reconcile_new`);
  });

  it('recognises its own suffixes and what REINDEX CONCURRENTLY leaves', () => {
    expect(['x_reconcile_new', 'x_reconcile_old', 'x_reconcile', 'x_reconcile_new2'].map(isTemporaryName)).toEqual([true, true, false, false]);
    expect(['x_ccnew', 'x_ccold', 'x_ccnew1', 'x_ccold12', 'x_ccnewer', 'x_cc'].map(isReindexLeftoverName)).toEqual([true, true, true, true, false, false]);
  });
});

describe('partitionIndexName', () => {
  it('joins index and partition while that fits in 63 bytes', () => {
    expect(partitionIndexName('events_at', 'events_2026')).toBe('events_at_events_2026');
    const exactly = partitionIndexName('a'.repeat(32), 'b'.repeat(30));
    expect(exactly).toBe(`${'a'.repeat(32)}_${'b'.repeat(30)}`);
    expect(byteLength(exactly)).toBe(63);
  });

  it('shortens a longer one to 63 bytes with a hash of the full name, so it stays unique and stable', () => {
    expect(partitionIndexName('a'.repeat(32), 'b'.repeat(31))).toBe(`${'a'.repeat(32)}_${'b'.repeat(21)}_467033d8`);
    expect(partitionIndexName(`idx_events_${'x'.repeat(40)}`, 'events_2026_q1_part')).toBe(`idx_events_${'x'.repeat(40)}_ev_bbb63753`);
  });

  it('never cuts a multibyte character in half', () => {
    // 54 bytes are left before the hash: 'idx_' and 25 × 2 bytes fill them exactly.
    const accented = partitionIndexName(`idx_${'é'.repeat(30)}`, 'p2026');
    expect(accented).toBe(`idx_${'é'.repeat(25)}_eb17f2a0`);
    expect(byteLength(accented)).toBe(63);
    // 'idx_' and 16 × 3 bytes is 52; a 17th would make 55.
    const euros = partitionIndexName(`idx_${'€'.repeat(20)}`, 'p');
    expect(euros).toBe(`idx_${'€'.repeat(16)}_5f19702a`);
    expect(byteLength(euros)).toBe(61);
  });

  it('hashes with 32-bit FNV-1a', () => {
    // The published test vectors.
    expect(['', 'a', 'foobar'].map(shortHash)).toEqual(['811c9dc5', 'e40c292c', 'bf9cf968']);
  });
});
