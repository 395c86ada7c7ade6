/*
 * One step of an action on a worker: a build first waits for the replicas (replica-gate.ts) and is held
 * back if it would hold up others (stagger.ts); then run under the step's lock timeout, retried with
 * backoff when it lost a race for a lock, given up with who was in the way, and read back from the
 * catalog after a lost connection.
 */
import type { Step } from '../../core/actions.js';
import type { ErrorInfo } from '../../core/events.js';
import { backoffDelay, givingUp, isConnectionLoss, isRetryable } from '../../core/retry.js';
import { readLockHolders } from '../monitor.js';
import { awaitOrphanBuild, cleanUp, type Creation } from './cleanup.js';
import { emit, qualified, type Queued, type RunContext, type Worker } from './context.js';
import { errorInfo } from './errors.js';
import { readIndex } from './index-state.js';
import { readLeftovers } from './reindex-leftovers.js';
import { replicaLagGate } from './replica-gate.js';
import { isSafeBuildStep, stagger } from './stagger.js';
import { forget, lockTimeoutFor, runStatements, session, sleep } from './worker.js';

export type StepOutcome = { readonly kind: 'ok' } | { readonly kind: 'cancelled' } | { readonly kind: 'failed'; readonly error: ErrorInfo };

const CANCELLED: StepOutcome = { kind: 'cancelled' };

/**
 * Runs `step` of `item` until it succeeds, fails for good or the run is aborted. What the step sets out
 * to create is added to `creations` first, with what was under that name before, for cleanup.
 */
export async function runStep(run: RunContext, worker: Worker, item: Queued, step: Step, creations: Creation[]): Promise<StepOutcome> {
  let creation: Creation | undefined;
  if (step.creates) {
    const existing = await readIndex(await session(run, worker), step.creates);
    creation = { ref: step.creates, preexistingOid: existing?.oid };
    creations.push(creation);
  } else if (step.reindexes) {
    const s = await session(run, worker);
    const existing = await readIndex(s, step.reindexes);
    const preexisting = (await readLeftovers(s, step.reindexes)).map((leftover) => leftover.oid);
    creation = { ref: step.reindexes, preexistingOid: existing?.oid, reindex: { preexisting } };
    creations.push(creation);
  }
  for (let attempt = 0; ; attempt += 1) {
    if (run.aborted) return CANCELLED;
    try {
      return await attemptStep(run, worker, item, step, creation);
    } catch (error) {
      const outcome = await afterError(run, worker, item, step, creation, attempt, errorInfo(error));
      if (outcome) return outcome;
    }
  }
}

/** One attempt: the step's statements, watched by the monitor; a build must leave a valid index. */
async function attemptStep(run: RunContext, worker: Worker, item: Queued, step: Step, creation: Creation | undefined): Promise<StepOutcome> {
  const gate = await replicaLagGate(run, worker, item, step);
  if (gate.kind !== 'go') return gate;
  await stagger(run, worker, item, step);
  if (run.aborted) return CANCELLED;
  const s = await session(run, worker);
  run.monitor?.track(s.pid, { actionId: item.id, kind: step.kind, table: item.action.table, ...(step.partition ? { partition: step.partition } : {}) });
  if (step.kind === 'build') {
    run.buildProgress.delete(item.id);
    worker.build = {
      actionId: item.id,
      safe: isSafeBuildStep(run, step),
      sql: step.sql.join('; '),
      pid: s.pid,
      table: step.partition ?? item.action.table,
    };
  }
  try {
    await runStatements(run, worker, step);
  } finally {
    run.monitor?.untrack(s.pid);
    worker.build = undefined;
  }
  if (creation && (step.kind === 'build' || step.kind === 'reindex')) {
    const state = await readIndex(s, creation.ref);
    if (!state?.valid) return { kind: 'failed', error: { message: `${qualified(creation.ref)} is not valid after its ${step.kind} finished` } };
  }
  return { kind: 'ok' };
}

/** How an attempt that threw ends the step; undefined to try again (after the backoff delay). */
async function afterError(
  run: RunContext,
  worker: Worker,
  item: Queued,
  step: Step,
  creation: Creation | undefined,
  attempt: number,
  info: ErrorInfo,
): Promise<StepOutcome | undefined> {
  if (run.aborted) return CANCELLED;
  if (isConnectionLoss(info)) {
    await forget(run, worker);
    if (creation && step.kind === 'build') {
      // The backend may have finished the build after the socket died: read before deciding.
      const state = await awaitOrphanBuild(run, worker, creation).catch(() => undefined);
      if (state?.valid && state.oid !== creation.preexistingOid) return { kind: 'ok' };
    }
    return { kind: 'failed', error: { ...info, message: `connection lost: ${info.message}` } };
  }
  if (!isRetryable(info)) return { kind: 'failed', error: info };
  if (attempt >= run.settings.retries) return { kind: 'failed', error: await giveUp(run, worker, item, step, attempt, info) };
  if (creation && (step.kind === 'build' || step.kind === 'reindex')) {
    // A build that died half-way leaves an invalid index under the name the next attempt needs; a reindex, its `_ccnew`.
    await cleanUp(run, worker, [creation]);
  }
  const delayMs = backoffDelay(attempt + 1, run.backoff);
  emit(run, { type: 'retry', at: Date.now(), actionId: item.id, attempt: attempt + 1, retries: run.settings.retries, delayMs, error: info });
  await sleep(delayMs, worker);
  return undefined;
}

/** The error a step reports when its retries are spent: what it waited for, and who held it. */
async function giveUp(run: RunContext, worker: Worker, item: Queued, step: Step, attempt: number, info: ErrorInfo): Promise<ErrorInfo> {
  let blockers = run.lastWait.get(item.id)?.blockers ?? [];
  if (blockers.length === 0 && worker.session) {
    blockers = await readLockHolders(worker.session, item.action.table, [...run.ourPids]).catch(() => []);
  }
  const waitingFor = run.lastWait.get(item.id)?.what ?? `a lock on ${qualified(item.action.table)}`;
  return givingUp(info, { attempts: attempt + 1, lockTimeoutMs: lockTimeoutFor(step, run.settings), waitingFor, blockers });
}
