import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FLEET_POLICY,
  nextStarts,
  planSchedule,
  stopText,
  type FleetPolicy,
  type ScheduledTarget,
  type ScheduleState,
  type TargetState,
} from '../../src/core/fleet/schedule.js';

function target(name: string, server: string, ordinal: number, labels: Record<string, string> = {}): ScheduledTarget {
  return { name, server, ordinal, labels };
}

const A = 'a:5432';
const B = 'b:5432';
const fleet = [target('a1', A, 0), target('a2', A, 1), target('b1', B, 2), target('a3', A, 3), target('b2', B, 4), target('c1', 'c:5432', 5)];

function state(running: string[], ended: Record<string, TargetState> = {}, interrupted = false): ScheduleState {
  return { running: new Set(running), ended: new Map(Object.entries(ended)), interrupted };
}

function names(targets: readonly ScheduledTarget[]): string[] {
  return targets.map((t) => t.name);
}

/**
 * Runs a whole fleet through the scheduler: each round starts what it says, then ends the running
 * target that comes first in `order` with the state `outcome` gives it. Returns the starts per round.
 */
function simulate(policy: FleetPolicy, outcome: (name: string) => TargetState, targets = fleet): { rounds: string[][]; ended: Record<string, TargetState>; stopped?: string } {
  const schedule = planSchedule(targets, policy);
  const running = new Set<string>();
  const ended = new Map<string, TargetState>();
  const rounds: string[][] = [];
  let stopped: string | undefined;
  for (;;) {
    const decision = nextStarts(schedule, { running, ended, interrupted: false }, policy);
    if (decision.stopped) stopped = decision.stopped.kind;
    for (const t of decision.start) running.add(t.name);
    rounds.push(names(decision.start));
    if (decision.finished) break;
    const first = [...running][0];
    if (first === undefined) throw new Error('nothing runs and the scheduler is not finished');
    running.delete(first);
    ended.set(first, outcome(first));
  }
  return { rounds, ended: Object.fromEntries(ended), ...(stopped ? { stopped } : {}) };
}

