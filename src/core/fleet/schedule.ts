/*
 * Which targets of a fleet apply start when (SPEC §8): the canaries first, one at a time, and nothing
 * else while they run; then the rest in fleet order, at most `parallel` at once and `perHost` per
 * server; no new start after a failure (`onError: stop`) or after `maxFailures` of them (`continue`),
 * after a canary that did not apply, or after Ctrl-C. Running targets always finish: nothing here
 * cancels them. Pure: the runner (src/io/fleet/apply-fleet.ts) asks again whenever a target ends.
 */
import { assertNever } from '../actions.js';
import type { FleetTarget } from './target.js';

/** How a target of a fleet apply ends. */
export type TargetState = 'in-sync' | 'applied' | 'failed' | 'unreachable' | 'busy' | 'not-run';

export const TARGET_STATES: readonly TargetState[] = ['applied', 'in-sync', 'failed', 'unreachable', 'busy', 'not-run'];

export type OnError = 'stop' | 'continue';

export interface FleetPolicy {
  /** Canaries when no target is labelled `canary: "true"`: the first N in fleet order; 0 for none. */
  readonly canary: number;
  readonly parallel: number;
  readonly perHost: number;
  readonly onError: OnError;
  /** With `continue`: no new start once this many targets failed; Infinity for no limit. */
  readonly maxFailures: number;
}

export const DEFAULT_FLEET_POLICY: FleetPolicy = { canary: 1, parallel: 4, perHost: 1, onError: 'stop', maxFailures: Number.POSITIVE_INFINITY };

export type ScheduledTarget = Pick<FleetTarget, 'name' | 'server' | 'labels' | 'ordinal'> & {
  /**
   * The database whose apply lock the target takes (`host:port/database`): tenants of one database
   * (schema per tenant) share it, so they run one after another, never to find each other busy.
   */
  readonly database?: string;
};

export interface Schedule<T extends ScheduledTarget> {
  /** Applied one at a time before any other target; the fleet stops unless each applies or is in sync. */
  readonly canaries: readonly T[];
  readonly rest: readonly T[];
}

export type StopReason =
  | { readonly kind: 'canary'; readonly target: string; readonly state: TargetState }
  | { readonly kind: 'failures'; readonly failures: number; readonly limit: number }
  | { readonly kind: 'interrupted' };

export interface ScheduleState {
  /** Names of the targets running now. */
  readonly running: ReadonlySet<string>;
  /** How each finished target ended. */
  readonly ended: ReadonlyMap<string, TargetState>;
  readonly interrupted: boolean;
}

export interface ScheduleDecision<T extends ScheduledTarget> {
  /** Start these now (none while the canary runs, or when the limits are full). */
  readonly start: readonly T[];
  /** Why nothing new starts any more, once that is so. */
  readonly stopped?: StopReason;
  /** Nothing runs and nothing will start: the apply is over. */
  readonly finished: boolean;
}

/** The fleet in its order, split into canaries and the rest. */
export function planSchedule<T extends ScheduledTarget>(targets: readonly T[], policy: FleetPolicy): Schedule<T> {
  const ordered = [...targets].sort((a, b) => a.ordinal - b.ordinal);
  const labelled = ordered.filter((t) => t.labels['canary'] === 'true');
  const canaries = policy.canary <= 0 ? [] : labelled.length > 0 ? labelled : ordered.slice(0, policy.canary);
  const chosen = new Set(canaries.map((t) => t.name));
  return { canaries, rest: ordered.filter((t) => !chosen.has(t.name)) };
}

/** Failed and unreachable targets count against `onError`; busy ones (another apply runs there) do not. */
export function countsAsFailure(state: TargetState): boolean {
  return state === 'failed' || state === 'unreachable';
}

function failureLimit(policy: FleetPolicy): number {
  return policy.onError === 'stop' ? 1 : Math.max(1, policy.maxFailures);
}

export function stopReason<T extends ScheduledTarget>(schedule: Schedule<T>, state: ScheduleState, policy: FleetPolicy): StopReason | undefined {
  if (state.interrupted) return { kind: 'interrupted' };
  for (const canary of schedule.canaries) {
    const ended = state.ended.get(canary.name);
    if (ended !== undefined && ended !== 'applied' && ended !== 'in-sync') return { kind: 'canary', target: canary.name, state: ended };
  }
  const failures = [...state.ended.values()].filter(countsAsFailure).length;
  const limit = failureLimit(policy);
  return failures >= limit ? { kind: 'failures', failures, limit } : undefined;
}

/** What starts now, given what runs and what ended. */
export function nextStarts<T extends ScheduledTarget>(schedule: Schedule<T>, state: ScheduleState, policy: FleetPolicy): ScheduleDecision<T> {
  const waiting = (t: T): boolean => !state.running.has(t.name) && !state.ended.has(t.name);
  const stopped = stopReason(schedule, state, policy);
  if (stopped) return { start: [], stopped, finished: state.running.size === 0 };

  const canary = schedule.canaries.find(waiting);
  const canariesRunning = schedule.canaries.some((t) => state.running.has(t.name));
  if (canary !== undefined || canariesRunning) {
    return { start: canary !== undefined && state.running.size === 0 ? [canary] : [], finished: false };
  }

  const perServer = new Map<string, number>();
  const databases = new Set<string>();
  const take = (t: T): void => {
    perServer.set(t.server, (perServer.get(t.server) ?? 0) + 1);
    if (t.database !== undefined) databases.add(t.database);
  };
  for (const t of schedule.rest) if (state.running.has(t.name)) take(t);
  const start: T[] = [];
  let free = policy.parallel - state.running.size;
  for (const t of schedule.rest) {
    if (free <= 0) break;
    if (!waiting(t) || (perServer.get(t.server) ?? 0) >= policy.perHost) continue;
    if (t.database !== undefined && databases.has(t.database)) continue;
    start.push(t);
    take(t);
    free -= 1;
  }
  const pending = schedule.rest.some(waiting);
  return { start, finished: !pending && state.running.size === 0 && start.length === 0 };
}

/** `the canary tenants/a failed`, `2 targets failed (--max-failures 2)`, `interrupted`. */
export function stopText(reason: StopReason, onError: OnError): string {
  switch (reason.kind) {
    case 'canary':
      return `the canary ${reason.target} ended ${reason.state}: no other target starts`;
    case 'failures':
      return onError === 'stop'
        ? `a target failed (--on-error stop): no new target starts, running ones finish`
        : `${reason.failures} targets failed (--max-failures ${reason.limit}): no new target starts, running ones finish`;
    case 'interrupted':
      return 'interrupted: no new target starts, running builds are cancelled';
    default:
      return assertNever(reason, 'stop reason');
  }
}
