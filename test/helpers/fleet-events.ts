/* A small fleet apply as events, for the renderer and report tests: a canary applied, one target running, one busy. */
import type { FleetEvent, TargetOutcome } from '../../src/core/fleet/events.js';
import { DEFAULT_FLEET_POLICY } from '../../src/core/fleet/schedule.js';
import type { FleetTarget } from '../../src/core/fleet/target.js';

export const T = Date.parse('2026-11-25T10:00:00Z');
export const at = (seconds: number): number => T + seconds * 1000;
const items = { schema: 'public', name: 'items' };

export const fleetTargets: FleetTarget[] = ['eu-main', 'tenants/acme', 'tenants/zeta'].map((name, ordinal) => ({
  name,
  connectionString: `postgres://app:s3cret@db${ordinal}:5432/app`,
  display: `postgres://app:***@db${ordinal}:5432/app`,
  secrets: ['s3cret'],
  server: `db${ordinal}:5432`,
  labels: ordinal === 0 ? { region: 'eu' } : ({} as Record<string, string>),
  manifestPath: '/work/indexes.yaml',
  ordinal,
}));

export const appliedCanary: TargetOutcome = {
  name: 'eu-main',
  state: 'applied',
  canary: true,
  startedAt: at(0),
  finishedAt: at(2),
  durationMs: 2_000,
  actions: [{ kind: 'create', table: items, index: 'items_v', status: 'done', durationMs: 1_500, indexBytes: 2 * 1024 * 1024 }],
  bytesBuilt: 2 * 1024 * 1024,
};

export const busyTarget: TargetOutcome = {
  name: 'tenants/zeta',
  state: 'busy',
  canary: false,
  startedAt: at(2),
  finishedAt: at(2),
  durationMs: 5,
  error: { message: 'Another reconcile apply is running on app: pid 77 (application_name "reconcile").', hint: 'Wait for it to finish.' },
  actions: [],
  bytesBuilt: 0,
};

export const runningEvents: FleetEvent[] = [
  {
    type: 'fleet-planned',
    at: at(0),
    targets: fleetTargets.map((t) => ({ name: t.name, server: t.server, canary: t.ordinal === 0 })),
    policy: DEFAULT_FLEET_POLICY,
  },
  { type: 'target-started', at: at(0), target: 'eu-main', canary: true },
  {
    type: 'target-apply',
    target: 'eu-main',
    event: { type: 'planned', at: at(0), actions: [{ id: 0, kind: 'create', table: items, index: 'items_v', reason: 'not in database', stepCount: 1 }], concurrency: 1 },
  },
  { type: 'target-apply', target: 'eu-main', event: { type: 'action-started', at: at(0), actionId: 0, pid: 4242 } },
  { type: 'target-apply', target: 'eu-main', event: { type: 'action-done', at: at(2), actionId: 0, durationMs: 1_500 } },
  { type: 'target-finished', at: at(2), outcome: appliedCanary },
  { type: 'target-started', at: at(2), target: 'tenants/acme', canary: false },
  { type: 'target-started', at: at(2), target: 'tenants/zeta', canary: false },
  { type: 'target-finished', at: at(2), outcome: busyTarget },
  {
    type: 'target-apply',
    target: 'tenants/acme',
    event: {
      type: 'planned',
      at: at(2),
      actions: [
        { id: 0, kind: 'create', table: items, index: 'items_v', reason: 'not in database', stepCount: 1 },
        { id: 1, kind: 'create', table: items, index: 'items_w', reason: 'not in database', stepCount: 1 },
      ],
      concurrency: 1,
    },
  },
  { type: 'target-apply', target: 'tenants/acme', event: { type: 'action-started', at: at(2), actionId: 0, pid: 5151 } },
  { type: 'target-apply', target: 'tenants/acme', event: { type: 'step-started', at: at(2), actionId: 0, step: 0, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY items_v ON public.items USING btree (v)' } },
  { type: 'target-apply', target: 'tenants/acme', event: { type: 'progress', at: at(4), actionId: 0, phase: 'building index: scanning table', fraction: 0.42 } },
];

export const acmeApplied: TargetOutcome = {
  name: 'tenants/acme',
  state: 'applied',
  canary: false,
  startedAt: at(2),
  finishedAt: at(9),
  durationMs: 7_000,
  actions: [
    { kind: 'create', table: items, index: 'items_v', status: 'done', durationMs: 3_000, indexBytes: 1024 * 1024 },
    { kind: 'create', table: items, index: 'items_w', status: 'done', durationMs: 4_000, indexBytes: 1024 * 1024 },
  ],
  bytesBuilt: 2 * 1024 * 1024,
};

export const endEvents: FleetEvent[] = [
  { type: 'target-finished', at: at(9), outcome: acmeApplied },
  {
    type: 'fleet-summary',
    at: at(9),
    durationMs: 9_000,
    counts: { applied: 2, 'in-sync': 0, failed: 0, unreachable: 0, busy: 1, 'not-run': 0 },
    targets: { applied: ['eu-main', 'tenants/acme'], 'in-sync': [], failed: [], unreachable: [], busy: ['tenants/zeta'], 'not-run': [] },
    bytesBuilt: 4 * 1024 * 1024,
    interrupted: false,
  },
];
