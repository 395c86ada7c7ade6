import { describe, expect, it } from 'vitest';
import { parseTableKey } from '../../src/core/table-key.js';
import { exportManifest, exportTableKey, type ExportedIndex } from '../../src/core/export.js';

function exported(schema: string, table: string, name: string, extra: Partial<ExportedIndex> = {}): ExportedIndex {
  return {
    schema,
    table,
    tableKind: 'table',
    name,
    method: 'btree',
    unique: false,
    nullsNotDistinct: false,
    keys: [{ column: 'id', desc: false, nullsFirst: false }],
    include: [],
    storage: [],
    ...extra,
  };
}

const HEADER = { source: 'the database', date: '2026-01-02' };

describe('exportTableKey', () => {
  it.each([
    ['public', 'users', 'users'],
    ['app', 'users', 'app.users'],
    ['public', 'a.b', '"a.b"'],
    ['my.App', 'Order "Items".v2', '"my.App"."Order ""Items"".v2"'],
    ['App', 'Users', 'App.Users'],
    ['public', 'say "hi"', '"say ""hi"""'],
  ])('%s . %s → %s, which parseTableKey reads back', (schema, name, key) => {
    expect(exportTableKey(schema, name)).toBe(key);
    expect(parseTableKey(key, 'public')).toEqual({ ok: true, schema, name });
  });
});

describe('exportManifest', () => {
  it("writes a partition's own index under the partition, and an attached one nowhere when its partitioned index is exported", () => {
    const result = exportManifest(
      [
        exported('public', 'events', 'events_at', { tableKind: 'partitioned' }),
        exported('archive', 'events_2023', 'events_2023_at_idx', { leftOut: 'owned by the partitioned index public.events_at', partOf: { schema: 'public', name: 'events_at' } }),
        exported('archive', 'events_2023', 'events_2023_own'),
        exported('archive', 'other_2023', 'other_2023_at_idx', { leftOut: 'owned by the partitioned index public.other_at', partOf: { schema: 'public', name: 'other_at' } }),
      ],
      HEADER,
    );
    expect(result).toMatchObject({ exported: 2, leftOut: 1 });
    expect(result.text).toBe(
      [
        '# yaml-language-server: $schema=./schema/indexes.schema.json',
        '# Exported by reconcile export from the database on 2026-01-02.',
        '# Left out, because they are not declared in a manifest:',
        '#   archive.other_2023_at_idx (owned by the partitioned index public.other_at)',
        '',
        'version: 1',
        'defaults:',
        '  schema: public',
        '  prune: false',
        'tables:',
        '  events:',
        '    indexes:',
        '      events_at:',
        '        columns:',
        '          - id',
        '  archive.events_2023:',
        '    indexes:',
        '      events_2023_own:',
        '        columns:',
        '          - id',
        '',
      ].join('\n'),
    );
  });

  it('writes operator class parameters beside the opclass, numbers as numbers', () => {
    const { text } = exportManifest(
      [
        exported('public', 'docs', 'docs_title', {
          method: 'gist',
          keys: [{ column: 'title', opclass: 'gist_trgm_ops', opclassParams: [{ name: 'siglen', value: '32' }], desc: false, nullsFirst: false }],
        }),
      ],
      HEADER,
    );
    expect(text).toContain(
      ['      docs_title:', '        method: gist', '        columns:', '          - column: title', '            opclass: gist_trgm_ops', '            opclassParams:', '              siglen: 32', ''].join('\n'),
    );
  });
});
