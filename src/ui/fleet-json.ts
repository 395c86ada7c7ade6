/*
 * A fleet apply as NDJSON: the version line, then the fleet's events and every target's apply events
 * (as one apply prints them) with the target's name in `target`. Times are ISO-8601. Field names are a
 * contract (formatVersion 1): add fields freely, never rename or remove them.
 */
import type { FleetEvent } from '../core/fleet/events.js';
import { applyEventJson } from './apply-json.js';

export function fleetEventJson(event: FleetEvent): string {
  switch (event.type) {
    case 'target-apply': {
      const { type, at, ...rest } = JSON.parse(applyEventJson(event.event)) as Record<string, unknown>;
      return JSON.stringify({ type, at, target: event.target, ...rest });
    }
    case 'target-finished': {
      const { name, ...rest } = event.outcome;
      return JSON.stringify({ type: event.type, at: iso(event.at), target: name, ...rest, ...times(rest) });
    }
    case 'fleet-planned': {
      const { type, at, policy, ...rest } = event;
      // Infinity is no JSON number: no limit is null.
      return JSON.stringify({ type, at: iso(at), ...rest, policy: { ...policy, maxFailures: Number.isFinite(policy.maxFailures) ? policy.maxFailures : null } });
    }
    case 'target-started':
    case 'fleet-stopping':
    case 'fleet-summary': {
      const { type, at, ...rest } = event;
      return JSON.stringify({ type, at: iso(at), ...rest });
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

function times(outcome: { readonly startedAt?: number; readonly finishedAt?: number }): Record<string, string> {
  return {
    ...(outcome.startedAt === undefined ? {} : { startedAt: iso(outcome.startedAt) }),
    ...(outcome.finishedAt === undefined ? {} : { finishedAt: iso(outcome.finishedAt) }),
  };
}
