import { describe, expect, it } from 'vitest';
import type { ApplyEvent, PlannedAction } from '../../src/core/events.js';
import { actionElapsed, actionTimeLeft, overallProgress } from '../../src/ui/apply-measures.js';
import { INITIAL_APPLY_VIEW, findAction, reduceAll, reduceApply, type ActionView, type ApplyView } from '../../src/ui/apply-state.js';
import { stepPhase, summaryText } from '../../src/ui/apply-words.js';

const T = Date.parse('2026-11-25T10:00:00Z');
const users = { schema: 'public', name: 'users' };
const events = { schema: 'public', name: 'events' };

const actions: PlannedAction[] = [
  { id: 0, kind: 'create', table: users, index: 'idx_users_email', reason: 'not in database', stepCount: 2 },
  { id: 1, kind: 'drop', table: users, index: 'users_old_idx', reason: 'not in indexes.yaml', stepCount: 1 },
  { id: 2, kind: 'create', table: events, index: 'idx_events_at', reason: 'not in database', stepCount: 5 },
  { id: 3, kind: 'skip', table: users, index: 'idx_users_role', reason: 'being built by pid 77', stepCount: 0 },
];
const planned: ApplyEvent = { type: 'planned', at: T, actions, concurrency: 2 };

function action(view: ApplyView, id: number): ActionView {
  const found = findAction(view, id);
  if (found === undefined) throw new Error(`no action ${id}`);
  return found;
}

