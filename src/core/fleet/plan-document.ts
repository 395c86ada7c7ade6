/*
 * The fleet plan as a stable, versioned JSON document (`plan --targets F --format json`): the counts,
 * each target's state and plan group, and each distinct plan once with the targets it is for.
 */
import type { Action, PlanSummary } from '../actions.js';
import { formatProblem } from '../errors.js';
import { fleetCounts, type FleetPlan, type FleetPlanCounts, type TargetPlanState } from './plan-groups.js';

export const FLEET_PLAN_FORMAT_VERSION = 1;

export interface FleetPlanDocument {
  readonly formatVersion: typeof FLEET_PLAN_FORMAT_VERSION;
  readonly kind: 'fleet-plan';
  readonly createdAt: string;
  readonly summary: FleetPlanCounts & { readonly plans: number };
  readonly changes: boolean;
  readonly targets: readonly {
    readonly name: string;
    readonly server: string;
    readonly state: TargetPlanState;
    readonly plan?: number;
    readonly schema?: string;
    readonly error?: string;
    /** Plan-time problems, one line each as printed (`file:line:column  path  message`). */
    readonly problems?: readonly string[];
  }[];
  readonly plans: readonly {
    readonly id: number;
    readonly targets: readonly string[];
    readonly shownFor: string;
    readonly manifest: string;
    readonly serverVersion: string;
    readonly summary: PlanSummary;
    readonly actions: readonly Action[];
    readonly warnings: readonly string[];
  }[];
}

export function fleetPlanDocument(plan: FleetPlan, now: Date): FleetPlanDocument {
  const counts = fleetCounts(plan);
  return {
    formatVersion: FLEET_PLAN_FORMAT_VERSION,
    kind: 'fleet-plan',
    createdAt: now.toISOString(),
    summary: { ...counts, plans: plan.groups.length },
    changes: counts.withChanges > 0,
    targets: plan.targets.map((t) => ({
      name: t.name,
      server: t.server,
      state: t.state,
      ...(t.plan === undefined ? {} : { plan: t.plan }),
      ...(t.tenantSchema === undefined ? {} : { schema: t.tenantSchema }),
      ...(t.error === undefined ? {} : { error: t.error }),
      ...(t.problems ? { problems: t.problems.map(formatProblem) } : {}),
    })),
    plans: plan.groups.map((group) => ({
      id: group.id,
      targets: group.targets,
      shownFor: group.shownFor,
      manifest: group.document.manifest.file,
      serverVersion: group.document.database.serverVersion,
      summary: group.summary,
      actions: group.document.actions,
      warnings: group.document.warnings,
    })),
  };
}
