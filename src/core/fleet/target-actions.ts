/*
 * A target's actions as its report lists them, folded from its apply events: what each action was,
 * how it ended, how long it took and why it failed. Pure.
 */
import type { ApplyEvent } from '../events.js';
import type { ActionRecord } from './events.js';

export type ActionRecords = readonly ActionRecord[];

export function recordActions(records: ActionRecords, event: ApplyEvent): ActionRecords {
  const update = (id: number, change: (r: ActionRecord) => ActionRecord): ActionRecords => records.map((r, i) => (i === id ? change(r) : r));
  switch (event.type) {
    case 'planned':
      return event.actions.map((a) => ({ kind: a.kind, table: a.table, index: a.index, status: a.kind === 'skip' ? 'skipped' : 'not-run' }));
    case 'action-done':
      return update(event.actionId, (r) => ({ ...r, status: 'done', durationMs: event.durationMs }));
    case 'action-failed':
      return update(event.actionId, (r) => ({ ...r, status: 'failed', durationMs: event.durationMs, error: event.error }));
    case 'action-cancelled':
      return update(event.actionId, (r) => ({ ...r, status: 'cancelled' }));
    case 'action-started':
    case 'step-started':
    case 'progress':
    case 'waiting':
    case 'retry':
    case 'interrupt':
    case 'verified':
    case 'notice':
    case 'summary':
      return records;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** Kinds of action that build an index. */
export function buildsAnIndex(record: Pick<ActionRecord, 'kind'>): boolean {
  return record.kind === 'create' || record.kind === 'replace' || record.kind === 'rebuild' || record.kind === 'reindex';
}
