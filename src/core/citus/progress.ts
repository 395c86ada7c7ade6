/*
 * A distributed build's progress from what the workers say: shards built of total, each worker's
 * least advanced phase, and a fraction over the whole build (built shards count whole, running ones by
 * their phase). Pure.
 */
import type { ShardProgress, WorkerProgress } from '../events.js';
import { buildFraction, type ProgressRow } from '../progress.js';

/** What one worker said in one poll. */
export interface WorkerSample {
  readonly node: string;
  /** Placements of the table on this worker. */
  readonly total: number;
  readonly built: number;
  /** One row per shard build running there. */
  readonly running: readonly ProgressRow[];
}

/** The phase furthest from done among the running builds (the one the worker's part waits on). */
function slowest(rows: readonly ProgressRow[]): ProgressRow | undefined {
  let found: ProgressRow | undefined;
  let least = Infinity;
  for (const row of rows) {
    const fraction = buildFraction(row) ?? 0;
    if (fraction < least) {
      least = fraction;
      found = row;
    }
  }
  return found;
}

export function shardProgress(samples: readonly WorkerSample[]): { readonly shards: ShardProgress; readonly phase: string; readonly fraction: number } {
  const workers: WorkerProgress[] = samples.map((sample) => {
    const row = slowest(sample.running);
    return { node: sample.node, built: sample.built, total: sample.total, ...(row ? { phase: row.phase } : {}) };
  });
  const total = samples.reduce((sum, s) => sum + s.total, 0);
  const built = samples.reduce((sum, s) => sum + s.built, 0);
  const running = samples.flatMap((s) => s.running).reduce((sum, row) => sum + (buildFraction(row) ?? 0), 0);
  const fraction = total === 0 ? 0 : Math.min(1, (built + running) / total);
  const phase = slowest(samples.flatMap((s) => s.running))?.phase ?? (built >= total && total > 0 ? 'shards built, finishing on the coordinator' : 'building on the shards');
  return { shards: { built, total, workers }, phase, fraction: Math.round(fraction * 10_000) / 10_000 };
}

/** `2 of 8 shards built; 127.0.0.1:9701 building index: scanning table (1/4), 127.0.0.1:9702 done (4/4)`. */
export function describeShardProgress(shards: ShardProgress): string {
  const head = `${shards.built} of ${shards.total} shards built`;
  if (shards.workers.length === 0) return head;
  const workers = shards.workers.map((w) => `${w.node} ${w.phase ?? (w.built >= w.total ? 'done' : 'queued')} (${w.built}/${w.total})`);
  return `${head}; ${workers.join(', ')}`;
}
