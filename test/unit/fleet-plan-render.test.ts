/* The fleet plan's renderers on fixed data: exact text, json and markdown; and how plans are grouped. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CreateAction } from '../../src/core/actions.js';
import { fleetPlanDocument } from '../../src/core/fleet/plan-document.js';
import { FleetPlanCollector, fleetExitCode, planSignature } from '../../src/core/fleet/plan-groups.js';
import { DEFAULT_SETTINGS } from '../../src/core/model.js';
import type { PlanDocument } from '../../src/core/plan-document.js';
import { palette } from '../../src/ui/color.js';
import { renderFleetPlanMarkdown } from '../../src/ui/fleet-plan-markdown.js';
import { renderFleetPlanText } from '../../src/ui/fleet-plan-text.js';

function create(schema: string, table: string, index: string, tableBytes: number): CreateAction {
  return {
    kind: 'create',
    table: { schema, name: table },
    index,
    reason: 'declared in indexes.yaml, missing from the database',
    definition: `CREATE INDEX ${index} ON ${schema}.${table} USING btree (created_at)`,
    cost: { tableBytes, estimatedRows: tableBytes / 100 },
    steps: [{ kind: 'build', sql: [`CREATE INDEX CONCURRENTLY ${index} ON ${schema}.${table} USING btree (created_at)`], creates: { schema, name: index }, safe: true }],
  };
}

function document(actions: readonly CreateAction[]): PlanDocument {
  return {
    formatVersion: 1,
    createdAt: '2026-01-02T03:04:05.000Z',
    manifest: { file: 'indexes.yaml', sha256: 'a'.repeat(64) },
    database: { serverVersion: '18.4', catalogFingerprint: 'f'.repeat(64), searchPath: ['pg_catalog', 'public'] },
    summary: { create: actions.length, replace: 0, rename: 0, rebuild: 0, reindex: 0, drop: 0, comment: 0, skip: 0 },
    changes: actions.length > 0,
    actions,
    unmanaged: [],
    warnings: [],
  };
}

function sample() {
  const targets = [
    { name: 'eu-main', server: 'eu-db:5432' },
    { name: 'tenants/t1', server: 'db:5432' },
    { name: 'tenants/t2', server: 'db:5432' },
    { name: 'tenants/t3', server: 'db:5432' },
    { name: 'us-main', server: 'us-db:5432' },
    { name: 'shared/tenant_a', server: 'db:5432', tenantSchema: 'tenant_a' },
    { name: 'shared/tenant_b', server: 'db:5432', tenantSchema: 'tenant_b' },
    { name: 'gone', server: 'old:5432' },
    { name: 'broken', server: 'db:5432' },
  ];
  const collector = new FleetPlanCollector(targets);
  // Finished in another order than the fleet's: the result is in fleet order all the same.
  collector.add(3, { kind: 'planned', document: document([create('public', 'orders', 'idx_orders_created', 8192)]) });
  collector.add(0, { kind: 'planned', document: document([]) });
  collector.add(1, { kind: 'planned', document: document([create('public', 'orders', 'idx_orders_created', 1 << 20)]) });
  collector.add(2, { kind: 'planned', document: document([]) });
  collector.add(4, { kind: 'planned', document: document([create('public', 'orders', 'idx_orders_created', 1 << 20), create('public', 'users', 'idx_users_created', 1 << 20)]) });
  collector.add(5, { kind: 'planned', document: document([create('tenant_a', 'orders', 'idx_orders_created', 8192)]) });
  collector.add(6, { kind: 'planned', document: document([create('tenant_b', 'orders', 'idx_orders_created', 8192)]) });
  collector.add(7, { kind: 'unreachable', error: 'Cannot connect to postgres://me:***@old:5432/app: connection refused.' });
  collector.add(8, {
    kind: 'failed',
    error: 'The plan cannot be made: 1 problem in indexes.yaml.',
    problems: [{ file: 'indexes.yaml', line: 4, column: 3, path: 'tables.orders', message: 'table public.orders does not exist' }],
  });
  return collector.result();
}

describe('fleet plan groups', () => {
  it('one signature for plans that differ only in sizes, or in the tenant schema of a tenant', () => {
    expect(planSignature([create('public', 'o', 'i', 1)])).toBe(planSignature([create('public', 'o', 'i', 2)]));
    expect(planSignature([create('tenant_a', 'o', 'i', 1)], 'tenant_a')).toBe(planSignature([create('tenant_b', 'o', 'i', 1)], 'tenant_b'));
    expect(planSignature([create('tenant_a', 'o', 'i', 1)])).not.toBe(planSignature([create('tenant_b', 'o', 'i', 1)]));
  });

  it('exit codes: 1 when any failed or unreachable, else 2 for changes with --detailed-exitcode', () => {
    expect(fleetExitCode(sample(), true)).toBe(1);
    const clean = new FleetPlanCollector([{ name: 'a', server: 's' }]);
    clean.add(0, { kind: 'planned', document: document([create('public', 'o', 'i', 1)]) });
    expect([fleetExitCode(clean.result(), true), fleetExitCode(clean.result(), false)]).toEqual([2, 0]);
  });
});

describe('fleet plan renderers', () => {
  it('text', () => {
    expect(renderFleetPlanText(sample(), palette(false))).toBe(TEXT);
  });
  it('markdown', () => {
    expect(renderFleetPlanMarkdown(sample(), 'targets.yaml', DEFAULT_SETTINGS)).toBe(MARKDOWN);
  });
  it('json', () => {
    expect(JSON.stringify(fleetPlanDocument(sample(), new Date('2026-01-02T03:04:05Z')), null, 2)).toBe(JSON_TEXT);
  });
});

// The expected outputs, reviewed by eye: test/fixtures/fleet-plan/.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/fleet-plan/${name}`, import.meta.url), 'utf8');
const TEXT = fixture('plan.txt');
const MARKDOWN = fixture('plan.md');
const JSON_TEXT = fixture('plan.json').replace(/\n$/, '');
