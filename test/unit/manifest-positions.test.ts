import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { checkManifestText } from '../../src/io/manifest/load.js';

beforeAll(async () => {
  await loadSqlParser();
});

const simple = ['version: 1', 'tables:', '  users:', '    indexes:', '      users_email:', '        columns: [email, { expression: lower(name) }]', ''].join('\n');
// An anchor takes the text out of the simple subset: the full YAML parser reads it.
const withAnchor = simple.replace('  users:', '  users: &users');

describe('source references of the desired state', () => {
  it.each([
    ['simple YAML', simple],
    ['YAML the full parser reads', withAnchor],
  ])('point at the manifest (%s), however they are read', (_, text) => {
    const state = checkManifestText(text, 'indexes.yaml').state;
    const index = state?.tables[0]?.indexes[0];
    expect(index?.source).toEqual({ file: 'indexes.yaml', line: 5, column: 7, path: 'tables.users.indexes.users_email' });
    expect(index?.columns.map((column) => ({ ...column.source }))).toEqual([
      { file: 'indexes.yaml', line: 6, column: 19, path: 'tables.users.indexes.users_email.columns[0]' },
      { file: 'indexes.yaml', line: 6, column: 26, path: 'tables.users.indexes.users_email.columns[1]' },
    ]);
    expect(JSON.stringify(state?.tables[0]?.source)).toBe('{"file":"indexes.yaml","line":3,"column":3,"path":"tables.users"}');
    expect({ ...index?.source, path: 'elsewhere' }).toEqual({ file: 'indexes.yaml', line: 5, column: 7, path: 'elsewhere' });
  });
});
