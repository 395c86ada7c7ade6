/* The manifest's maintenance block: top level and per table, field by field; bad values at their place. */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/core/errors.js';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { checkManifestText } from '../../src/io/manifest/load.js';

beforeAll(async () => {
  await loadSqlParser();
});

function check(yaml: string) {
  return checkManifestText(yaml, 'indexes.yaml');
}

describe('maintenance', () => {
  it('gives each table the top level thresholds, its own fields overriding them', () => {
    const result = check(
      [
        'version: 1',
        'maintenance: { maxBloat: 40%, minBloatSize: 64MB }',
        'tables:',
        '  a:',
        '    indexes: { a_x: { columns: [x] } }',
        '  b:',
        '    indexes: { b_x: { columns: [x] } }',
        '    maintenance: { maxBloat: 12.5 % }',
        '',
      ].join('\n'),
    );
    expect(result.problems).toEqual([]);
    expect(result.state?.tables.map((t) => [t.name, t.maintenance])).toEqual([
      ['a', { maxBloat: 0.4, minBloatBytes: 64 * 1024 * 1024 }],
      ['b', { maxBloat: 0.125, minBloatBytes: 64 * 1024 * 1024 }],
    ]);
  });

  it('is absent without a block, and minBloatSize defaults to 1MB', () => {
    const result = check(['version: 1', 'tables:', '  a:', '    indexes: { a_x: { columns: [x] } }', '  b:', '    maintenance: { maxBloat: 30% }', ''].join('\n'));
    expect(result.state?.tables.map((t) => t.maintenance)).toEqual([undefined, { maxBloat: 0.3, minBloatBytes: 1024 * 1024 }]);
  });

  it('reports values that are no percentage or size, and unknown fields, where they are written', () => {
    const result = check(
      [
        'version: 1',
        'maintenance: { maxBloat: 40, minBloatSize: 64mb }',
        'tables:',
        '  a:',
        '    maintenance: { maxBloat: 140%, maxbloat: 3% }',
        '  b:',
        '    maintenance: { maxBloat: [1] }',
        '',
      ].join('\n'),
    );
    expect(result.problems.map(formatProblem)).toEqual([
      'indexes.yaml:2:26  maintenance.maxBloat  40 is not a percentage: write it with a percent sign, like 40%',
      'indexes.yaml:2:44  maintenance.minBloatSize  "64mb" is not a size: units are case-sensitive, write 64MB',
      'indexes.yaml:5:30  tables.a.maintenance.maxBloat  "140%" is not a percentage: it is at most 100%',
      'indexes.yaml:5:36  tables.a.maintenance.maxbloat  unknown field "maxbloat" — did you mean "maxBloat"?',
      'indexes.yaml:7:30  tables.b.maintenance.maxBloat  expected a percentage (a value like 30% or 12.5%), found a list',
    ]);
  });
});
