/* Key parts as pg_get_indexdef prints them: qualified names taken apart and quoted again, opclass parameters. */
import { describe, expect, it } from 'vitest';
import { splitQualifiedName } from '../../src/core/qualified-name.js';
import { createIndexSql, quoteQualifiedName } from '../../src/core/sql.js';
import { column, desiredIndex, expression } from '../helpers/model-builders.js';

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
