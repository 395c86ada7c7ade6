/*
 * Fleet apply on two real servers: per-host limits seen from pg_stat_activity, canaries, --on-error,
 * busy targets, Ctrl-C and resuming.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import type { FleetEvent } from '../../src/core/fleet/events.js';
import { fleetReport } from '../../src/core/fleet/report.js';
import { DEFAULT_FLEET_POLICY } from '../../src/core/fleet/schedule.js';
import { acquireApplyLock } from '../../src/io/advisory-lock.js';
import { startEmbedded, type EmbeddedServer } from '../../src/io/embedded.js';
import { applyFleet, fleetExitCode } from '../../src/io/fleet/apply-fleet.js';
import { fleetDatabase, fleetOptions, fleetRecorder, manifestFile, type FleetDatabase, type FleetServer } from '../helpers/fleet.js';

const validateReport = new Ajv2020.default({ strict: true, strictRequired: false, validateFormats: false }).compile(
  JSON.parse(readFileSync(new URL('../../schema/fleet-report.schema.json', import.meta.url), 'utf8')),
);
let second: EmbeddedServer;
let serverA: FleetServer;
let serverB: FleetServer;
let manifest: string;
let uniqueManifest: string;

const ITEMS = (rows: number, duplicates = false): string => `
  CREATE TABLE items (id int, v int, u int, w text);
  INSERT INTO items SELECT g, g % 997, ${duplicates ? 'g % 10' : 'g'}, md5(g::text) FROM generate_series(1, ${rows}) g;
  ANALYZE items;`;

beforeAll(async () => {
  second = await startEmbedded({ settings: { autovacuum: 'off' } });
  serverA = { adminUrl: inject('pgAdminUrl') };
  serverB = { adminUrl: second.url() };
  // One worker per target: per-host then bounds the builds on a server, not only its targets.
  manifest = await manifestFile([
    'version: 1',
    'settings: { concurrency: 1 }',
    'tables:',
    '  items:',
    '    indexes:',
    '      items_v: { columns: [v] }',
    '      items_w: { columns: [w] }',
    '      items_id_v: { columns: [id, v] }',
  ]);
  uniqueManifest = await manifestFile(['version: 1', 'tables:', '  items:', '    indexes:', '      items_u: { unique: true, columns: [u] }', '      items_v: { columns: [v] }']);
});

afterAll(async () => {
  await second?.stop();
});

function startedTargets(events: readonly FleetEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'target-started' ? [e.target] : []));
}

async function indexes(db: FleetDatabase): Promise<{ name: string; valid: boolean }[]> {
  return db.query(`SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'items'::regclass ORDER BY 1`);
}

/** The tool's concurrent builds running now on a server, among the given databases. */
async function buildsOn(adminUrl: string, databases: readonly string[]): Promise<number> {
  const pg = await import('pg');
  const client = new pg.default.Client(adminUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = ANY($1::text[]) AND application_name = 'reconcile' AND state = 'active' AND query ~* '^\\s*CREATE\\s+(UNIQUE\\s+)?INDEX\\s+CONCURRENTLY'`,
      [databases],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe('fleet apply', () => {
  it('with --parallel 4 --per-host 1 never runs two builds at once on one server; every target ends in sync', async () => {
    const fleet: FleetDatabase[] = [];
    for (const [i, [server, name]] of ([[serverA, 'a1'], [serverB, 'b1'], [serverA, 'a2'], [serverB, 'b2'], [serverA, 'a3'], [serverB, 'b3']] as const).entries()) {
      fleet.push(await fleetDatabase(server, name, i, manifest, ITEMS(60_000)));
    }
    const onA = fleet.filter((db) => db.target.name.startsWith('a')).map((db) => db.name);
    const onB = fleet.filter((db) => db.target.name.startsWith('b')).map((db) => db.name);
    const events = fleetRecorder();
    let done = false;
    const most = { a: 0, b: 0, samplesWithBuilds: 0 };
    const sampling = (async () => {
      while (!done) {
        const [a, b] = await Promise.all([buildsOn(serverA.adminUrl, onA), buildsOn(serverB.adminUrl, onB)]);
        most.a = Math.max(most.a, a);
        most.b = Math.max(most.b, b);
        if (a + b > 0) most.samplesWithBuilds += 1;
      }
    })();
    const result = await applyFleet(
      fleet.map((db) => db.target),
      fleetOptions(events.listener, { parallel: 4, perHost: 1 }),
    );
    done = true;
    await sampling;

    expect(result.outcomes.map((o) => [o.name, o.state])).toEqual([
      ['a1', 'applied'],
      ['b1', 'applied'],
      ['a2', 'applied'],
      ['b2', 'applied'],
      ['a3', 'applied'],
      ['b3', 'applied'],
    ]);
    expect(fleetExitCode(result)).toBe(0);
    expect(most.samplesWithBuilds).toBeGreaterThan(0);
    expect(most.a).toBeLessThanOrEqual(1);
    expect(most.b).toBeLessThanOrEqual(1);
    // Both servers worked at once: a target of b started while one of a was running.
    const order = events.events.flatMap((e) => (e.type === 'target-started' || e.type === 'target-finished' ? [`${e.type === 'target-started' ? '+' : '-'}${e.type === 'target-started' ? e.target : e.outcome.name}`] : []));
    expect(order.slice(0, 4)).toEqual(['+a1', '-a1', '+b1', '+a2']);
    for (const outcome of result.outcomes) {
      expect(outcome.actions.map((a) => [a.kind, a.index, a.status])).toEqual([
        ['create', 'items_v', 'done'],
        ['create', 'items_w', 'done'],
        ['create', 'items_id_v', 'done'],
      ]);
      expect(outcome.bytesBuilt).toBeGreaterThan(0);
    }
    const report = fleetReport({ targets: fleet.map((db) => db.target), outcomes: result.outcomes, policy: { ...DEFAULT_FLEET_POLICY, parallel: 4 }, startedAt: result.startedAt, durationMs: result.durationMs, interrupted: false });
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    expect((report['targets'] as { actions: unknown[] }[]).map((t) => t.actions.length)).toEqual([3, 3, 3, 3, 3, 3]);
    for (const db of fleet) {
      expect(await indexes(db)).toEqual([
        { name: 'items_id_v', valid: true },
        { name: 'items_v', valid: true },
        { name: 'items_w', valid: true },
      ]);
    }
    // Rerun: every target says it is in sync.
    const again = await applyFleet(
      fleet.map((db) => db.target),
      fleetOptions(() => undefined, { parallel: 4, perHost: 1 }),
    );
    expect(again.outcomes.map((o) => o.state)).toEqual(['in-sync', 'in-sync', 'in-sync', 'in-sync', 'in-sync', 'in-sync']);
  });

  it('stops the fleet when the canary fails, before any other target starts', async () => {
    const fleet = [
      await fleetDatabase(serverA, 'canary', 0, uniqueManifest, ITEMS(1_000, true)),
      await fleetDatabase(serverB, 'b1', 1, uniqueManifest, ITEMS(1_000)),
      await fleetDatabase(serverA, 'a1', 2, uniqueManifest, ITEMS(1_000)),
    ];
    const events = fleetRecorder();
    const result = await applyFleet(
      fleet.map((db) => db.target),
      fleetOptions(events.listener, { parallel: 4, onError: 'continue' }),
    );
    expect(result.outcomes.map((o) => [o.name, o.state])).toEqual([
      ['canary', 'failed'],
      ['b1', 'not-run'],
      ['a1', 'not-run'],
    ]);
    expect(result.stopped).toEqual({ kind: 'canary', target: 'canary', state: 'failed' });
    expect(startedTargets(events.events)).toEqual(['canary']);
    expect(events.events.find((e) => e.type === 'fleet-stopping')).toMatchObject({ reason: 'the canary canary ended failed: no other target starts' });
    const canary = result.outcomes[0]!;
    expect(canary.error?.message).toMatch(/^1 action of 2 failed; create items_u on public\.items: could not create unique index "items_u"$/);
    expect(canary.actions.map((a) => [a.index, a.status])).toEqual([
      ['items_u', 'failed'],
      ['items_v', 'done'],
    ]);
    // No invalid index on the canary; nothing at all on the others.
    expect(await indexes(fleet[0]!)).toEqual([{ name: 'items_v', valid: true }]);
    expect(await indexes(fleet[1]!)).toEqual([]);
    expect(await indexes(fleet[2]!)).toEqual([]);
    expect(fleetExitCode(result)).toBe(1);
  });

  it('--on-error continue --max-failures 2 goes on past one failure and stops after the second', async () => {
    const fleet = [
      await fleetDatabase(serverA, 't1', 0, uniqueManifest, ITEMS(1_000)),
      await fleetDatabase(serverA, 't2', 1, uniqueManifest, ITEMS(1_000, true)),
      await fleetDatabase(serverA, 't3', 2, uniqueManifest, ITEMS(1_000)),
      await fleetDatabase(serverA, 't4', 3, uniqueManifest, ITEMS(1_000, true)),
      await fleetDatabase(serverA, 't5', 4, uniqueManifest, ITEMS(1_000)),
    ];
    const result = await applyFleet(
      fleet.map((db) => db.target),
      fleetOptions(() => undefined, { canary: 0, parallel: 1, onError: 'continue', maxFailures: 2 }),
    );
    expect(result.outcomes.map((o) => [o.name, o.state])).toEqual([
      ['t1', 'applied'],
      ['t2', 'failed'],
      ['t3', 'applied'],
      ['t4', 'failed'],
      ['t5', 'not-run'],
    ]);
    expect(result.stopped).toEqual({ kind: 'failures', failures: 2, limit: 2 });
  });

  it('never cancels a running build because another target failed: it finishes valid', async () => {
    const slow = await fleetDatabase(serverA, 'slow', 0, uniqueManifest, ITEMS(1_000));
    const failing = await fleetDatabase(serverB, 'failing', 1, uniqueManifest, ITEMS(1_000, true));
    const later = await fleetDatabase(serverB, 'later', 2, uniqueManifest, ITEMS(1_000));
    // An old snapshot in slow's database holds its build in "waiting for old snapshots".
    const holder = await slow.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM pg_class');
    const events = fleetRecorder();
    const applying = applyFleet([slow.target, failing.target, later.target], fleetOptions(events.listener, { canary: 0, parallel: 2, perHost: 1 }));
    await events.when((e) => e.type === 'target-finished' && e.outcome.name === 'failing');
    await events.when((e) => e.type === 'fleet-stopping');
    await holder.query('ROLLBACK');
    const result = await applying;
    expect(result.outcomes.map((o) => [o.name, o.state])).toEqual([
      ['slow', 'applied'],
      ['failing', 'failed'],
      ['later', 'not-run'],
    ]);
    expect(await indexes(slow)).toEqual([
      { name: 'items_u', valid: true },
      { name: 'items_v', valid: true },
    ]);
  });

  it('reports a target whose lock another apply holds as busy, and the rest go on', async () => {
    const fleet = [
      await fleetDatabase(serverA, 'one', 0, uniqueManifest, ITEMS(1_000)),
      await fleetDatabase(serverB, 'two', 1, uniqueManifest, ITEMS(1_000)),
      await fleetDatabase(serverA, 'three', 2, uniqueManifest, ITEMS(1_000)),
    ];
    // A server that does not answer: the password in its URL must not show in what is reported.
    const gone = new URL(fleet[0]!.url);
    gone.port = '1';
    const unreachable = { ...fleet[0]!.target, name: 'four', connectionString: gone.toString(), display: 'postgres://postgres:***@127.0.0.1:1/x', server: '127.0.0.1:1', ordinal: 3 };
    const lock = await acquireApplyLock(fleet[1]!.target, { applicationName: 'someone else' });
    try {
      const result = await applyFleet(
        [...fleet.map((db) => db.target), unreachable],
        fleetOptions(() => undefined, { parallel: 4 }),
      );
      expect(result.outcomes.map((o) => [o.name, o.state])).toEqual([
        ['one', 'applied'],
        ['two', 'busy'],
        ['three', 'applied'],
        ['four', 'unreachable'],
      ]);
      expect(result.outcomes[1]!.error?.message).toMatch(/^Another reconcile apply is running on f_[0-9a-f]+: pid \d+ \(application_name "someone else"/);
      expect(result.outcomes[3]!.error?.message).toMatch(/^Cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/x/);
      const password = decodeURIComponent(new URL(fleet[0]!.url).password);
      expect(JSON.stringify(result.outcomes)).not.toContain(password);
      expect(await indexes(fleet[1]!)).toEqual([]);
      expect(fleetExitCode(result)).toBe(1);
    } finally {
      await lock.release();
    }
  });

  it('applies schema-per-tenant targets in their own schemas, one after another in their shared database', async () => {
    const tenants = await manifestFile(['version: 1', 'tables:', '  items:', '    indexes:', '      items_v: { columns: [v] }']);
    const db = await fleetDatabase(serverA, 'shared/tenant_a', 0, tenants, `
      CREATE SCHEMA tenant_a; CREATE TABLE tenant_a.items (id int, v int);
      CREATE SCHEMA tenant_b; CREATE TABLE tenant_b.items (id int, v int);`);
    const targets = ['tenant_a', 'tenant_b'].map((schema, ordinal) => ({ ...db.target, name: `shared/${schema}`, tenantSchema: schema, ordinal }));
    const result = await applyFleet(targets, fleetOptions(() => undefined, { canary: 0, parallel: 4, perHost: 4 }));
    expect(result.outcomes.map((o) => [o.name, o.state])).toEqual([
      ['shared/tenant_a', 'applied'],
      ['shared/tenant_b', 'applied'],
    ]);
    expect(await db.query(`SELECT schemaname, indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1`)).toEqual([
      { schemaname: 'tenant_a', indexname: 'items_v' },
      { schemaname: 'tenant_b', indexname: 'items_v' },
    ]);
  });

  it('Ctrl-C stops every target as one apply stops, leaves no invalid index, and a second run resumes', async () => {
    const fleet = [
      await fleetDatabase(serverA, 'x1', 0, uniqueManifest, ITEMS(1_000)),
      await fleetDatabase(serverB, 'x2', 1, uniqueManifest, ITEMS(1_000)),
      await fleetDatabase(serverA, 'x3', 2, uniqueManifest, ITEMS(1_000)),
      await fleetDatabase(serverB, 'x4', 3, uniqueManifest, ITEMS(1_000)),
    ];
    const holders = [];
    for (const db of fleet.slice(0, 2)) {
      const holder = await db.connect();
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query('SELECT count(*) FROM pg_class');
      holders.push(holder);
    }
    const events = fleetRecorder();
    const controller = new AbortController();
    const applying = applyFleet(
      fleet.map((db) => db.target),
      fleetOptions(events.listener, { canary: 0, parallel: 2, perHost: 1 }, controller.signal),
    );
    const waitingIn = (name: string) => (e: FleetEvent) => e.type === 'target-apply' && e.target === name && e.event.type === 'waiting';
    await events.when(waitingIn('x1'));
    await events.when(waitingIn('x2'));
    controller.abort();
    const result = await applying;
    for (const holder of holders) await holder.query('ROLLBACK');

    expect(result.interrupted).toBe(true);
    expect(fleetExitCode(result)).toBe(130);
    expect(result.outcomes.map((o) => [o.name, o.state])).toEqual([
      ['x1', 'failed'],
      ['x2', 'failed'],
      ['x3', 'not-run'],
      ['x4', 'not-run'],
    ]);
    expect(result.outcomes[0]!.error?.message).toBe('interrupted: running builds were cancelled and what they left was dropped');
    for (const db of fleet) {
      expect((await indexes(db)).filter((i) => !i.valid)).toEqual([]);
      const locks = await db.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
      expect(locks).toEqual([]);
    }

    const again = await applyFleet(
      fleet.map((db) => db.target),
      fleetOptions(() => undefined, { canary: 0, parallel: 4, perHost: 1 }),
    );
    expect(again.outcomes.map((o) => o.state)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const third = await applyFleet(
      fleet.map((db) => db.target),
      fleetOptions(() => undefined, { canary: 0, parallel: 4, perHost: 1 }),
    );
    expect(third.outcomes.map((o) => o.state)).toEqual(['in-sync', 'in-sync', 'in-sync', 'in-sync']);
  });
});
