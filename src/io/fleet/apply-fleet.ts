/*
 * A fleet apply (SPEC §8): the scheduler (core/fleet/schedule.ts) decides which targets start, this
 * starts them (apply-target.ts: one single-database apply each) and asks again whenever one ends or
 * Ctrl-C comes. A target's running builds are never cancelled because another target failed; Ctrl-C
 * reaches every running target as it reaches one apply.
 */
import type { FleetEvent, FleetListener, TargetOutcome } from '../../core/fleet/events.js';
import { nextStarts, planSchedule, stopText, TARGET_STATES, type FleetPolicy, type StopReason, type TargetState } from '../../core/fleet/schedule.js';
import type { FleetTarget } from '../../core/fleet/target.js';
import { applyTarget, type TargetApplyOptions } from './apply-target.js';
import { CanonicalCache } from './canonical-share.js';
import { connectionParts } from './connection.js';

export interface FleetApplyOptions extends Omit<TargetApplyOptions, 'emit'> {
  readonly policy: FleetPolicy;
  readonly listener: FleetListener;
}

export interface FleetResult {
  /** One per target, in fleet order. */
  readonly outcomes: readonly TargetOutcome[];
  readonly counts: Readonly<Record<TargetState, number>>;
  readonly interrupted: boolean;
  readonly stopped?: StopReason;
  readonly startedAt: number;
  readonly durationMs: number;
}

function notRun(name: string, canary: boolean): TargetOutcome {
  return { name, state: 'not-run', canary, actions: [], bytesBuilt: 0 };
}

/** The target with the database whose apply lock it takes (tenants of one database share it). */
function withDatabase(target: FleetTarget): FleetTarget & { readonly database?: string } {
  if (target.unreachable !== undefined) return target;
  try {
    const { host, port, database } = connectionParts(target.connectionString);
    return { ...target, database: `${host}:${port}/${database}` };
  } catch {
    return target;
  }
}

export async function applyFleet(targets: readonly FleetTarget[], options: FleetApplyOptions): Promise<FleetResult> {
  const startedAt = Date.now();
  const { policy, signal } = options;
  const emit = (event: FleetEvent): void => {
    try {
      options.listener(event);
    } catch {
      // A renderer's bug must not stop a fleet halfway.
    }
  };
  const schedule = planSchedule(targets.map(withDatabase), policy);
  // One cache for the fleet: targets alike build each canonical form once.
  const share = options.share ?? new CanonicalCache();
  const canaries = new Set(schedule.canaries.map((t) => t.name));
  const ordered = [...schedule.canaries, ...schedule.rest];
  emit({ type: 'fleet-planned', at: startedAt, targets: ordered.map((t) => ({ name: t.name, server: t.server, canary: canaries.has(t.name) })), policy });

  const running = new Map<string, Promise<void>>();
  const ended = new Map<string, TargetState>();
  const outcomes = new Map<string, TargetOutcome>();
  const interrupted = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  let stopped: StopReason | undefined;
  for (;;) {
    const decision = nextStarts(schedule, { running: new Set(running.keys()), ended, interrupted: signal.aborted }, policy);
    if (decision.stopped && !stopped) {
      stopped = decision.stopped;
      emit({ type: 'fleet-stopping', at: Date.now(), reason: stopText(stopped, policy.onError) });
    }
    for (const target of decision.start) {
      const run = applyTarget(target, canaries.has(target.name), { ...options, share, emit })
        .catch((error: unknown): TargetOutcome => ({ ...notRun(target.name, canaries.has(target.name)), state: 'failed', error: { message: String(error) } }))
        .then((outcome) => {
          outcomes.set(target.name, outcome);
          ended.set(target.name, outcome.state);
          running.delete(target.name);
        });
      running.set(target.name, run);
    }
    if (decision.finished) break;
    if (running.size === 0) throw new Error('fleet scheduler: targets wait, yet nothing runs and nothing starts');
    // Wake when a target ends, or at Ctrl-C (to stop starting: the targets themselves see the signal).
    await Promise.race([...running.values(), ...(stopped ? [] : [interrupted])]);
  }

  const all = ordered.map((t) => outcomes.get(t.name) ?? notRun(t.name, canaries.has(t.name)));
  const counts = Object.fromEntries(TARGET_STATES.map((state) => [state, all.filter((o) => o.state === state).length])) as Record<TargetState, number>;
  const durationMs = Date.now() - startedAt;
  emit({
    type: 'fleet-summary',
    at: Date.now(),
    durationMs,
    counts,
    targets: Object.fromEntries(TARGET_STATES.map((state) => [state, all.filter((o) => o.state === state).map((o) => o.name)])) as Record<TargetState, string[]>,
    bytesBuilt: all.reduce((sum, o) => sum + o.bytesBuilt, 0),
    interrupted: signal.aborted,
    ...(stopped ? { stopped: stopText(stopped, policy.onError) } : {}),
  });
  return { outcomes: all, counts, interrupted: signal.aborted, ...(stopped ? { stopped } : {}), startedAt, durationMs };
}

/** 0 when every target applied or was in sync; 130 after Ctrl-C; else 1. */
export function fleetExitCode(result: FleetResult): number {
  if (result.interrupted) return 130;
  return result.outcomes.every((o) => o.state === 'applied' || o.state === 'in-sync') ? 0 : 1;
}
