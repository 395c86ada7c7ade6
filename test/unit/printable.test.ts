/* How names, SQL and free text from the database are printed for people: no line a name can forge. */
import { describe, expect, it } from 'vitest';
import { formatPath } from '../../src/core/manifest-path.js';
import { DatabaseRefused, formatProblem, UserError } from '../../src/core/errors.js';
import { reportError } from '../../src/main.js';
import { captureContext } from '../helpers/in-process.js';
import { hasUnsafeCharacters, printableName, printableQualified, printableSql, printableText } from '../../src/core/printable.js';

describe('printableName', () => {
  it.each([
    ['idx_users_email', 'idx_users_email'],
    ['Mixed Case', 'Mixed Case'],
    ['a.b', 'a.b'],
    ['naïve_索引', 'naïve_索引'],
    // A name that holds a backslash and an n is printed as it is; one that holds a line break is quoted.
    ['back\\nslash', 'back\\nslash'],
    ['evil\n+ idx_forged', '"evil\\n+ idx_forged"'],
    ['tab\there', '"tab\\there"'],
    ['cr\rlf\n', '"cr\\rlf\\n"'],
    ['bell\u0007', '"bell\\x07"'],
    ['\u001b[31mred\u001b[0m', '"\\x1b[31mred\\x1b[0m"'],
    ['del\u007f', '"del\\x7f"'],
    ['nel\u0085', '"nel\\x85"'],
    ['line\u2028separator', '"line\\u2028separator"'],
    ['rtl\u202eoverride', '"rtl\\u202eoverride"'],
    ['isolate\u2066x\u2069', '"isolate\\u2066x\\u2069"'],
    // Quotes double inside the quoted form, and a bare name never starts with one.
    ['say "hi"\n', '"say ""hi""\\n"'],
    ['"quoted"', '"""quoted"""'],
  ])('%j → %s', (name, printed) => {
    expect(printableName(name)).toBe(printed);
    expect(printed).not.toMatch(/[\n\r\u001b\u0007\u2028]/);
  });

  it('qualifies part by part', () => {
    expect(printableQualified('public', 'evil\nname')).toBe('public."evil\\nname"');
    expect(printableQualified('My\tSchema', 't')).toBe('"My\\tSchema".t');
  });
});

describe('printableText', () => {
  it('escapes every unsafe character and leaves the rest', () => {
    expect(printableText('could not create unique index "a\u001b]0;pwned\u0007"')).toBe('could not create unique index "a\\x1b]0;pwned\\x07"');
    expect(printableText('two\nlines')).toBe('two\\nlines');
    expect(printableText('plain € text')).toBe('plain € text');
    expect(hasUnsafeCharacters('plain')).toBe(false);
    expect(hasUnsafeCharacters('a\u0000')).toBe(true);
  });
});

describe('printableSql', () => {
  it.each([
    // Ordinary SQL comes back as it is, spacing and backslashes included.
    ["CREATE INDEX i ON public.t USING btree (a) WHERE (b ~ '\\d+')", "CREATE INDEX i ON public.t USING btree (a) WHERE (b ~ '\\d+')"],
    ['SELECT  a', 'SELECT  a'],
    // Inside a quoted name: escaped.
    ['DROP INDEX CONCURRENTLY IF EXISTS public."evil\n+ forged"', 'DROP INDEX CONCURRENTLY IF EXISTS public."evil\\n+ forged"'],
    ['CREATE INDEX "a""\u001b" ON t (x)', 'CREATE INDEX "a""\\x1b" ON t (x)'],
    // Inside a literal, an E'' literal (whose \' does not end it) and a dollar quote: escaped.
    ["CREATE INDEX i ON t (a) WHERE (b <> 'x\ny')", "CREATE INDEX i ON t (a) WHERE (b <> 'x\\ny')"],
    ["COMMENT ON INDEX i IS E'a\\\\\\' b\n\"c'", "COMMENT ON INDEX i IS E'a\\\\\\' b\\n\"c'"],
    ['SELECT $q$a\tb$q$ || $$c\nd$$', 'SELECT $q$a\\tb$q$ || $$c\\nd$$'],
    // Between words: a line break (and the indentation after it) is only whitespace.
    ['CREATE INDEX i ON t (a) WHERE (a IS NULL\n    AND b)', 'CREATE INDEX i ON t (a) WHERE (a IS NULL AND b)'],
    ['a\r\n\tb', 'a b'],
    // $1 is a parameter, not a dollar quote.
    ['SELECT $1 = \'x\ny\'', "SELECT $1 = 'x\\ny'"],
    // An unclosed quote runs to the end and is still escaped.
    ['DROP INDEX "open\nname', 'DROP INDEX "open\\nname'],
  ])('%j', (sql, printed) => {
    expect(printableSql(sql)).toBe(printed);
  });
});

describe('manifest paths', () => {
  it('escape a key with a control character, and leave other keys as written', () => {
    expect(formatPath(['tables', 'users', 'indexes', 'evil\nname', 'columns', 0])).toBe('tables.users.indexes."evil\\nname".columns[0]');
    expect(formatPath(['tables', '"my.schema".users', 'indexes'])).toBe('tables."my.schema".users.indexes');
  });
});

describe('errors', () => {
  it('print a problem on one line whatever name its message quotes', () => {
    expect(
      formatProblem({ file: 'indexes.yaml', line: 7, column: 9, path: 'tables.docs.indexes.docs_a.columns[0]', message: 'column "a" does not exist in public.docs (it has: id, "x\ny\u001b[2J")' }),
    ).toBe('indexes.yaml:7:9  tables.docs.indexes.docs_a.columns[0]  column "a" does not exist in public.docs (it has: id, "x\\ny\\x1b[2J")');
  });

  it('reach the terminal without control characters, keeping the lines a message is made of', () => {
    const { context, err } = captureContext();
    reportError(new DatabaseRefused('relation "a\u001b]0;x\u0007" already exists', '42P07', 'line one\nline\u001b two'), context, []);
    reportError(new UserError('index "b\u0007" is in the way', 'Drop "b\u0007" first.'), context, []);
    expect(err()).toBe(
      [
        'PostgreSQL refused: relation "a\\x1b]0;x\\x07" already exists (SQLSTATE 42P07)',
        'Detail: line one',
        'line\\x1b two',
        'Error: index "b\\x07" is in the way',
        'Drop "b\\x07" first.',
        '',
      ].join('\n'),
    );
  });
});
