/* Citus: a distributed build's shards and each worker's phase, as lines under its row in the live UI. */
import type { ShardProgress } from '../core/events.js';

export function shardLines(shards: ShardProgress, indent: string): string[] {
  const head = `${indent}${shards.built} of ${shards.total} shards built${shards.workers.length === 0 ? ' (workers not reachable: counted through the coordinator)' : ''}`;
  const width = Math.max(0, ...shards.workers.map((w) => w.node.length));
  const workers = shards.workers.map(
    (w) => `${indent}  ${w.node.padEnd(width)}  ${`${w.built}/${w.total}`.padStart(5)}  ${w.phase ?? (w.built >= w.total ? 'done' : 'queued')}`,
  );
  return [head, ...workers];
}
