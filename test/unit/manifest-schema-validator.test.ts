import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { validator } from '../../src/io/manifest/schema.js';
// @ts-expect-error: a plain script without types
import { AJV_OPTIONS, GENERATED_FILE, generateValidatorSource, SCHEMA_FILE } from '../../schema/generate-validator.mjs';

describe('the validator compiled at build time', () => {
  it('is generated from the schema as it is now (npm run build regenerates it)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generateValidatorSource());
  });

  it('reports exactly what ajv compiling the schema at run time reports', () => {
    const compiled = new Ajv2020(AJV_OPTIONS).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
    const manifests: unknown[] = [
      { version: 1, tables: { users: { indexes: { users_email: { columns: ['email', { expression: 'lower(name)', order: 'desc' }] } } } } },
      { version: 2, tables: [], extra: true },
      { version: 1, settings: { lockTimeout: '5 parsecs', maintenanceWorkMem: -1, searchPath: ['a', 'a', ''] }, tables: {} },
      { version: 1, tables: { t: { indexes: { i: { columns: [{ column: 'a', expression: 'b', opclassParams: { x: 1 } }, 7, ''] } } } } },
      { version: 1, tables: { t: { indexes: { i: { colums: ['a'], queries: [{ sql: '', p95: 'soon' }, {}] } } } } },
      { version: 1, budgets: { indexToTableRatio: 0 }, defaults: { schema: '', prune: 'yes' }, tables: { t: { prune: 1 } } },
      'tables: {}',
    ];
    const run = validator();
    for (const data of manifests) {
      const expected = compiled(data);
      expect([data, run(data)]).toEqual([data, expected]);
      expect(run.errors ?? null).toEqual(compiled.errors ?? null);
    }
  });
});
