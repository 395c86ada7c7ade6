import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { fleetReport } from '../../src/core/fleet/report.js';
import { DEFAULT_FLEET_POLICY } from '../../src/core/fleet/schedule.js';
import { PLAIN } from '../../src/ui/color.js';
import { fleetEventJson } from '../../src/ui/fleet-json.js';
import { createFleetPlainFormatter } from '../../src/ui/fleet-plain.js';
import { acmeApplied, appliedCanary, at, busyTarget, endEvents, fleetTargets, runningEvents } from '../helpers/fleet-events.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/fleet-report.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false, validateFormats: false }).compile(schema);

describe('fleet plain lines', () => {
  it('carry the target name on every line, and close with one line per state', () => {
    const format = createFleetPlainFormatter(PLAIN);
    const lines = [...runningEvents, ...endEvents].flatMap((event) => format(event));
    expect(lines).toEqual([
      '2026-11-25T10:00:00Z  fleet         planned   3 targets on 3 servers: canary eu-main alone, then 4 at a time, 1 per server, stop at the first failure',
      '2026-11-25T10:00:00Z  eu-main       target    started (canary)',
      '2026-11-25T10:00:00Z  eu-main       planned   1 action on 1 table, 1 at a time',
      '2026-11-25T10:00:00Z  eu-main       start     public.items items_v (create, pid 4242)',
      '2026-11-25T10:00:02Z  eu-main       done      public.items items_v in 1.5s',
      '2026-11-25T10:00:02Z  eu-main       applied   1 of 1 action done in 2.0s, 2.0 MB built; in sync',
      '2026-11-25T10:00:02Z  tenants/acme  target    started',
      '2026-11-25T10:00:02Z  tenants/zeta  target    started',
      '2026-11-25T10:00:02Z  tenants/zeta  busy      Another reconcile apply is running on app: pid 77 (application_name "reconcile"). — hint: Wait for it to finish.',
      '2026-11-25T10:00:02Z  tenants/acme  planned   2 actions on 1 table, 1 at a time',
      '2026-11-25T10:00:02Z  tenants/acme  start     public.items items_v (create, pid 5151)',
      '2026-11-25T10:00:02Z  tenants/acme  step      public.items items_v 1/1 build: CREATE INDEX CONCURRENTLY items_v ON public.items USING btree (v)',
      '2026-11-25T10:00:04Z  tenants/acme  progress  public.items items_v 42% building index: scanning table',
      '2026-11-25T10:00:09Z  tenants/acme  applied   2 of 2 actions done in 7.0s, 2.0 MB built; in sync',
      'Fleet: 3 targets in 9.0s, 4.0 MB built.',
      '  applied        2  eu-main, tenants/acme',
      '  in-sync        0',
      '  failed         0',
      '  unreachable    0',
      '  busy           1  tenants/zeta',
      '  not-run        0',
    ]);
  });
});

describe('fleet NDJSON', () => {
  it('puts the target name on every target event', () => {
    const lines = [...runningEvents, ...endEvents].map((event) => JSON.parse(fleetEventJson(event)) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'fleet-planned', at: '2026-11-25T10:00:00.000Z', policy: { canary: 1, parallel: 4, perHost: 1, onError: 'stop', maxFailures: null } });
    expect(lines[2]).toEqual({
      type: 'planned',
      at: '2026-11-25T10:00:00.000Z',
      target: 'eu-main',
      actions: [{ id: 0, kind: 'create', table: { schema: 'public', name: 'items' }, index: 'items_v', reason: 'not in database', stepCount: 1 }],
      concurrency: 1,
    });
    expect(lines[5]).toMatchObject({ type: 'target-finished', target: 'eu-main', state: 'applied', startedAt: '2026-11-25T10:00:00.000Z', bytesBuilt: 2097152 });
    for (const line of lines.filter((l) => !String(l['type']).startsWith('fleet-'))) expect(typeof line['target']).toBe('string');
  });
});

describe('fleet report', () => {
  const report = fleetReport({
    targets: fleetTargets,
    outcomes: [appliedCanary, acmeApplied, busyTarget],
    policy: DEFAULT_FLEET_POLICY,
    startedAt: at(0),
    durationMs: 9_000,
    interrupted: false,
  });

  it('lists each target with its actions, durations and errors, and validates against schema/fleet-report.schema.json', () => {
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report).toMatchObject({
      formatVersion: 1,
      startedAt: '2026-11-25T10:00:00.000Z',
      finishedAt: '2026-11-25T10:00:09.000Z',
      stopped: null,
      summary: { applied: 2, busy: 1, 'not-run': 0, targets: 3, bytesBuilt: 4 * 1024 * 1024 },
    });
    expect((report['targets'] as unknown[])[0]).toEqual({
      name: 'eu-main',
      server: 'db0:5432',
      database: 'postgres://app:***@db0:5432/app',
      labels: { region: 'eu' },
      canary: true,
      state: 'applied',
      startedAt: '2026-11-25T10:00:00.000Z',
      finishedAt: '2026-11-25T10:00:02.000Z',
      durationMs: 2000,
      bytesBuilt: 2097152,
      actions: [{ kind: 'create', table: 'public.items', index: 'items_v', status: 'done', durationMs: 1500, indexBytes: 2097152 }],
    });
    expect(JSON.stringify(report)).not.toContain('s3cret');
  });

  it('rejects a report of another format version or with an unknown state', () => {
    expect(validate({ ...report, formatVersion: 2 })).toBe(false);
    const targets = report['targets'] as Record<string, unknown>[];
    expect(validate({ ...report, targets: [{ ...targets[0], state: 'done' }] })).toBe(false);
  });
});
