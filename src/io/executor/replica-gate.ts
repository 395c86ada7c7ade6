/*
 * The replica-lag gate before a build (settings.maxReplicaLag): reads the replicas' lag on the worker's
 * connection, says what the build waits for, and gives up after settings.maxReplicaLagWait.
 * core/replica-lag.ts decides; an abort (Ctrl-C) cuts the wait short.
 */
import { assertNever, type Step } from '../../core/actions.js';
import type { ErrorInfo } from '../../core/events.js';
import { DEFAULT_REPLICA_LAG_WAIT_MS, formatLag, lagDecision, lagNewsworthy } from '../../core/replica-lag.js';
import { readReplicaLag } from '../replica-lag.js';
import { emit, type Queued, type RunContext, type Worker } from './context.js';
import { errorInfo } from './errors.js';
import { session, sleep } from './worker.js';

const DEFAULT_POLL_MS = 1_000;
/** A wait line with fresh numbers this often, while the same replicas stay behind. */
const HEARTBEAT_MS = 30_000;

export type GateOutcome = { readonly kind: 'go' } | { readonly kind: 'cancelled' } | { readonly kind: 'failed'; readonly error: ErrorInfo };

function waitedText(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const minutes = ms / 60_000;
  return Number.isInteger(minutes) ? `${minutes}min` : `${Math.round(ms / 1000)}s`;
}

/** Waits until every streaming replica is within the limit; build and reindex steps only, and only with the gate on. */
export async function replicaLagGate(run: RunContext, worker: Worker, item: Queued, step: Step): Promise<GateOutcome> {
  const limits = { maxLagBytes: run.settings.maxReplicaLagBytes ?? 0, maxWaitMs: run.settings.maxReplicaLagWaitMs ?? DEFAULT_REPLICA_LAG_WAIT_MS };
  // A REINDEX CONCURRENTLY writes a whole index to the WAL too.
  if ((step.kind !== 'build' && step.kind !== 'reindex') || limits.maxLagBytes <= 0) return { kind: 'go' };
  const since = Date.now();
  let said: { names: string; at: number } | undefined;
  for (;;) {
    if (run.aborted) return { kind: 'cancelled' };
    let decision;
    try {
      decision = lagDecision(await readReplicaLag(await session(run, worker)), limits, since, Date.now());
    } catch (error) {
      return { kind: 'failed', error: errorInfo(error) };
    }
    switch (decision.kind) {
      case 'go':
        return decision;
      case 'give-up':
        return {
          kind: 'failed',
          error: {
            message: `gave up after ${waitedText(limits.maxWaitMs)} waiting for ${decision.text}`,
            hint: `The build did not start. Find out why the replica is behind, or raise settings.maxReplicaLagWait (now ${waitedText(limits.maxWaitMs)}) or settings.maxReplicaLag (now ${formatLag(limits.maxLagBytes)}).`,
          },
        };
      case 'wait': {
        const now = Date.now();
        if (lagNewsworthy(said, decision.behind, now, HEARTBEAT_MS)) {
          said = { names: decision.behind.map((r) => r.name).join('\n'), at: now };
          emit(run, {
            type: 'waiting',
            at: now,
            actionId: item.id,
            what: decision.text,
            blockers: [],
            replicaLag: { maxLagBytes: limits.maxLagBytes, replicas: decision.behind },
          });
        }
        await sleep(run.options.replicaLagPollMs ?? DEFAULT_POLL_MS, worker);
        break;
      }
      default:
        return assertNever(decision, 'replica lag decision');
    }
  }
}
