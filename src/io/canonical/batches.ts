/*
 * Running the canonicaliser's batches: all in one round trip when nothing fails; else each on its own,
 * and a failing one replayed statement by statement to find every failing index. Nothing survives: each
 * batch is a transaction that is rolled back.
 */
import {
  batchText,
  definitionsSql,
  READ_QUALIFIED,
  restoreNames,
  type BatchSettings,
  type BatchText,
  type CanonicalDefinition,
  type CloneTable,
  type DefinitionRow,
} from '../../core/canonical-batches.js';
import type { ResolutionPath } from '../../core/search-path.js';
import { qualify } from '../../core/sql.js';
import { isLockTimeout } from '../../core/retry.js';
import { lockTimeoutError, type TableName } from '../catalog-snapshot.js';
import type { Session } from '../db.js';
import { failure, type PgErrorLike } from './errors.js';

export type Query = <R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<R[]>;

// Classes of errors that say nothing about the index itself: connection, transaction state, deadlock
// or serialization, resources (lock slots), object in use / lock not available, cancel, system.
const ENVIRONMENT_CLASSES = new Set(['08', '25', '40', '53', '55', '57', '58', 'XX', 'F0']);

export function isEnvironmental(error: unknown): boolean {
  const code = (error as PgErrorLike | null)?.code;
  return typeof code !== 'string' || ENVIRONMENT_CLASSES.has(code.slice(0, 2));
}

/** The definitions the SELECT read, names restored, into `results` by index key. */
function recordDefinitions(results: Map<string, CanonicalDefinition>, rows: readonly DefinitionRow[], built: BatchText['built']): void {
  const byClone = new Map(built.map((b) => [b.job.clone, b.table] as const));
  for (const row of rows) {
    const table = byClone.get(row.clone)!;
    results.set(row.key, row.definition === null ? { ok: false, message: 'The index was not built on the temporary copy.' } : { ok: true, definition: restoreNames(row, table) });
  }
}

/**
 * Every batch in one round trip: their transactions one after another in one query string, so that
 * the round trips do not grow with the number of tables while each transaction holds the locks of one
 * batch only. When a statement fails, the server skips the rest of the string: the open transaction is
 * rolled back, and undefined asks for each batch to be done on its own (runBatch), which finds the
 * failing index. A lock timeout or a broken connection is reported at once.
 */
export async function runBatches(session: Session, batches: readonly (readonly CloneTable[])[], run: BatchSettings): Promise<Map<string, CanonicalDefinition> | undefined> {
  const texts = batches.map((batch) => batchText(batch, run));
  const expected = texts.reduce((n, text) => n + text.results, 0);
  try {
    const answers = await session.queryAll(texts.map((text) => text.sql).join(';\n'));
    if (answers.length !== expected) throw new Error(`expected ${expected} results from canonicalisation batches, got ${answers.length}`);
    const results = new Map<string, CanonicalDefinition>();
    let at = 0;
    for (const text of texts) {
      at += text.results;
      recordDefinitions(results, answers[at - 2]!.rows as unknown as DefinitionRow[], text.built);
    }
    return results;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    if (!isEnvironmental(error)) return undefined;
    if (isLockTimeout(error)) {
      const tables = batches.flat().map((table): TableName => ({ schema: table.schema, name: table.name }));
      throw await lockTimeoutError(session, tables, 'Canonicalising index definitions', run.lockTimeoutMs);
    }
    throw error;
  }
}

/**
 * One batch on its own, one round trip (batchText sent as one string). When a statement fails, the
 * server skips the rest of the string (the ROLLBACK too) and leaves the transaction open and aborted:
 * it is rolled back, and the batch is replayed piece by piece to find every failing index; a batch with
 * shared or partial copies is not replayed here: undefined asks for it to be done again with whole
 * copies and no sharing. Returns results by index key.
 */
export async function runBatch(session: Session, batch: readonly CloneTable[], run: BatchSettings): Promise<Map<string, CanonicalDefinition> | undefined> {
  const query: Query = async <R,>(sql: string, params?: readonly unknown[]) => (await session.query<R>(sql, params)).rows;
  const { begin, built: all, sql, results: count } = batchText(batch, run);
  const tables = batch.map((table): TableName => ({ schema: table.schema, name: table.name }));
  const results = new Map<string, CanonicalDefinition>();
  const record = (rows: readonly DefinitionRow[], built: BatchText['built']): void => recordDefinitions(results, rows, built);
  const fail = async (error: unknown): Promise<never> => {
    await query('ROLLBACK').catch(() => undefined);
    if (isLockTimeout(error)) throw await lockTimeoutError(session, tables, 'Canonicalising index definitions', run.lockTimeoutMs);
    throw error;
  };

  let failed: unknown;
  try {
    const answers = await session.queryAll(sql);
    if (answers.length !== count) throw new Error(`expected ${count} results from a canonicalisation batch, got ${answers.length}`);
    record(answers[count - 2]!.rows as unknown as DefinitionRow[], all);
    return results;
  } catch (error) {
    failed = error;
  }

  // The error path: extra round trips only here.
  const shared = batch.some((table) => table.partial || table.members.size > 1 || table.jobs.some((job) => job.answersFor.length > 1));
  try {
    if (isEnvironmental(failed)) await fail(failed);
    await query('ROLLBACK');
    if (shared) return undefined;
    const byClone = new Map<string, CanonicalDefinition>();
    const names = new Map<string, string>();
    for (const table of batch) {
      names.set(table.clone, qualify(table.schema, table.name));
      for (const job of table.jobs) names.set(job.clone, job.answersFor[0]!.name);
    }
    await replayOneByOne(query, batch, begin, byClone, names, fail, run.path);
    for (const { job } of all) {
      const result = byClone.get(job.clone);
      if (result) results.set(job.answersFor[0]!.key, result);
    }
    const built = all.filter((b) => !byClone.has(b.job.clone));
    if (built.length > 0) {
      await query(READ_QUALIFIED);
      record(await query<DefinitionRow>(definitionsSql(built.map((b) => b.job))), built);
    }
  } finally {
    // Whatever happened, nothing of the batch survives and the session is usable again.
    await query('ROLLBACK').catch(() => undefined);
  }
  return results;
}

/**
 * The error path: rerun the batch table by table and, within a failing table, statement by statement,
 * recording each failure and restarting the transaction without it (replaying what succeeded).
 */
async function replayOneByOne(
  query: Query,
  batch: readonly CloneTable[],
  begin: string,
  results: Map<string, CanonicalDefinition>,
  names: ReadonlyMap<string, string>,
  fail: (error: unknown) => Promise<never>,
  path: ResolutionPath,
): Promise<void> {
  const done: string[] = [];
  const restart = async (error: unknown): Promise<void> => {
    await query('ROLLBACK');
    if (isEnvironmental(error)) await fail(error);
    await query([begin, ...done].join(';\n')).catch(fail);
  };
  await query(begin).catch(fail);
  for (const table of batch) {
    const statements = [table.sql, ...table.jobs.map((job) => job.sql)];
    try {
      await query(statements.join(';\n'));
      done.push(...statements);
      continue;
    } catch (error) {
      await restart(error);
    }
    try {
      await query(table.sql);
      done.push(table.sql);
    } catch (error) {
      await restart(error);
      const result = await failure(query, error, names, path);
      for (const job of table.jobs) results.set(job.clone, result);
      continue;
    }
    for (const job of table.jobs) {
      try {
        await query(job.sql);
        done.push(job.sql);
      } catch (error) {
        await restart(error);
        results.set(job.clone, await failure(query, error, names, path));
      }
    }
  }
}
