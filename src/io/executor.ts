/*
 * The executor's public face: runs a plan's actions online, reporting through ApplyEvents. Its parts
 * live in executor/: run.ts (executePlan), queues.ts (one queue per table on a pool of workers),
 * action.ts and step.ts (an action's steps, with retries and backoff), worker.ts (a worker's
 * connection), cleanup.ts (what a failed build left), stagger.ts (holding back builds that would
 * hold up others, decided in core/stagger.ts), errors.ts (a failure as an event reports it) and
 * context.ts (what one run shares).
 */
export { executePlan } from './executor/run.js';
export { type ActionStatus, type ApplyResult, type ExecuteOptions } from './executor/context.js';
export { errorInfo } from './executor/errors.js';
export { tableQueues, type TableQueue } from './executor/queues.js';
export { lockTimeoutFor, settingsSql } from './executor/worker.js';
