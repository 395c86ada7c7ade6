/*
 * What every part of one run shares: the options it was started with, the statuses so far, what the
 * monitor last said about each action, the workers, and whether the run was interrupted. One object,
 * made by run.ts and handed to the queues, workers, steps and cleanup, instead of loose variables.
 */
import type { Action, TableRef } from '../../core/actions.js';
import type { ApplyEvent, ApplyListener, Blocker } from '../../core/events.js';
import type { Settings } from '../../core/model.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../../core/retry.js';
import { APPLICATION_NAME, type ConnectionTarget, type Session } from '../db.js';
import type { Monitor } from '../monitor.js';

export type ActionStatus = 'done' | 'failed' | 'skipped' | 'cancelled';

export interface ApplyResult {
  /** One per action, in plan order. */
  readonly statuses: readonly ActionStatus[];
  readonly failed: number;
  /** The signal was aborted: what had not finished was cancelled. */
  readonly interrupted: boolean;
  readonly durationMs: number;
}

export interface ExecuteOptions {
  readonly listener: ApplyListener;
  /** Aborted on Ctrl-C / SIGTERM: nothing new starts, running statements are cancelled and cleaned up. */
  readonly signal?: AbortSignal;
  /** Poll progress and lock waits on a connection of its own; default true. */
  readonly monitor?: boolean;
  /** Default 500 ms. */
  readonly pollIntervalMs?: number;
  /**
   * The search_path the plan resolved the manifest's names through (pg_catalog first): builds run the
   * statements the canonicaliser built, under the same path, so they build what was compared.
   */
  readonly searchPath?: readonly string[];
  /** Retry delays; default 1 s doubling up to 30 s. */
  readonly backoff?: Partial<BackoffOptions>;
  /** lock_timeout of the drops that clean up after a failure; default lockTimeoutMs, or 5 s when that is 0. */
  readonly cleanupLockTimeoutMs?: number;
  /** Default `reconcile`. */
  readonly applicationName?: string;
  /**
   * Hold an expression or partial build (which every other build finishing while it runs must wait for)
   * until the builds running on other workers have reached their final wait, or are such builds that
   * started about together with it; default true. Needs the monitor (it reads their phases).
   */
  readonly staggerBuilds?: boolean;
  /** Longest an expression or partial build is held back for others; default 60 s. */
  readonly staggerMaxMs?: number;
  /** How often a build held back by settings.maxReplicaLag reads the replicas again; default 1 s. */
  readonly replicaLagPollMs?: number;
}

/** An action of the plan; its position in the plan is its id. */
export interface Queued {
  readonly id: number;
  readonly action: Action;
}

/** The build statement a worker is running, for staggering. */
export interface RunningBuildStatement {
  readonly actionId: number;
  /** Other builds do not wait for it. */
  readonly safe: boolean;
  readonly sql: string;
  readonly pid: number;
  readonly table: TableRef;
}

export interface Worker {
  session?: Session;
  build?: RunningBuildStatement;
  /** The step statement running now (cancelled on abort); cleanup statements are never set here. */
  running?: { readonly session: Session };
  /** Wakes a worker sleeping before a retry. */
  wake?: () => void;
}

export interface RunContext {
  readonly target: ConnectionTarget;
  readonly settings: Settings;
  readonly options: ExecuteOptions;
  readonly applicationName: string;
  readonly backoff: BackoffOptions;
  readonly cleanupLockTimeoutMs: number;
  /** Per action in plan order; undefined until it ends (skip actions are `skipped` from the start). */
  readonly statuses: (ActionStatus | undefined)[];
  /** The latest lock wait of each action, from the monitor: what a give-up message names. */
  readonly lastWait: Map<number, { readonly what: string; readonly blockers: readonly Blocker[] }>;
  /** Latest phase and fraction of each running build, from the monitor. */
  readonly buildProgress: Map<number, { readonly phase: string; readonly fraction?: number }>;
  readonly workers: Worker[];
  /** Backends of this run, never reported as blocking it. */
  readonly ourPids: Set<number>;
  monitor: Monitor | undefined;
  /** Read once, by the first build that may need staggering. */
  serverVersionNum: number | undefined;
  /** Nothing new starts. */
  aborted: boolean;
  /** The signal was aborted at some point. */
  interrupted: boolean;
}

const CLEANUP_FALLBACK_LOCK_TIMEOUT_MS = 5_000;

export function createRunContext(target: ConnectionTarget, actions: readonly Action[], settings: Settings, options: ExecuteOptions): RunContext {
  const aborted = options.signal?.aborted ?? false;
  return {
    target,
    settings,
    options,
    applicationName: options.applicationName ?? APPLICATION_NAME,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    cleanupLockTimeoutMs:
      options.cleanupLockTimeoutMs ?? (settings.lockTimeoutMs > 0 ? settings.lockTimeoutMs : CLEANUP_FALLBACK_LOCK_TIMEOUT_MS),
    statuses: actions.map((action) => (action.kind === 'skip' ? 'skipped' : undefined)),
    lastWait: new Map(),
    buildProgress: new Map(),
    workers: [],
    ourPids: new Set(),
    monitor: undefined,
    serverVersionNum: undefined,
    aborted,
    interrupted: aborted,
  };
}

/** Passes an event to the listener, keeping what the run itself needs to know of it. */
export function emit(run: RunContext, event: ApplyEvent): void {
  if (event.type === 'waiting') run.lastWait.set(event.actionId, { what: event.what, blockers: event.blockers });
  if (event.type === 'progress') {
    run.buildProgress.set(event.actionId, { phase: event.phase, ...(event.fraction === undefined ? {} : { fraction: event.fraction }) });
  }
  try {
    run.options.listener(event);
  } catch {
    // A renderer's bug must not stop an apply halfway.
  }
}

/** An action cancelled before it started: nothing ran, so nothing was left to clean up. */
export function emitCancelled(run: RunContext, actionId: number): void {
  emit(run, { type: 'action-cancelled', at: Date.now(), actionId, cleanedUp: [], leftBehind: [] });
}

export { qualifiedName as qualified } from '../../core/text.js';
