/*
 * executePlan: runs a plan's actions online and tells the world what happens through ApplyEvents. It
 * sets up the run (its context, the abort handler, the progress monitor), runs the table queues on a
 * pool of workers (queues.ts), and returns a status per action.
 *
 * It never throws halfway: every action ends with a status and exactly one of action-done,
 * action-failed or action-cancelled (skip actions end with neither: nothing runs for them).
 */
import type { Action } from '../../core/actions.js';
import type { PlannedAction } from '../../core/events.js';
import type { Settings } from '../../core/model.js';
import type { ConnectionTarget } from '../db.js';
import { startMonitor, type Monitor } from '../monitor.js';
import { startCitusMonitor } from '../citus/monitor.js';
import { createRunContext, emit, type ActionStatus, type ApplyResult, type ExecuteOptions, type RunContext } from './context.js';
import { cancelUnreached, runQueues, tableQueues } from './queues.js';
import { cancelRunning } from './worker.js';

function planned(id: number, action: Action): PlannedAction {
  const tableBytes = 'cost' in action ? action.cost.tableBytes : undefined;
  return {
    id,
    kind: action.kind,
    table: action.table,
    index: action.index,
    reason: action.reason,
    stepCount: action.steps.length,
    ...(tableBytes === undefined ? {} : { tableBytes }),
  };
}

/** The progress monitor, on a connection of its own; none when it cannot connect (the run goes on without). */
async function monitorFor(run: RunContext, actions: readonly Action[]): Promise<Monitor | undefined> {
  const { options } = run;
  const base = await startMonitor(run.target, {
    listener: (event) => emit(run, event),
    ...(options.pollIntervalMs === undefined ? {} : { intervalMs: options.pollIntervalMs }),
    applicationName: run.applicationName,
  }).catch(() => undefined);
  // On a Citus coordinator the builds of distributed tables run on the workers: watched there too.
  return startCitusMonitor(base, {
    target: run.target,
    actions,
    listener: (event) => emit(run, event),
    applicationName: run.applicationName,
    ...(run.settings.citus?.workerUrl === undefined ? {} : { workerUrl: run.settings.citus.workerUrl }),
    ...(options.pollIntervalMs === undefined ? {} : { intervalMs: options.pollIntervalMs }),
  }).catch(() => base);
}

function summarise(run: RunContext, startedAt: number): ApplyResult {
  const final = run.statuses.map((status) => status ?? 'cancelled');
  const count = (wanted: ActionStatus): number => final.filter((status) => status === wanted).length;
  const durationMs = Date.now() - startedAt;
  emit(run, {
    type: 'summary',
    at: Date.now(),
    done: count('done'),
    failed: count('failed'),
    skipped: count('skipped'),
    cancelled: count('cancelled'),
    durationMs,
    interrupted: run.interrupted,
  });
  return { statuses: final, failed: count('failed'), interrupted: run.interrupted, durationMs };
}

export async function executePlan(
  target: ConnectionTarget,
  actions: readonly Action[],
  settings: Settings,
  options: ExecuteOptions,
): Promise<ApplyResult> {
  const startedAt = Date.now();
  const run = createRunContext(target, actions, settings, options);
  emit(run, { type: 'planned', at: Date.now(), actions: actions.map((action, id) => planned(id, action)), concurrency: settings.concurrency });
  const queues = tableQueues(actions);

  const onAbort = (): void => {
    run.aborted = true;
    run.interrupted = true;
    for (const worker of run.workers) {
      cancelRunning(worker);
      worker.wake?.();
    }
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.monitor !== false && queues.length > 0 && !run.aborted) run.monitor = await monitorFor(run, actions);

  const unreached = await runQueues(run, queues, Math.max(1, Math.min(settings.concurrency, queues.length)));
  await run.monitor?.stop();
  options.signal?.removeEventListener('abort', onAbort);
  cancelUnreached(run, unreached);
  return summarise(run, startedAt);
}
