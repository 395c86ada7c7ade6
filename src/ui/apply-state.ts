/*
 * What the apply screen knows, folded from the executor's events: one pure reducer, no clock, no I/O.
 * The Ink renderer draws this view model (measures in apply-measures.ts, shared wording in apply-words.ts).
 */
import type { StepKind, TableRef } from '../core/actions.js';
import type { ApplyEvent, Blocker, ErrorInfo, PlannedAction, ShardProgress } from '../core/events.js';
import { clamp01 } from './apply-measures.js';
import { stepPhase } from './apply-words.js';

export type ActionState = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';
export type PartitionState = 'running' | 'done' | 'failed' | 'cancelled';

/** One partition of a partitioned build: its concurrent build, then its ATTACH. */
export interface PartitionView {
  readonly partition: TableRef;
  readonly state: PartitionState;
  /** The last step that ran on this partition (`build` or `attach`). */
  readonly step: StepKind;
  readonly phase: string;
  readonly fraction?: number;
}

export interface WaitView {
  readonly what: string;
  readonly blockers: readonly Blocker[];
  readonly since: number;
}

export interface RetryView {
  readonly attempt: number;
  readonly retries: number;
  readonly delayMs: number;
  readonly error: ErrorInfo;
  readonly at: number;
}

export interface ActionView {
  readonly action: PlannedAction;
  readonly state: ActionState;
  /** The backend running the action. */
  readonly pid?: number;
  /** The step running now (as the executor numbers it) and its kind. */
  readonly step?: number;
  readonly stepKind?: StepKind;
  readonly stepStartedAt?: number;
  /** The build phase in PostgreSQL's words, or what the current step does. */
  readonly phase?: string;
  /** 0..1 over the whole action, when it can be estimated. */
  readonly fraction?: number;
  /** The executor's estimate of time left, as of `progressAt`. */
  readonly etaMs?: number;
  readonly progressAt?: number;
  readonly waiting?: WaitView;
  readonly retry?: RetryView;
  /** How many retries the action needed so far. */
  readonly retryCount: number;
  readonly partitions: readonly PartitionView[];
  /** Citus: a distributed build's shards built of total and each worker's phase. */
  readonly shards?: ShardProgress;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly durationMs?: number;
  readonly error?: ErrorInfo;
  readonly cleanedUp: readonly string[];
  readonly leftBehind: readonly string[];
}

export type SummaryEvent = Extract<ApplyEvent, { type: 'summary' }>;

export interface ApplyView {
  readonly startedAt?: number;
  readonly concurrency: number;
  readonly actions: readonly ActionView[];
  /** Ids of finished actions in the order they finished: the screen's append-only part. */
  readonly finished: readonly number[];
  readonly interrupt?: { readonly signal: string; readonly at: number };
  readonly verified?: { readonly inSync: boolean; readonly differences: readonly string[]; readonly at: number };
  readonly summary?: SummaryEvent;
  /** Things said once (e.g. Citus workers that cannot be reached). */
  readonly notices?: readonly string[];
}

export const INITIAL_APPLY_VIEW: ApplyView = { concurrency: 1, actions: [], finished: [] };

const FINAL_STATES: ReadonlySet<ActionState> = new Set(['done', 'failed', 'skipped', 'cancelled']);

export function isFinished(state: ActionState): boolean {
  return FINAL_STATES.has(state);
}

function sameTable(a: TableRef, b: TableRef): boolean {
  return a.schema === b.schema && a.name === b.name;
}

function newActionView(action: PlannedAction): ActionView {
  const base: ActionView = { action, state: 'pending', retryCount: 0, partitions: [], cleanedUp: [], leftBehind: [] };
  // A skip action has no steps: another session is building that index, the executor never runs it.
  return action.kind === 'skip' ? { ...base, state: 'skipped', phase: action.reason } : base;
}

function settlePartitions(partitions: readonly PartitionView[], state: PartitionState): readonly PartitionView[] {
  return partitions.some((p) => p.state === 'running') ? partitions.map((p) => (p.state === 'running' ? { ...p, state } : p)) : partitions;
}

function upsertPartition(partitions: readonly PartitionView[], partition: TableRef, change: (old: PartitionView | undefined) => PartitionView): readonly PartitionView[] {
  const index = partitions.findIndex((p) => sameTable(p.partition, partition));
  if (index < 0) return [...partitions, change(undefined)];
  return partitions.map((p, i) => (i === index ? change(p) : p));
}

