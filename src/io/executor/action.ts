/*
 * One action on a worker: its steps in order, each announced; at the first step that fails or is
 * cancelled, what the action created is cleaned up and the action ends with exactly one of
 * action-done, action-failed or action-cancelled.
 */
import type { Step } from '../../core/actions.js';
import { cleanUp, parkedOld, type Creation } from './cleanup.js';
import { emit, type ActionStatus, type Queued, type RunContext, type Worker } from './context.js';
import { errorInfo } from './errors.js';
import { runStep, type StepOutcome } from './step.js';
import { session } from './worker.js';

/** What a table's queue knows about its own run so far. */
export interface TableProgress {
  /** A build step of one of its actions finished. */
  built: boolean;
}

function announceStep(run: RunContext, item: Queued, index: number, step: Step): void {
  emit(run, {
    type: 'step-started',
    at: Date.now(),
    actionId: item.id,
    step: index,
    kind: step.kind,
    sql: step.sql.join(';\n'),
    ...(step.partition ? { partition: step.partition } : {}),
  });
}

/**
 * The table's ANALYZE runs once, with its last expression build (plan.ts): when that action fails
 * before it, an index an earlier action of the table built would go without statistics.
 */
async function analyzeAfterFailure(run: RunContext, worker: Worker, item: Queued, failedAt: number, table: TableProgress): Promise<void> {
  if (!table.built || run.aborted) return;
  const steps = item.action.steps;
  const index = steps.findIndex((step, i) => i > failedAt && step.kind === 'analyze');
  const step = steps[index];
  if (!step) return;
  emit(run, { type: 'step-started', at: Date.now(), actionId: item.id, step: index, kind: step.kind, sql: step.sql.join(';\n') });
  // Best effort: the action already failed, and what it reports is why.
  await runStep(run, worker, item, step, []).catch(() => undefined);
}

export async function runAction(run: RunContext, worker: Worker, item: Queued, table: TableProgress): Promise<ActionStatus> {
  const started = Date.now();
  let pid: number;
  try {
    pid = (await session(run, worker)).pid;
  } catch (error) {
    emit(run, { type: 'action-failed', at: Date.now(), actionId: item.id, durationMs: 0, error: errorInfo(error), cleanedUp: [], leftBehind: [] });
    return 'failed';
  }
  emit(run, { type: 'action-started', at: started, actionId: item.id, pid });
  const creations: Creation[] = [];
  const steps = item.action.steps;
  for (let index = 0; index < steps.length; index += 1) {
    const step = steps[index]!;
    let outcome: StepOutcome;
    if (run.aborted) {
      outcome = { kind: 'cancelled' };
    } else {
      announceStep(run, item, index, step);
      outcome = await runStep(run, worker, item, step, creations).catch((error: unknown) => ({ kind: 'failed' as const, error: errorInfo(error) }));
    }
    if (outcome.kind === 'ok') {
      if (step.kind === 'build') table.built = true;
      continue;
    }
    const { cleanedUp, leftBehind } = await cleanUp(run, worker, creations);
    leftBehind.push(...(await parkedOld(run, worker, item.action)));
    if (outcome.kind === 'cancelled') {
      emit(run, { type: 'action-cancelled', at: Date.now(), actionId: item.id, cleanedUp, leftBehind });
      return 'cancelled';
    }
    await analyzeAfterFailure(run, worker, item, index, table);
    emit(run, { type: 'action-failed', at: Date.now(), actionId: item.id, durationMs: Date.now() - started, error: outcome.error, cleanedUp, leftBehind });
    return 'failed';
  }
  emit(run, { type: 'action-done', at: Date.now(), actionId: item.id, durationMs: Date.now() - started });
  return 'done';
}
