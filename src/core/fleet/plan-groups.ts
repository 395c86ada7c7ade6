/*
 * A fleet's plans, grouped: targets whose plans are identical (the same actions and statements; sizes
 * and row counts aside) share a group, so a reviewer reads each distinct plan once with the names of
 * the targets it is for. For a schema per tenant, the tenant's own schema counts as the same in every
 * tenant: `+ idx on tenant_a.orders` and `+ idx on tenant_b.orders` are one plan.
 * Groups are folded in as targets finish: only one plan document is kept per group.
 */
import { summarise, type Action, type PlanSummary } from '../actions.js';
import type { Problem } from '../errors.js';
import type { PlanDocument } from '../plan-document.js';
import { quoteIdent } from '../sql.js';

export type TargetPlanState = 'in-sync' | 'changes' | 'failed' | 'unreachable';

/** One target's plan, as the fleet plan reports it. */
export type TargetPlanOutcome =
  | { readonly kind: 'planned'; readonly document: PlanDocument }
  | { readonly kind: 'failed'; readonly error: string; readonly problems: readonly Problem[] }
  | { readonly kind: 'unreachable'; readonly error: string };

export interface FleetTargetResult {
  readonly name: string;
  readonly server: string;
  readonly state: TargetPlanState;
  /** Number of its plan group (1-based) when it has changes. */
  readonly plan?: number;
  readonly error?: string;
  readonly problems?: readonly Problem[];
  readonly tenantSchema?: string;
}

export interface PlanGroup {
  readonly id: number;
  /** Target names, in fleet order. */
  readonly targets: readonly string[];
  /** The plan as made for its first target (sizes and row counts are that target's). */
  readonly shownFor: string;
  readonly document: PlanDocument;
  /** The first target's tenant schema, when its members are tenants of different schemas. */
  readonly tenantSchema?: string;
  readonly summary: PlanSummary;
}

export interface FleetPlan {
  /** In fleet order. */
  readonly targets: readonly FleetTargetResult[];
  /** Groups of targets with changes: the largest first, then in fleet order. */
  readonly groups: readonly PlanGroup[];
}

export interface FleetPlanCounts {
  readonly targets: number;
  readonly inSync: number;
  readonly withChanges: number;
  readonly failed: number;
  readonly unreachable: number;
}

const TENANT = '\u0000tenant\u0000';

/** The plan's identity: its actions without what differs between alike targets (sizes, rows). */
export function planSignature(actions: readonly Action[], tenantSchema?: string): string {
  const quoted = tenantSchema === undefined ? undefined : `${quoteIdent(tenantSchema)}.`;
  const plain = tenantSchema === undefined ? undefined : `${tenantSchema}.`;
  return JSON.stringify(actions, (key, value: unknown) => {
    if (key === 'cost') return undefined;
    if (typeof value !== 'string' || tenantSchema === undefined) return value;
    if (value === tenantSchema) return TENANT;
    return value.split(quoted!).join(TENANT).split(plain!).join(TENANT);
  });
}

interface Slot {
  readonly name: string;
  readonly server: string;
  readonly tenantSchema?: string;
  outcome?: { readonly state: TargetPlanState; readonly signature?: string; readonly error?: string; readonly problems?: readonly Problem[] };
}

interface OpenGroup {
  readonly signature: string;
  readonly first: number;
  readonly members: number[];
  readonly document: PlanDocument;
  readonly schemas: Set<string | undefined>;
}

/** Collects outcomes as they come (in any order) and gives the grouped fleet plan in fleet order. */
export class FleetPlanCollector {
  private readonly slots: Slot[];
  private readonly groups = new Map<string, OpenGroup>();

  constructor(targets: readonly { readonly name: string; readonly server: string; readonly tenantSchema?: string }[]) {
    this.slots = targets.map((t) => ({ name: t.name, server: t.server, ...(t.tenantSchema === undefined ? {} : { tenantSchema: t.tenantSchema }) }));
  }

  add(position: number, outcome: TargetPlanOutcome): void {
    const slot = this.slots[position]!;
    switch (outcome.kind) {
      case 'failed':
        slot.outcome = { state: 'failed', error: outcome.error, problems: outcome.problems };
        return;
      case 'unreachable':
        slot.outcome = { state: 'unreachable', error: outcome.error };
        return;
      case 'planned': {
        if (!outcome.document.changes) {
          slot.outcome = { state: 'in-sync' };
          return;
        }
        const signature = planSignature(outcome.document.actions, slot.tenantSchema);
        slot.outcome = { state: 'changes', signature };
        const group = this.groups.get(signature);
        if (!group) {
          this.groups.set(signature, { signature, first: position, members: [position], document: outcome.document, schemas: new Set([slot.tenantSchema]) });
        } else {
          group.members.push(position);
          group.schemas.add(slot.tenantSchema);
          // The document shown is the first target's in fleet order, whatever finished first.
          if (position < group.first) this.groups.set(signature, { ...group, first: position, document: outcome.document });
        }
        return;
      }
      default: {
        const never: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
      }
    }
  }

  result(): FleetPlan {
    const ordered = [...this.groups.values()].sort((a, b) => b.members.length - a.members.length || a.first - b.first);
    const ids = new Map(ordered.map((group, i) => [group.signature, i + 1] as const));
    const groups = ordered.map((group, i): PlanGroup => {
      const first = this.slots[group.first]!;
      return {
        id: i + 1,
        targets: [...group.members].sort((a, b) => a - b).map((m) => this.slots[m]!.name),
        shownFor: first.name,
        document: group.document,
        ...(group.schemas.size > 1 && first.tenantSchema !== undefined ? { tenantSchema: first.tenantSchema } : {}),
        summary: summarise(group.document.actions),
      };
    });
    const targets = this.slots.map((slot): FleetTargetResult => {
      const outcome = slot.outcome ?? { state: 'failed' as const, error: 'not planned' };
      return {
        name: slot.name,
        server: slot.server,
        state: outcome.state,
        ...(outcome.signature === undefined ? {} : { plan: ids.get(outcome.signature)! }),
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        ...(outcome.problems && outcome.problems.length > 0 ? { problems: outcome.problems } : {}),
        ...(slot.tenantSchema === undefined ? {} : { tenantSchema: slot.tenantSchema }),
      };
    });
    return { targets, groups };
  }
}

export function fleetCounts(plan: FleetPlan): FleetPlanCounts {
  const count = (state: TargetPlanState): number => plan.targets.filter((t) => t.state === state).length;
  return { targets: plan.targets.length, inSync: count('in-sync'), withChanges: count('changes'), failed: count('failed'), unreachable: count('unreachable') };
}

/** 0 all in sync; 2 changes somewhere (with --detailed-exitcode); 1 when any target failed or was unreachable. */
export function fleetExitCode(plan: FleetPlan, detailed: boolean): number {
  const counts = fleetCounts(plan);
  if (counts.failed + counts.unreachable > 0) return 1;
  return detailed && counts.withChanges > 0 ? 2 : 0;
}