describe('reduceApply', () => {
  it('starts every action pending, except skips, which are finished at once', () => {
    const view = reduceApply(INITIAL_APPLY_VIEW, planned);
    expect(view.actions.map((a) => a.state)).toEqual(['pending', 'pending', 'pending', 'skipped']);
    expect(view.finished).toEqual([3]);
    expect(view.concurrency).toBe(2);
    expect(view.startedAt).toBe(T);
    expect(action(view, 3).phase).toBe('being built by pid 77');
  });

  it('follows a build from start to done', () => {
    const started = reduceAll([
      planned,
      { type: 'action-started', at: T + 100, actionId: 0, pid: 4242 },
      { type: 'step-started', at: T + 100, actionId: 0, step: 0, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY …' },
    ]);
    expect(action(started, 0)).toMatchObject({ state: 'running', pid: 4242, startedAt: T + 100, step: 0, stepKind: 'build', phase: 'starting build' });
    expect(action(started, 0).fraction).toBeUndefined();

    const building = reduceApply(started, { type: 'progress', at: T + 2_000, actionId: 0, phase: 'building index: scanning table', fraction: 0.42, etaMs: 12_000 });
    expect(action(building, 0)).toMatchObject({ phase: 'building index: scanning table', fraction: 0.42, etaMs: 12_000, progressAt: T + 2_000 });

    const analyzing = reduceApply(building, { type: 'step-started', at: T + 4_000, actionId: 0, step: 1, kind: 'analyze', sql: 'ANALYZE public.users' });
    // The build's fraction stays while the quick steps after it run.
    expect(action(analyzing, 0)).toMatchObject({ phase: 'analyzing the table', fraction: 0.42, step: 1 });
    expect(action(analyzing, 0).etaMs).toBeUndefined();

    const done = reduceApply(analyzing, { type: 'action-done', at: T + 4_300, actionId: 0, durationMs: 4_200 });
    expect(action(done, 0)).toMatchObject({ state: 'done', fraction: 1, durationMs: 4_200, finishedAt: T + 4_300 });
    expect(done.finished).toEqual([3, 0]);
  });

  it('keeps a failure with the database error and what was cleaned up', () => {
    const view = reduceAll([
      planned,
      { type: 'action-started', at: T + 100, actionId: 0, pid: 4242 },
      {
        type: 'action-failed',
        at: T + 900,
        actionId: 0,
        durationMs: 800,
        error: { message: 'could not create unique index "idx_users_email"', code: '23505', detail: 'Key (email)=(a@b) is duplicated.' },
        cleanedUp: ['idx_users_email'],
        leftBehind: [],
      },
    ]);
    expect(action(view, 0)).toMatchObject({
      state: 'failed',
      durationMs: 800,
      error: { message: 'could not create unique index "idx_users_email"', code: '23505', detail: 'Key (email)=(a@b) is duplicated.' },
      cleanedUp: ['idx_users_email'],
      leftBehind: [],
    });
    expect(view.finished).toEqual([3, 0]);
  });

  it('shows lock waits until the build moves past its waiting phase', () => {
    const waiting = reduceAll([
      planned,
      { type: 'action-started', at: T, actionId: 0, pid: 4242 },
      { type: 'progress', at: T + 1_000, actionId: 0, phase: 'waiting for writers before build', fraction: 0 },
      { type: 'waiting', at: T + 1_000, actionId: 0, what: 'writers on public.users to finish (before the build)', blockers: [{ pid: 123, state: 'idle in transaction' }] },
      { type: 'progress', at: T + 2_000, actionId: 0, phase: 'waiting for writers before build', fraction: 0 },
      { type: 'waiting', at: T + 2_000, actionId: 0, what: 'writers on public.users to finish (before the build)', blockers: [{ pid: 123, state: 'idle in transaction' }] },
    ]);
    // Still the same wait: it started at the first report.
    expect(action(waiting, 0).waiting).toEqual({
      what: 'writers on public.users to finish (before the build)',
      blockers: [{ pid: 123, state: 'idle in transaction' }],
      since: T + 1_000,
    });
    const moved = reduceApply(waiting, { type: 'progress', at: T + 3_000, actionId: 0, phase: 'building index: scanning table', fraction: 0.1 });
    expect(action(moved, 0).waiting).toBeUndefined();
  });

  it('counts retries and clears the retry note when the statement runs again', () => {
    const retrying = reduceAll([
      planned,
      { type: 'action-started', at: T, actionId: 1, pid: 4243 },
      { type: 'step-started', at: T, actionId: 1, step: 0, kind: 'drop', sql: 'DROP INDEX CONCURRENTLY public.users_old_idx' },
      { type: 'waiting', at: T + 500, actionId: 1, what: 'lock on public.users (ShareUpdateExclusiveLock)', blockers: [{ pid: 9 }] },
      { type: 'retry', at: T + 5_000, actionId: 1, attempt: 1, retries: 3, delayMs: 2_000, error: { message: 'canceling statement due to lock timeout', code: '55P03' } },
    ]);
    expect(action(retrying, 1)).toMatchObject({
      retryCount: 1,
      retry: { attempt: 1, retries: 3, delayMs: 2_000, at: T + 5_000, error: { message: 'canceling statement due to lock timeout', code: '55P03' } },
    });
    expect(action(retrying, 1).waiting).toBeUndefined();
    const again = reduceApply(retrying, { type: 'step-started', at: T + 7_000, actionId: 1, step: 0, kind: 'drop', sql: 'DROP INDEX CONCURRENTLY public.users_old_idx' });
    expect(action(again, 1).retry).toBeUndefined();
    expect(action(again, 1).retryCount).toBe(1);
  });

  it('gives a partitioned build a row per partition and moves its fraction step by step', () => {
    const p1 = { schema: 'public', name: 'events_2024' };
    const p2 = { schema: 'public', name: 'events_2025' };
    const first = reduceAll([
      planned,
      { type: 'action-started', at: T, actionId: 2, pid: 4244 },
      { type: 'step-started', at: T, actionId: 2, step: 0, kind: 'build-parent', sql: 'CREATE INDEX idx_events_at ON ONLY public.events …' },
      { type: 'step-started', at: T + 100, actionId: 2, step: 1, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY …', partition: p1 },
      { type: 'progress', at: T + 1_000, actionId: 2, phase: 'building index: scanning table', fraction: 0.5, partition: p1 },
    ]);
    expect(action(first, 2).partitions).toEqual([{ partition: p1, state: 'running', step: 'build', phase: 'building index: scanning table', fraction: 0.5 }]);
    expect(action(first, 2).fraction).toBeCloseTo(1.5 / 5);

    const second = reduceApply(first, { type: 'step-started', at: T + 2_000, actionId: 2, step: 2, kind: 'build', sql: 'CREATE INDEX CONCURRENTLY …', partition: p2 });
    expect(action(second, 2).partitions.map((p) => [p.partition.name, p.state])).toEqual([
      ['events_2024', 'done'],
      ['events_2025', 'running'],
    ]);
    expect(action(second, 2).fraction).toBeCloseTo(2 / 5);

    const attach = reduceApply(second, { type: 'step-started', at: T + 3_000, actionId: 2, step: 3, kind: 'attach', sql: 'ALTER INDEX … ATTACH PARTITION …', partition: p1 });
    expect(action(attach, 2).partitions.map((p) => [p.partition.name, p.state, p.step, p.phase])).toEqual([
      ['events_2024', 'running', 'attach', 'attaching'],
      ['events_2025', 'done', 'build', 'starting build'],
    ]);

    const done = reduceApply(attach, { type: 'action-done', at: T + 4_000, actionId: 2, durationMs: 4_000 });
    expect(action(done, 2).partitions.every((p) => p.state === 'done')).toBe(true);
  });

  it('ignores unknown actions and late events for finished ones', () => {
    const done = reduceAll([planned, { type: 'action-started', at: T, actionId: 0, pid: 1 }, { type: 'action-done', at: T + 10, actionId: 0, durationMs: 10 }]);
    expect(reduceApply(done, { type: 'progress', at: T + 20, actionId: 0, phase: 'building index: scanning table', fraction: 0.3 })).toBe(done);
    expect(reduceApply(done, { type: 'action-started', at: T + 20, actionId: 99, pid: 1 })).toBe(done);
  });

  it('does not change the view it is given', () => {
    const view = reduceAll([planned, { type: 'action-started', at: T, actionId: 0, pid: 1 }]);
    const before = JSON.stringify(view);
    reduceApply(view, { type: 'progress', at: T + 20, actionId: 0, phase: 'building index: scanning table', fraction: 0.3 });
    reduceApply(view, { type: 'summary', at: T + 30, done: 0, failed: 0, skipped: 3, cancelled: 1, durationMs: 30, interrupted: true });
    expect(JSON.stringify(view)).toBe(before);
  });

  it('on an interrupted summary, marks what never started skipped and what still ran cancelled', () => {
    const view = reduceAll([
      planned,
      { type: 'action-started', at: T, actionId: 0, pid: 1 },
      { type: 'action-started', at: T, actionId: 2, pid: 2 },
      { type: 'interrupt', at: T + 1_000, signal: 'SIGINT' },
      { type: 'action-cancelled', at: T + 1_500, actionId: 0, cleanedUp: ['idx_users_email'], leftBehind: [] },
      { type: 'summary', at: T + 2_000, done: 0, failed: 0, skipped: 2, cancelled: 2, durationMs: 2_000, interrupted: true },
    ]);
    expect(view.interrupt).toEqual({ signal: 'SIGINT', at: T + 1_000 });
    expect(view.actions.map((a) => a.state)).toEqual(['cancelled', 'skipped', 'cancelled', 'skipped']);
    expect(view.finished).toEqual([3, 0, 1, 2]);
    expect(action(view, 0)).toMatchObject({ durationMs: 1_500, cleanedUp: ['idx_users_email'] });
  });
});

describe('overallProgress', () => {
  it('counts finished actions and the running fractions over all actions', () => {
    const view = reduceAll([
      planned,
      { type: 'action-started', at: T, actionId: 0, pid: 1 },
      { type: 'progress', at: T + 1_000, actionId: 0, phase: 'building index: scanning table', fraction: 0.5 },
      { type: 'action-started', at: T, actionId: 1, pid: 2 },
      { type: 'action-done', at: T + 500, actionId: 1, durationMs: 500 },
    ]);
    expect(overallProgress(view, T + 3_000)).toEqual({
      total: 4,
      finished: 2,
      running: 1,
      pending: 1,
      done: 1,
      failed: 0,
      skipped: 1,
      cancelled: 0,
      fraction: 2.5 / 4,
      elapsedMs: 3_000,
    });
  });

  it('uses the summary duration once the run is over', () => {
    const view = reduceAll([planned, { type: 'summary', at: T + 9_000, done: 0, failed: 0, skipped: 4, cancelled: 0, durationMs: 8_765, interrupted: false }]);
    expect(overallProgress(view, T + 60_000).elapsedMs).toBe(8_765);
  });
});

describe('time', () => {
  const running = reduceAll([
    planned,
    { type: 'action-started', at: T, actionId: 0, pid: 1 },
    { type: 'progress', at: T + 10_000, actionId: 0, phase: 'building index: scanning table', fraction: 0.4, etaMs: 15_000 },
  ]);

  it('counts the estimate down between progress reports', () => {
    expect(actionTimeLeft(action(running, 0), T + 10_000)).toBe(15_000);
    expect(actionTimeLeft(action(running, 0), T + 14_000)).toBe(11_000);
    expect(actionTimeLeft(action(running, 0), T + 40_000)).toBe(0);
    expect(actionElapsed(action(running, 0), T + 14_000)).toBe(14_000);
  });

  it('guesses from the fraction when the executor gives no estimate', () => {
    const noEta = reduceApply(running, { type: 'progress', at: T + 10_000, actionId: 0, phase: 'building index: scanning table', fraction: 0.25 });
    expect(actionTimeLeft(action(noEta, 0), T + 10_000)).toBe(30_000);
    expect(actionTimeLeft(action(running, 1), T + 10_000)).toBeUndefined();
  });
});

describe('summaryText', () => {
  it.each([
    [{ done: 4, failed: 1, skipped: 0, cancelled: 0, durationMs: 12_300, interrupted: false }, 'Applied 5 actions in 12.3s: 4 done, 1 failed.'],
    [{ done: 1, failed: 0, skipped: 0, cancelled: 0, durationMs: 420, interrupted: false }, 'Applied 1 action in 420ms: 1 done.'],
    [{ done: 0, failed: 2, skipped: 1, cancelled: 0, durationMs: 61_000, interrupted: false }, 'Applied 3 actions in 1m01s: 0 done, 2 failed, 1 skipped.'],
    [{ done: 2, failed: 0, skipped: 2, cancelled: 1, durationMs: 5_000, interrupted: true }, 'Interrupted after 5.0s: 2 done, 2 skipped, 1 cancelled.'],
  ])('%j', (summary, text) => {
    expect(summaryText(summary)).toBe(text);
  });
});

describe('stepPhase', () => {
  it('says what each kind of step does', () => {
    expect(stepPhase('build')).toBe('starting build');
    expect(stepPhase('build', { schema: 'public', name: 'events_2024' })).toBe('starting build on public.events_2024');
    expect(stepPhase('attach', { schema: 'public', name: 'events_2024' })).toBe('attaching public.events_2024');
    expect(stepPhase('swap')).toBe('swapping names');
    expect(stepPhase('drop-locking')).toBe('dropping (locks the table)');
  });
});
