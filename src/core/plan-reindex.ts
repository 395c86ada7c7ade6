/*
 * The reindex row of the plan: a declared, valid index whose wasted space passes both thresholds of its
 * table's `maintenance:` block becomes a `reindex` action, REINDEX INDEX CONCURRENTLY. A partitioned index
 * is rebuilt partition by partition: each leaf index past maxBloat gets its own step, so that what is
 * left after the rebuild is under the threshold as a whole.
 */
import type { ReindexAction, ReindexFigures, Step, TableRef } from './actions.js';
import { bloatOf, isBloated, type BloatFacts, type KnownBloat } from './bloat.js';
import { indexKey, type LiveIndex, type Maintenance } from './model.js';
import { reindexIndexSql } from './sql.js';

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(1))} %`;
}

function reindexStep(schema: string, name: string, partition?: TableRef): Step {
  return { kind: 'reindex', sql: [reindexIndexSql(schema, name)], reindexes: { schema, name }, ...(partition ? { partition } : {}) };
}

/** The reindex `live` needs under `maintenance`, or undefined when it is not bloated enough (or cannot be told). */
export function reindexAction(table: TableRef, live: LiveIndex, maintenance: Maintenance | undefined, facts: BloatFacts | undefined): ReindexAction | undefined {
  if (maintenance?.maxBloat === undefined || facts === undefined || !live.valid || live.build) return undefined;
  const { maxBloat, minBloatBytes } = maintenance;
  const bloat = bloatOf(facts, live);
  if (!isBloated(bloat, maxBloat, minBloatBytes)) return undefined;
  let steps: Step[];
  let roomBytes: number;
  if (live.partitioned) {
    const leaves = (facts.leaves.get(indexKey(live.schema, live.name)) ?? []).flatMap((leaf) => {
      const figures = bloatOf(facts, { schema: leaf.schema, name: leaf.name, partitioned: false });
      return figures.kind !== 'unknown' && figures.ratio > maxBloat ? [{ leaf, figures }] : [];
    });
    if (leaves.length === 0) return undefined;
    steps = leaves.map(({ leaf }) => reindexStep(leaf.schema, leaf.name, { schema: leaf.schema, name: leaf.table }));
    // One partition at a time: the largest new copy is the room needed.
    roomBytes = Math.max(...leaves.map(({ figures }) => (figures as KnownBloat).expectedBytes));
  } else {
    steps = [reindexStep(live.schema, live.name)];
    roomBytes = bloat.expectedBytes;
  }
  const figures: ReindexFigures = {
    method: bloat.kind,
    ratio: bloat.ratio,
    sizeBytes: bloat.sizeBytes,
    expectedBytes: bloat.expectedBytes,
    roomBytes,
    ...(bloat.caveat === undefined ? {} : { caveat: bloat.caveat }),
  };
  return {
    kind: 'reindex',
    table,
    index: live.name,
    reason: `bloated: ${percent(bloat.ratio)} of it is wasted space (maxBloat ${percent(maxBloat)})`,
    definition: live.definition,
    bloat: figures,
    steps,
  };
}
