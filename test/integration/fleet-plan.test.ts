/*
 * A fleet plan on real servers: 60 databases on the test server and 10 on a second one, discovered by
 * pattern, and 30 tenant schemas in one database; indexes changed on 3 of each kind.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { FleetPlanDocument } from '../../src/core/fleet/plan-document.js';
import { startEmbedded, type EmbeddedServer } from '../../src/io/embedded.js';
import { runInProcess } from '../helpers/in-process.js';

const PREFIX = `fp${process.pid}_`;
const SCHEMA = `
CREATE TABLE customers (id int PRIMARY KEY, email varchar(200) NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX idx_orders_created ON orders (created_at);
CREATE INDEX idx_orders_open ON orders (customer_id) WHERE status = 'open';
CREATE INDEX idx_customers_email_lower ON customers (lower(email));`;
const MANIFEST = `version: 1
tables:
  orders:
    indexes:
      idx_orders_created: { columns: [created_at] }
      idx_orders_open: { columns: [customer_id], where: "status = 'open'" }
  customers:
    indexes:
      idx_customers_email_lower: { columns: [{ expression: lower(email) }] }
`;

let second: EmbeddedServer;
let dir: string;
const two = (n: number): string => String(n).padStart(2, '0');

async function on<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function dbUrl(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

beforeAll(async () => {
  const first = inject('pgAdminUrl');
  second = await startEmbedded({ major: inject('pgMajor') });
  for (const [server, count] of [[first, 60], [second.url(), 10]] as const) {
    await on(server, async (admin) => {
      await admin.query(`CREATE DATABASE ${PREFIX}template`);
      await on(dbUrl(server, `${PREFIX}template`), (c) => c.query(SCHEMA));
      for (let i = 0; i < count; i++) await admin.query(`CREATE DATABASE ${PREFIX}db_${two(i)} TEMPLATE ${PREFIX}template`);
    });
  }
  await on(first, (admin) => admin.query(`CREATE DATABASE ${PREFIX}shared`));
  await on(dbUrl(first, `${PREFIX}shared`), async (c) => {
    for (let i = 0; i < 30; i++) await c.query(`CREATE SCHEMA tenant_${two(i)}; SET search_path = tenant_${two(i)}; ${SCHEMA}`);
  });
  // The changes: one index gone on 3 databases of the first server, 1 of the second, 3 tenants.
  for (const i of [5, 17]) await on(dbUrl(first, `${PREFIX}db_${two(i)}`), (c) => c.query('DROP INDEX idx_orders_created'));
  await on(dbUrl(second.url(), `${PREFIX}db_03`), (c) => c.query('DROP INDEX idx_orders_created'));
  await on(dbUrl(first, `${PREFIX}shared`), (c) => c.query('DROP INDEX tenant_03.idx_orders_created; DROP INDEX tenant_11.idx_orders_created; DROP INDEX tenant_29.idx_orders_created'));
  dir = await mkdtemp(path.join(os.tmpdir(), 'reconcile-fleet-plan-'));
  await writeFile(path.join(dir, 'indexes.yaml'), MANIFEST);
  await writeFile(
    path.join(dir, 'targets.yaml'),
    [
      'version: 1',
      'manifest: indexes.yaml',
      'discover:',
      '  - name: one',
      '    server: env:FIRST_URL',
      `    databases: "${PREFIX}db\\\\_%"`,
      '  - name: two',
      '    server: env:SECOND_URL',
      `    databases: "${PREFIX}db\\\\_%"`,
      '    labels: { region: two }',
      '  - name: shared',
      '    server: env:SHARED_URL',
      '    schemas: "tenant\\\\_%"',
      '',
    ].join('\n'),
  );
}, 300_000);

afterAll(async () => {
  await second?.stop();
  await on(inject('pgAdminUrl'), async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`);
    for (const { datname } of rows) await admin.query(`DROP DATABASE ${datname} WITH (FORCE)`);
  });
});

function env(): NodeJS.ProcessEnv {
  return { FIRST_URL: inject('pgAdminUrl'), SECOND_URL: second.url(), SHARED_URL: dbUrl(inject('pgAdminUrl'), `${PREFIX}shared`) };
}

describe('fleet plan', () => {
  it('groups 100 targets by identical plan; --detailed-exitcode gives 2', async () => {
    const result = await runInProcess(['plan', '--targets', path.join(dir, 'targets.yaml'), '--format', 'json', '--detailed-exitcode'], env());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    const document = JSON.parse(result.stdout) as FleetPlanDocument;
    expect(document.summary).toEqual({ targets: 100, inSync: 94, withChanges: 6, failed: 0, unreachable: 0, plans: 2 });
    expect(document.plans.map((p) => [p.id, p.targets, p.actions.map((a) => `${a.kind} ${a.table.schema}.${a.table.name} ${a.index}`)])).toEqual([
      [1, [`one/${PREFIX}db_05`, `one/${PREFIX}db_17`, `two/${PREFIX}db_03`], ['create public.orders idx_orders_created']],
      [2, ['shared/tenant_03', 'shared/tenant_11', 'shared/tenant_29'], ['create tenant_03.orders idx_orders_created']],
    ]);
    const text = await runInProcess(['plan', '--targets', path.join(dir, 'targets.yaml')], env());
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe(
      '100 targets: 94 in sync, 3 with one plan (+ idx_orders_created on public.orders), 3 with another plan (+ idx_orders_created on <tenant>.orders)',
    );
  });

  it('--only and --shard narrow the fleet; K = 1..N cover it exactly once', async () => {
    const only = await runInProcess(['plan', '--targets', path.join(dir, 'targets.yaml'), '--only', 'region=two', '--only', 'shared/tenant_0*', '--format', 'json'], env());
    expect((JSON.parse(only.stdout) as FleetPlanDocument).summary.targets).toBe(20);
    const seen: string[] = [];
    for (let k = 1; k <= 3; k++) {
      const shard = await runInProcess(['plan', '--targets', path.join(dir, 'targets.yaml'), '--shard', `${k}/3`, '--format', 'json'], env());
      seen.push(...(JSON.parse(shard.stdout) as FleetPlanDocument).targets.map((t) => t.name));
    }
    expect(seen.length).toBe(100);
    expect(new Set(seen).size).toBe(100);
  });

  it('status and check --targets report per target and for the fleet', async () => {
    const args = ['--targets', path.join(dir, 'targets.yaml'), '--only', 'shared/tenant_0*', '--only', `two/${PREFIX}db_00`];
    const status = await runInProcess(['status', ...args, '--format', 'json'], env());
    expect(status.code).toBe(0);
    const document = JSON.parse(status.stdout) as { summary: unknown; targets: { name: string; state: string; report: { tables: { schema: string }[] } }[] };
    expect(document.summary).toEqual({ targets: 11, healthy: 0, withFindings: 11, failed: 0, unreachable: 0, totals: { budget: 0, invalid: 0, redundant: 0, unused: 32, bloat: 0 } });
    // Each tenant's tables are its own schema's.
    expect(document.targets.find((t) => t.name === 'shared/tenant_04')?.report.tables.map((t) => t.schema)).toEqual(['tenant_04', 'tenant_04']);
    const failing = await runInProcess(['status', ...args, '--fail-on', 'unused'], env());
    expect(failing.code).toBe(1);
    expect(failing.stdout.trimEnd().split('\n').at(-1)).toBe('11 targets: 11 with findings (32 unused indexes)');
    expect(failing.stderr).toBe('status failed (--fail-on unused) on 11 targets.\n');
    const check = await runInProcess(['check', ...args], env());
    expect(check.code).toBe(0);
    expect(check.stdout.trimEnd().split('\n').at(-1)).toBe('11 targets: 11 passed');
  });

  it('a stopped second server is unreachable, the exit 1, the rest planned', async () => {
    const password = second.password;
    await second.stop();
    const result = await runInProcess(['plan', '--targets', path.join(dir, 'targets.yaml'), '--format', 'json', '--detailed-exitcode'], env());
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout) as FleetPlanDocument;
    expect(document.summary).toEqual({ targets: 91, inSync: 85, withChanges: 5, failed: 0, unreachable: 1, plans: 2 });
    const gone = document.targets.find((t) => t.state === 'unreachable');
    expect(gone?.name).toBe('two');
    expect(gone?.error).toMatch(/^discovery of databases ".*" failed: Cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres: connection refused\.$/);
    expect(result.stdout).not.toContain(password);
  });
});
