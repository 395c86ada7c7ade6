/*
 * One queue per table, on a pool of workers. A table's actions run in plan order on one worker (two
 * concurrent builds on one table deadlock); the workers take the heaviest tables first. A failed action
 * fails only itself: the table's later actions still run, except one that needs what the failed one was
 * to do (core/dependencies.ts), which is reported as not run.
 */
import { assertNever, type Action, type TableRef } from '../../core/actions.js';
import { dependencies } from '../../core/dependencies.js';
import { describeAction } from '../../core/plan.js';
import { runAction, type TableProgress } from './action.js';
import { emit, emitCancelled, qualified, type Queued, type RunContext, type Worker } from './context.js';
import { readIndex, type IndexState } from './index-state.js';
import { retire, session } from './worker.js';

export interface TableQueue {
  readonly table: TableRef;
  readonly items: Queued[];
  readonly bytes: number;
}

function costOf(action: Action): number {
  switch (action.kind) {
    case 'create':
    case 'replace':
    case 'rebuild':
      return action.cost.tableBytes;
    case 'reindex':
      return action.bloat.sizeBytes;
    case 'rename':
    case 'drop':
    case 'comment':
    case 'skip':
      return 0;
    default:
      return assertNever(action, 'action');
  }
}

/** One queue per table in plan order, heaviest table first (ties keep plan order). */
export function tableQueues(actions: readonly Action[]): TableQueue[] {
  const queues = new Map<string, { table: TableRef; items: Queued[]; bytes: number; first: number }>();
  actions.forEach((action, id) => {
    if (action.kind === 'skip') return;
    const key = JSON.stringify([action.table.schema, action.table.name]);
    let queue = queues.get(key);
    if (!queue) {
      queue = { table: action.table, items: [], bytes: 0, first: id };
      queues.set(key, queue);
    }
    queue.items.push({ id, action });
    queue.bytes = Math.max(queue.bytes, costOf(action));
  });
  return [...queues.values()]
    .sort((a, b) => b.bytes - a.bytes || a.first - b.first)
    .map(({ table, items, bytes }) => ({ table, items, bytes }));
}

/**
 * Why `item` cannot run after the table's earlier actions that did not finish (failed, or not run
 * themselves), or undefined when it can. The catalog has the last word: a need the failed action met
 * after all (a drop that finished on the server though its connection died) holds nothing back.
 */
async function heldBack(run: RunContext, worker: Worker, item: Queued, unfinished: readonly Queued[]): Promise<string | undefined> {
  for (const earlier of unfinished) {
    for (const dependency of dependencies(item.action, earlier.action)) {
      let state: IndexState | undefined;
      try {
        state = await readIndex(await session(run, worker), dependency.index);
      } catch {
        // Unsure: let the action run and succeed or fail on its own.
        return undefined;
      }
      const name = qualified(dependency.index);
      const cause = `${describeAction(earlier.action)} on ${qualified(earlier.action.table)} failed before it`;
      if (dependency.need === 'free' && state) return `not run: ${name} still exists, and it needs that name: ${cause}`;
      if (dependency.need === 'exists' && !state) return `not run: ${name} does not exist, and it needs that index: ${cause}`;
    }
  }
  return undefined;
}

async function runQueue(run: RunContext, worker: Worker, queue: TableQueue): Promise<void> {
  const table: TableProgress = { built: false };
  // A failed action fails only itself; these are what later actions of the table may have needed.
  const unfinished: Queued[] = [];
  for (const item of queue.items) {
    if (run.aborted) {
      run.statuses[item.id] = 'cancelled';
      emitCancelled(run, item.id);
      continue;
    }
    const reason = unfinished.length === 0 ? undefined : await heldBack(run, worker, item, unfinished);
    if (reason !== undefined) {
      run.statuses[item.id] = 'failed';
      unfinished.push(item);
      emit(run, { type: 'action-failed', at: Date.now(), actionId: item.id, durationMs: 0, error: { message: reason }, cleanedUp: [], leftBehind: [] });
      continue;
    }
    const status = await runAction(run, worker, item, table);
    run.statuses[item.id] = status;
    if (status === 'failed') unfinished.push(item);
  }
}

/**
 * Runs the queues on `poolSize` workers (added to the run's), each taking the next queue until none is
 * left or the run is aborted. Returns the queues no worker reached.
 */
export async function runQueues(run: RunContext, queues: readonly TableQueue[], poolSize: number): Promise<readonly TableQueue[]> {
  let next = 0;
  const work = async (worker: Worker): Promise<void> => {
    try {
      while (!run.aborted && next < queues.length) {
        const queue = queues[next]!;
        next += 1;
        await runQueue(run, worker, queue);
      }
    } finally {
      await retire(worker);
    }
  };
  const pool: Worker[] = [];
  for (let i = 0; i < poolSize; i += 1) pool.push({});
  run.workers.push(...pool);
  await Promise.all(pool.map((worker) => work(worker)));
  return queues.slice(next);
}

/** Reports the actions of queues no worker reached (the run was interrupted first) as cancelled. */
export function cancelUnreached(run: RunContext, queues: readonly TableQueue[]): void {
  for (const queue of queues) {
    for (const item of queue.items) {
      run.statuses[item.id] = 'cancelled';
      emitCancelled(run, item.id);
    }
  }
}
