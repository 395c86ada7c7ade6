/*
 * Measures derived from the apply view for display: elapsed time and time left per action, and the
 * run's overall progress.
 */
import type { ActionState, ActionView, ApplyView } from './apply-state.js';

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Time since the action started: up to now while it runs, its duration once finished. */
export function actionElapsed(a: ActionView, now: number): number | undefined {
  if (a.durationMs !== undefined) return a.durationMs;
  if (a.startedAt === undefined) return undefined;
  return Math.max(0, (a.finishedAt ?? now) - a.startedAt);
}

/**
 * Time left for a running action: the executor's estimate counted down since it was made, else a
 * straight-line guess from the fraction so far (only once there is enough of it to mean something).
 */
export function actionTimeLeft(a: ActionView, now: number): number | undefined {
  if (a.state !== 'running') return undefined;
  if (a.etaMs !== undefined && a.progressAt !== undefined) return Math.max(0, a.etaMs - Math.max(0, now - a.progressAt));
  const elapsed = actionElapsed(a, now);
  if (a.fraction === undefined || a.fraction < 0.05 || a.fraction >= 1 || elapsed === undefined) return undefined;
  return (elapsed * (1 - a.fraction)) / a.fraction;
}

export interface OverallProgress {
  readonly total: number;
  readonly finished: number;
  readonly running: number;
  readonly pending: number;
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  readonly cancelled: number;
  /** Finished actions plus the fractions of running ones, over all actions. */
  readonly fraction: number;
  readonly elapsedMs: number;
}

export function overallProgress(view: ApplyView, now: number): OverallProgress {
  const counts: Record<ActionState, number> = { pending: 0, running: 0, done: 0, failed: 0, skipped: 0, cancelled: 0 };
  let partial = 0;
  for (const a of view.actions) {
    counts[a.state] += 1;
    if (a.state === 'running') partial += a.fraction ?? 0;
  }
  const total = view.actions.length;
  const finished = counts.done + counts.failed + counts.skipped + counts.cancelled;
  const elapsedMs =
    view.summary !== undefined ? view.summary.durationMs : view.startedAt === undefined ? 0 : Math.max(0, now - view.startedAt);
  return {
    total,
    finished,
    running: counts.running,
    pending: counts.pending,
    done: counts.done,
    failed: counts.failed,
    skipped: counts.skipped,
    cancelled: counts.cancelled,
    fraction: total === 0 ? 1 : clamp01((finished + partial) / total),
    elapsedMs,
  };
}
