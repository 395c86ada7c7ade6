/*
 * What the fleet screen knows, folded from the fleet's events: each target's state and its own apply
 * view (apply-state.ts's reducer, unchanged), the order targets finished in, and the summary. Pure.
 */
import type { FleetEvent, TargetOutcome } from '../core/fleet/events.js';
import type { TargetState } from '../core/fleet/schedule.js';
import { INITIAL_APPLY_VIEW, reduceApply, type ActionView, type ApplyView } from './apply-state.js';
import type { FleetSummaryEvent } from './fleet-words.js';

export interface TargetView {
  readonly name: string;
  readonly canary: boolean;
  readonly state: 'waiting' | 'running' | TargetState;
  readonly startedAt?: number;
  readonly apply: ApplyView;
  readonly outcome?: TargetOutcome;
}

export interface FleetView {
  readonly startedAt?: number;
  readonly targets: readonly TargetView[];
  /** Names in the order they finished: the screen's append-only part. */
  readonly finished: readonly string[];
  readonly stopping?: string;
  readonly summary?: FleetSummaryEvent;
}

export const INITIAL_FLEET_VIEW: FleetView = { targets: [], finished: [] };

function update(view: FleetView, name: string, change: (t: TargetView) => TargetView): FleetView {
  return { ...view, targets: view.targets.map((t) => (t.name === name ? change(t) : t)) };
}

export function reduceFleet(view: FleetView, event: FleetEvent): FleetView {
  switch (event.type) {
    case 'fleet-planned':
      return {
        ...view,
        startedAt: event.at,
        targets: event.targets.map((t) => ({ name: t.name, canary: t.canary, state: 'waiting', apply: INITIAL_APPLY_VIEW })),
      };
    case 'target-started':
      return update(view, event.target, (t) => ({ ...t, state: 'running', startedAt: event.at }));
    case 'target-apply':
      return update(view, event.target, (t) => ({ ...t, apply: reduceApply(t.apply, event.event) }));
    case 'target-finished':
      return { ...update(view, event.outcome.name, (t) => ({ ...t, state: event.outcome.state, outcome: event.outcome })), finished: [...view.finished, event.outcome.name] };
    case 'fleet-stopping':
      return { ...view, stopping: event.reason };
    case 'fleet-summary':
      return { ...view, summary: event };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** The action a running target is on: its running build first, else any running action. */
export function currentAction(target: TargetView): ActionView | undefined {
  const running = target.apply.actions.filter((a) => a.state === 'running');
  return running.find((a) => a.stepKind === 'build') ?? running[0];
}

/** Actions finished of all, for a target's row. */
export function actionsDone(target: TargetView): { readonly done: number; readonly total: number } {
  const actions = target.apply.actions.filter((a) => a.action.kind !== 'skip');
  return { done: actions.filter((a) => a.state === 'done' || a.state === 'failed' || a.state === 'cancelled').length, total: actions.length };
}

export interface FleetCounts {
  readonly running: number;
  readonly waiting: number;
  readonly byState: Readonly<Record<TargetState, number>>;
  readonly bytesBuilt: number;
}

export function fleetCounts(view: FleetView): FleetCounts {
  const byState: Record<TargetState, number> = { applied: 0, 'in-sync': 0, failed: 0, unreachable: 0, busy: 0, 'not-run': 0 };
  let running = 0;
  let waiting = 0;
  let bytesBuilt = 0;
  for (const t of view.targets) {
    if (t.state === 'running') running += 1;
    else if (t.state === 'waiting') waiting += 1;
    else byState[t.state] += 1;
    bytesBuilt += t.outcome?.bytesBuilt ?? 0;
  }
  return { running, waiting, byState, bytesBuilt };
}