describe('fleet schedule', () => {
  it('takes the first N targets as canaries, or every target labelled canary: "true"', () => {
    expect(names(planSchedule(fleet, DEFAULT_FLEET_POLICY).canaries)).toEqual(['a1']);
    expect(names(planSchedule(fleet, { ...DEFAULT_FLEET_POLICY, canary: 2 }).canaries)).toEqual(['a1', 'a2']);
    expect(names(planSchedule(fleet, { ...DEFAULT_FLEET_POLICY, canary: 0 }).canaries)).toEqual([]);
    const labelled = [...fleet.slice(0, 4), target('b2', B, 4, { canary: 'true' }), target('c1', 'c:5432', 5, { canary: 'true' })];
    const schedule = planSchedule(labelled, DEFAULT_FLEET_POLICY);
    expect(names(schedule.canaries)).toEqual(['b2', 'c1']);
    expect(names(schedule.rest)).toEqual(['a1', 'a2', 'b1', 'a3']);
  });

  it('runs the canary alone, then waves bounded by --parallel and --per-host, in fleet order', () => {
    const run = simulate({ ...DEFAULT_FLEET_POLICY, parallel: 2, perHost: 1 }, () => 'applied');
    // a1 alone; then a2 and b1 (a3 waits for server a, b2 for server b, parallel 2); then as each ends.
    expect(run.rounds).toEqual([['a1'], ['a2', 'b1'], ['a3'], ['b2'], ['c1'], [], []]);
    expect(Object.values(run.ended).every((s) => s === 'applied')).toBe(true);
    expect(run.stopped).toBeUndefined();
  });

  it('never starts two targets of one server beyond --per-host, and skips ahead to a free server', () => {
    const schedule = planSchedule(fleet, { ...DEFAULT_FLEET_POLICY, canary: 0 });
    const decision = nextStarts(schedule, state([]), { ...DEFAULT_FLEET_POLICY, canary: 0, parallel: 4, perHost: 1 });
    expect(names(decision.start)).toEqual(['a1', 'b1', 'c1']);
    const two = nextStarts(schedule, state([]), { ...DEFAULT_FLEET_POLICY, canary: 0, parallel: 4, perHost: 2 });
    expect(names(two.start)).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('never runs two targets of one database at once: tenants of a database share its apply lock', () => {
    const tenants = [
      { ...target('shared/a', A, 0), database: 'a:5432/app' },
      { ...target('shared/b', A, 1), database: 'a:5432/app' },
      { ...target('other', A, 2), database: 'a:5432/other' },
    ];
    const policy = { ...DEFAULT_FLEET_POLICY, canary: 0, parallel: 4, perHost: 4 };
    const schedule = planSchedule(tenants, policy);
    expect(names(nextStarts(schedule, state([]), policy).start)).toEqual(['shared/a', 'other']);
    expect(names(nextStarts(schedule, state(['other'], { 'shared/a': 'applied' }), policy).start)).toEqual(['shared/b']);
  });

  it('stops the fleet when the canary fails, is unreachable or busy: nothing else starts', () => {
    for (const bad of ['failed', 'unreachable', 'busy'] as const) {
      const run = simulate(DEFAULT_FLEET_POLICY, (name) => (name === 'a1' ? bad : 'applied'));
      expect(run.rounds).toEqual([['a1'], []]);
      expect(run.ended).toEqual({ a1: bad });
      expect(run.stopped).toBe('canary');
    }
    expect(simulate(DEFAULT_FLEET_POLICY, () => 'in-sync').ended).toMatchObject({ a1: 'in-sync', c1: 'in-sync' });
  });

  it('with --on-error stop, starts nothing after a failure while running targets finish', () => {
    const policy = { ...DEFAULT_FLEET_POLICY, parallel: 4, perHost: 1 };
    const schedule = planSchedule(fleet, policy);
    const decision = nextStarts(schedule, state(['b1', 'c1'], { a1: 'applied', a2: 'failed' }), policy);
    expect(decision).toEqual({ start: [], stopped: { kind: 'failures', failures: 1, limit: 1 }, finished: false });
    expect(nextStarts(schedule, state([], { a1: 'applied', a2: 'failed', b1: 'applied', c1: 'applied' }), policy).finished).toBe(true);
  });

  it('with --on-error continue --max-failures 2, goes on past one failure and stops after the second', () => {
    const policy: FleetPolicy = { ...DEFAULT_FLEET_POLICY, parallel: 1, onError: 'continue', maxFailures: 2 };
    const run = simulate(policy, (name) => (name === 'a2' || name === 'a3' ? 'failed' : 'applied'));
    expect(run.ended).toEqual({ a1: 'applied', a2: 'failed', b1: 'applied', a3: 'failed' });
    expect(run.stopped).toBe('failures');
  });

  it('does not count busy targets as failures', () => {
    const run = simulate({ ...DEFAULT_FLEET_POLICY, parallel: 1 }, (name) => (name === 'a2' ? 'busy' : 'applied'));
    expect(Object.keys(run.ended)).toEqual(['a1', 'a2', 'b1', 'a3', 'b2', 'c1']);
  });

  it('starts nothing once interrupted, and is finished when the running targets are', () => {
    const schedule = planSchedule(fleet, DEFAULT_FLEET_POLICY);
    expect(nextStarts(schedule, state(['a2'], { a1: 'applied' }, true), DEFAULT_FLEET_POLICY)).toEqual({
      start: [],
      stopped: { kind: 'interrupted' },
      finished: false,
    });
    expect(nextStarts(schedule, state([], { a1: 'applied' }, true), DEFAULT_FLEET_POLICY).finished).toBe(true);
  });

  it('says why the fleet stopped', () => {
    expect(stopText({ kind: 'canary', target: 'eu-main', state: 'failed' }, 'stop')).toBe('the canary eu-main ended failed: no other target starts');
    expect(stopText({ kind: 'failures', failures: 1, limit: 1 }, 'stop')).toBe('a target failed (--on-error stop): no new target starts, running ones finish');
    expect(stopText({ kind: 'failures', failures: 2, limit: 2 }, 'continue')).toBe('2 targets failed (--max-failures 2): no new target starts, running ones finish');
  });
});