/** The view after one more event. Unknown action ids are ignored: the screen must never crash the run. */
export function reduceApply(view: ApplyView, event: ApplyEvent): ApplyView {
  switch (event.type) {
    case 'planned': {
      const actions = event.actions.map(newActionView);
      return {
        ...view,
        startedAt: event.at,
        concurrency: event.concurrency,
        actions,
        finished: actions.filter((a) => a.state === 'skipped').map((a) => a.action.id),
      };
    }
    case 'action-started':
      return updateAction(view, event.actionId, (a) => ({ ...a, state: 'running', pid: event.pid, startedAt: event.at }));
    case 'step-started':
      return updateAction(view, event.actionId, (a) => {
        const settled = settlePartitions(a.partitions, 'done');
        const partitioned = event.partition !== undefined || a.partitions.length > 0;
        const partition = event.partition;
        return {
          ...a,
          state: 'running',
          startedAt: a.startedAt ?? event.at,
          step: event.step,
          stepKind: event.kind,
          stepStartedAt: event.at,
          phase: stepPhase(event.kind, event.partition),
          // A partitioned action moves step by step; a plain one keeps its build's fraction through swap and drop.
          fraction: partitioned ? stepFraction(event.step, 0, a.action.stepCount) : event.kind === 'build' ? undefined : a.fraction,
          etaMs: undefined,
          progressAt: undefined,
          waiting: undefined,
          retry: undefined,
          partitions:
            partition === undefined
              ? settled
              : upsertPartition(settled, partition, () => ({ partition, state: 'running', step: event.kind, phase: stepPhase(event.kind) })),
        };
      });
    case 'progress':
      return updateAction(view, event.actionId, (a) => {
        const partition = event.partition;
        const fraction = event.fraction === undefined ? undefined : clamp01(event.fraction);
        return {
          ...a,
          ...(event.shards === undefined ? {} : { shards: event.shards }),
          phase: event.phase,
          fraction:
            partition === undefined
              ? (fraction ?? a.fraction)
              : a.step === undefined
                ? a.fraction
                : stepFraction(a.step, fraction ?? 0, a.action.stepCount),
          etaMs: partition === undefined ? event.etaMs : undefined,
          progressAt: event.at,
          // A build past its "waiting for …" phases is no longer blocked.
          waiting: /^waiting/i.test(event.phase) ? a.waiting : undefined,
          retry: undefined,
          partitions:
            partition === undefined
              ? a.partitions
              : upsertPartition(a.partitions, partition, (old) => ({
                  partition,
                  state: 'running',
                  step: old?.step ?? 'build',
                  phase: event.phase,
                  ...(fraction === undefined ? (old?.fraction === undefined ? {} : { fraction: old.fraction }) : { fraction }),
                })),
        };
      });
    case 'waiting':
      return updateAction(view, event.actionId, (a) => ({
        ...a,
        waiting: { what: event.what, blockers: event.blockers, since: a.waiting?.what === event.what ? a.waiting.since : event.at },
      }));
    case 'retry':
      return updateAction(view, event.actionId, (a) => ({
        ...a,
        retry: { attempt: event.attempt, retries: event.retries, delayMs: event.delayMs, error: event.error, at: event.at },
        retryCount: Math.max(a.retryCount, event.attempt),
        waiting: undefined,
      }));
    case 'action-done':
      return finishAction(view, event.actionId, (a) => ({
        ...a,
        state: 'done',
        fraction: 1,
        finishedAt: event.at,
        durationMs: event.durationMs,
        partitions: settlePartitions(a.partitions, 'done'),
      }));
    case 'action-failed':
      return finishAction(view, event.actionId, (a) => ({
        ...a,
        state: 'failed',
        finishedAt: event.at,
        durationMs: event.durationMs,
        error: event.error,
        cleanedUp: event.cleanedUp,
        leftBehind: event.leftBehind,
        partitions: settlePartitions(a.partitions, 'failed'),
      }));
    case 'action-cancelled':
      return finishAction(view, event.actionId, (a) => ({
        ...a,
        state: 'cancelled',
        finishedAt: event.at,
        durationMs: a.startedAt === undefined ? undefined : event.at - a.startedAt,
        cleanedUp: event.cleanedUp,
        leftBehind: event.leftBehind,
        partitions: settlePartitions(a.partitions, 'cancelled'),
      }));
    case 'interrupt':
      return { ...view, interrupt: { signal: event.signal, at: event.at } };
    case 'notice':
      return { ...view, notices: [...(view.notices ?? []), event.message] };
    case 'verified':
      return { ...view, verified: { inSync: event.inSync, differences: event.differences, at: event.at } };
    case 'summary': {
      // Whatever never started will not start now; whatever still runs without a verdict was cut short.
      let next: ApplyView = view;
      for (const a of view.actions) {
        if (a.state === 'pending') next = finishAction(next, a.action.id, (x) => ({ ...x, state: 'skipped', phase: 'not started' }));
        else if (a.state === 'running') next = finishAction(next, a.action.id, (x) => ({ ...x, state: 'cancelled', finishedAt: event.at }));
      }
      return { ...next, summary: event };
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export function reduceAll(events: readonly ApplyEvent[], from: ApplyView = INITIAL_APPLY_VIEW): ApplyView {
  return events.reduce(reduceApply, from);
}

function stepFraction(step: number, fraction: number, stepCount: number): number {
  return stepCount > 0 ? clamp01((step + fraction) / stepCount) : fraction;
}

function updateAction(view: ApplyView, id: number, change: (a: ActionView) => ActionView): ApplyView {
  const index = view.actions.findIndex((a) => a.action.id === id);
  const current = view.actions[index];
  // Late events for a finished action (a last progress poll) must not bring it back to life.
  if (current === undefined || isFinished(current.state)) return view;
  return { ...view, actions: view.actions.map((a, i) => (i === index ? change(a) : a)) };
}

function finishAction(view: ApplyView, id: number, change: (a: ActionView) => ActionView): ApplyView {
  const next = updateAction(view, id, (a) => ({ ...change(a), waiting: undefined, retry: undefined, etaMs: undefined }));
  return next === view ? view : { ...next, finished: [...next.finished, id] };
}

export function findAction(view: ApplyView, id: number): ActionView | undefined {
  return view.actions.find((a) => a.action.id === id);
}
