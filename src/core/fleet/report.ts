/*
 * The JSON report of a fleet apply (`--report FILE`), documented by schema/fleet-report.schema.json:
 * every target with its state, actions, durations and errors (already masked), and the fleet's counts.
 * Field names are a contract (formatVersion 1): add fields freely, never rename or remove them.
 */
import type { ErrorInfo } from '../events.js';
import type { TargetOutcome } from './events.js';
import { TARGET_STATES, type FleetPolicy, type TargetState } from './schedule.js';
import type { FleetTarget } from './target.js';

export const FLEET_REPORT_FORMAT_VERSION = 1;

export interface FleetReportInput {
  readonly targets: readonly FleetTarget[];
  readonly outcomes: readonly TargetOutcome[];
  readonly policy: FleetPolicy;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly interrupted: boolean;
  /** Why no new target started at some point, in words. */
  readonly stopped?: string;
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

function error(info: ErrorInfo | undefined): Record<string, unknown> {
  return info === undefined ? {} : { error: { ...info } };
}

function targetEntry(outcome: TargetOutcome, target: FleetTarget | undefined): Record<string, unknown> {
  return {
    name: outcome.name,
    server: target?.server ?? null,
    database: target?.display ?? null,
    ...(target?.tenantSchema === undefined ? {} : { schema: target.tenantSchema }),
    labels: target?.labels ?? {},
    canary: outcome.canary,
    state: outcome.state,
    ...(outcome.startedAt === undefined ? {} : { startedAt: iso(outcome.startedAt) }),
    ...(outcome.finishedAt === undefined ? {} : { finishedAt: iso(outcome.finishedAt) }),
    ...(outcome.durationMs === undefined ? {} : { durationMs: outcome.durationMs }),
    ...error(outcome.error),
    bytesBuilt: outcome.bytesBuilt,
    actions: outcome.actions.map((a) => ({
      kind: a.kind,
      table: `${a.table.schema}.${a.table.name}`,
      index: a.index,
      status: a.status,
      ...(a.durationMs === undefined ? {} : { durationMs: a.durationMs }),
      ...(a.indexBytes === undefined ? {} : { indexBytes: a.indexBytes }),
      ...error(a.error),
    })),
  };
}

export function fleetReport(input: FleetReportInput): Record<string, unknown> {
  const byName = new Map(input.targets.map((t) => [t.name, t]));
  const counts = Object.fromEntries(TARGET_STATES.map((state) => [state, input.outcomes.filter((o) => o.state === state).length])) as Record<TargetState, number>;
  return {
    formatVersion: FLEET_REPORT_FORMAT_VERSION,
    tool: 'pg-index-reconciler',
    startedAt: iso(input.startedAt),
    finishedAt: iso(input.startedAt + input.durationMs),
    durationMs: input.durationMs,
    interrupted: input.interrupted,
    stopped: input.stopped ?? null,
    policy: { ...input.policy, maxFailures: Number.isFinite(input.policy.maxFailures) ? input.policy.maxFailures : null },
    summary: { ...counts, targets: input.outcomes.length, bytesBuilt: input.outcomes.reduce((sum, o) => sum + o.bytesBuilt, 0) },
    targets: input.outcomes.map((o) => targetEntry(o, byName.get(o.name))),
  };
}
