/*
 * A Citus worker's error, as the coordinator relays it (`could not create unique index "orders_uq_102018"`,
 * CONTEXT `while executing command on 127.0.0.1:55441`), with the shard and the worker named in words. Pure.
 */

/** The shard a shard relation's name ends with (`orders_uq_102018` → 102018), or undefined. */
export function shardIdIn(message: string): string | undefined {
  return /_(\d+)"/.exec(message)?.[1];
}

/** The worker a coordinator names in an error's CONTEXT, `host:port`, or undefined. */
export function workerIn(where: string | undefined): string | undefined {
  return where === undefined ? undefined : /while executing command on (\S+)/.exec(where)?.[1];
}

/** The message with `(shard 102018 on worker 127.0.0.1:55441)` added, when the error came from a worker. */
export function withShardNamed(message: string, where: string | undefined): string {
  const worker = workerIn(where);
  if (worker === undefined) return message;
  const shard = shardIdIn(message);
  return `${message} (${shard === undefined ? '' : `shard ${shard} `}on worker ${worker})`;
}
