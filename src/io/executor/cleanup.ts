/*
 * What a failed or cancelled action leaves: the indexes it created are dropped again (invalid ones, and
 * valid ones under our temporary names), never an index that existed before it ran; what cannot be
 * dropped is reported as left behind (the next plan drops it). After a lost connection, a build's
 * backend may still be running: its index is read back once it ends, before deciding what happened.
 */
import type { Action, TableRef } from '../../core/actions.js';
import { isTemporaryName, temporaryName } from '../../core/sql.js';
import { cleanupDrop } from './cleanup-drop.js';
import { qualified, type RunContext, type Worker } from './context.js';
import { readIndex, type IndexState } from './index-state.js';
import { dropLeftovers } from './reindex-leftovers.js';
import { session, sleep } from './worker.js';

/** An index a step set out to create, and what was under its name before (never to be dropped). */
export interface Creation {
  readonly ref: TableRef;
  readonly preexistingOid: string | undefined;
  /**
   * Set when the step reindexes `ref` rather than creating it: what it may leave are `_ccnew`/`_ccold`
   * copies, dropped unless their oid is among these, which were there before it ran.
   */
  readonly reindex?: { readonly preexisting: readonly string[] };
}

export interface Cleanup {
  readonly cleanedUp: string[];
  readonly leftBehind: string[];
}

const ORPHAN_POLL_MS = 500;

/** The index under the name is one this action made and should not outlive the action. */
function isOurLeftover(state: IndexState | undefined, creation: Creation): state is IndexState {
  return state !== undefined && state.oid !== creation.preexistingOid && (!state.valid || isTemporaryName(creation.ref.name));
}

/** Drops `creation`'s index if it is ours to drop; true when it was dropped. */
function dropLeftover(run: RunContext, worker: Worker, creation: Creation): Promise<boolean> {
  return cleanupDrop(run, worker, async (s) => {
    const state = await readIndex(s, creation.ref);
    // A partitioned index takes its attached partition indexes with it; it cannot go concurrently.
    return isOurLeftover(state, creation) ? { ref: creation.ref, concurrently: !state.partitioned } : undefined;
  });
}

/**
 * Drops what `creations` left: invalid indexes, and valid ones under our temporary names, but only
 * when the name still holds the index this action made (never what was there before it ran).
 */
export async function cleanUp(run: RunContext, worker: Worker, creations: readonly Creation[]): Promise<Cleanup> {
  const cleanedUp: string[] = [];
  const leftBehind: string[] = [];
  const seen = new Set<string>();
  for (const creation of [...creations].reverse()) {
    const name = qualified(creation.ref);
    if (seen.has(name)) continue;
    seen.add(name);
    if (creation.reindex) {
      const dropped = await dropLeftovers(run, worker, creation.ref, creation.reindex.preexisting);
      cleanedUp.push(...dropped.cleanedUp);
      leftBehind.push(...dropped.leftBehind);
      continue;
    }
    if (await dropLeftover(run, worker, creation)) {
      cleanedUp.push(name);
      continue;
    }
    const s = await session(run, worker).catch(() => undefined);
    const state = s ? await readIndex(s, creation.ref).catch(() => undefined) : undefined;
    if (isOurLeftover(state, creation) || !s) leftBehind.push(name);
  }
  return { cleanedUp, leftBehind };
}

/** After a lost connection: wait for a build its backend may still be running, then read the index. */
export async function awaitOrphanBuild(run: RunContext, worker: Worker, creation: Creation): Promise<IndexState | undefined> {
  const s = await session(run, worker);
  for (;;) {
    const state = await readIndex(s, creation.ref);
    if (!state || state.oid === creation.preexistingOid || state.valid) return state;
    const { rows } = await s.query<{ pid: number }>('SELECT pid FROM pg_stat_progress_create_index WHERE index_relid = $1::oid', [state.oid]);
    const builder = rows[0];
    // The build may have finished between the two reads: what counts is the index once its builder is gone.
    if (!builder) return readIndex(s, creation.ref);
    if (run.aborted) {
      await s.query('SELECT pg_cancel_backend($1::int)', [builder.pid]).catch(() => undefined);
      return state;
    }
    await sleep(ORPHAN_POLL_MS, worker);
  }
}

/** What a replace leaves when it stops after its swap: the old index parked under a temporary name. */
export async function parkedOld(run: RunContext, worker: Worker, action: Action): Promise<string[]> {
  if (action.kind !== 'replace') return [];
  const ref = { schema: action.table.schema, name: temporaryName(action.index, 'old') };
  const s = await session(run, worker).catch(() => undefined);
  const state = s ? await readIndex(s, ref).catch(() => undefined) : undefined;
  return state ? [qualified(ref)] : [];
}
