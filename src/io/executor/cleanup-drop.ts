/*
 * The one way cleanup drops an index: under the cleanup lock timeout and no statement timeout, once
 * more after a lost connection or a late cancel meant for the step, never after anything else.
 */
import type { TableRef } from '../../core/actions.js';
import { isConnectionLoss } from '../../core/retry.js';
import { dropIndexSql } from '../../core/sql.js';
import type { Session } from '../db.js';
import type { RunContext, Worker } from './context.js';
import { errorInfo } from './errors.js';
import { forget, session, settingsSql } from './worker.js';

export interface DropTarget {
  readonly ref: TableRef;
  readonly concurrently: boolean;
}

/**
 * Drops what `choose` names, read on the worker's session at each attempt (undefined: nothing of ours
 * to drop). True when it was dropped.
 */
export async function cleanupDrop(run: RunContext, worker: Worker, choose: (s: Session) => Promise<DropTarget | undefined>): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const s = await session(run, worker);
      const target = await choose(s);
      if (target === undefined) return false;
      await s.query(settingsSql({ ...run.settings, statementTimeoutMs: 0 }, run.cleanupLockTimeoutMs));
      await s.query(dropIndexSql(target.ref.schema, target.ref.name, { concurrently: target.concurrently }));
      return true;
    } catch (error) {
      const info = errorInfo(error);
      if (isConnectionLoss(info)) await forget(run, worker);
      // A late cancel meant for the step may hit the drop: one more try; anything else is final.
      if (info.code !== '57014' && !isConnectionLoss(info)) return false;
    }
  }
  return false;
}
