/*
 * What the executor tells the world while it applies a plan. Renderers (Ink, plain lines, NDJSON)
 * consume these; the executor knows nothing about terminals. Times are epoch milliseconds.
 */
import type { ActionKind, StepKind, TableRef } from './actions.js';

/** An action as the renderers know it: its position in the plan is its id. */
export interface PlannedAction {
  readonly id: number;
  readonly kind: ActionKind;
  readonly table: TableRef;
  readonly index: string;
  readonly reason: string;
  readonly stepCount: number;
  /** Table size, for ordering and time estimates. */
  readonly tableBytes?: number;
}

export interface Blocker {
  readonly pid: number;
  readonly applicationName?: string;
  readonly state?: string;
  readonly query?: string;
  /** Seconds the blocker's transaction has been open. */
  readonly transactionSeconds?: number;
}

export interface ErrorInfo {
  readonly message: string;
  readonly code?: string;
  readonly detail?: string;
  readonly hint?: string;
}

/** Citus: one worker's part of a distributed build. */
export interface WorkerProgress {
  /** `host:port`. */
  readonly node: string;
  /** Shard indexes built and valid on this worker, of its placements. */
  readonly built: number;
  readonly total: number;
  /** The phase of its least advanced shard build running now, in PostgreSQL's words. */
  readonly phase?: string;
}

/** Citus: a distributed build's shards built of total, and each worker's part. */
export interface ShardProgress {
  readonly built: number;
  readonly total: number;
  /** Empty when the workers cannot be reached: the count then comes from the coordinator. */
  readonly workers: readonly WorkerProgress[];
}

export type ApplyEvent =
  | { readonly type: 'planned'; readonly at: number; readonly actions: readonly PlannedAction[]; readonly concurrency: number }
  | { readonly type: 'action-started'; readonly at: number; readonly actionId: number; readonly pid: number }
  | {
      readonly type: 'step-started';
      readonly at: number;
      readonly actionId: number;
      readonly step: number;
      readonly kind: StepKind;
      readonly sql: string;
      readonly partition?: TableRef;
    }
  | {
      readonly type: 'progress';
      readonly at: number;
      readonly actionId: number;
      /** The build phase in PostgreSQL's words, e.g. `building index: scanning table`. */
      readonly phase: string;
      /** 0..1 over the whole build, when it can be estimated. */
      readonly fraction?: number;
      readonly blocksDone?: number;
      readonly blocksTotal?: number;
      readonly tuplesDone?: number;
      readonly tuplesTotal?: number;
      readonly etaMs?: number;
      readonly partition?: TableRef;
      /** Citus: a distributed build's shards and workers. */
      readonly shards?: ShardProgress;
    }
  | /** Something said once, e.g. that Citus workers cannot be reached for progress. */ { readonly type: 'notice'; readonly at: number; readonly message: string }
  | {
      readonly type: 'waiting';
      readonly at: number;
      readonly actionId: number;
      readonly what: string;
      readonly blockers: readonly Blocker[];
      /** A build held back by settings.maxReplicaLag: the limit and the replicas over it. */
      readonly replicaLag?: { readonly maxLagBytes: number; readonly replicas: readonly { readonly name: string; readonly lagBytes: number }[] };
    }
  | {
      readonly type: 'retry';
      readonly at: number;
      readonly actionId: number;
      readonly attempt: number;
      readonly retries: number;
      readonly delayMs: number;
      readonly error: ErrorInfo;
    }
  | { readonly type: 'action-done'; readonly at: number; readonly actionId: number; readonly durationMs: number }
  | {
      readonly type: 'action-failed';
      readonly at: number;
      readonly actionId: number;
      readonly durationMs: number;
      readonly error: ErrorInfo;
      /** Indexes the failure left behind that were dropped again. */
      readonly cleanedUp: readonly string[];
      /** Indexes the failure left behind that could not be dropped (the next plan drops them). */
      readonly leftBehind: readonly string[];
    }
  | { readonly type: 'action-cancelled'; readonly at: number; readonly actionId: number; readonly cleanedUp: readonly string[]; readonly leftBehind: readonly string[] }
  | { readonly type: 'interrupt'; readonly at: number; readonly signal: string }
  | { readonly type: 'verified'; readonly at: number; readonly inSync: boolean; readonly differences: readonly string[] }
  | {
      readonly type: 'summary';
      readonly at: number;
      readonly done: number;
      readonly failed: number;
      readonly skipped: number;
      readonly cancelled: number;
      readonly durationMs: number;
      readonly interrupted: boolean;
    };

export type ApplyEventType = ApplyEvent['type'];

export type ApplyListener = (event: ApplyEvent) => void;
