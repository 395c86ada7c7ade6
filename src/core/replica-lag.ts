/*
 * The replica-lag gate (settings.maxReplicaLag): before a build starts, whether the streaming replicas
 * are close enough, what the wait says, and when to give up. Pure: the positions are read in
 * src/io/replica-lag.ts, the waiting happens in src/io/executor/replica-gate.ts.
 */
import { scaleBytes } from './units.js';

/** settings.maxReplicaLagWait when the manifest gives none. */
export const DEFAULT_REPLICA_LAG_WAIT_MS = 30 * 60_000;

/** One streaming replica as pg_stat_replication shows it to the primary. */
export interface ReplicaLag {
  /** Its application_name (primary_conninfo's), else its address, else its walsender's pid. */
  readonly name: string;
  /** WAL the replica has yet to replay, in bytes. */
  readonly lagBytes: number;
}

export type LagDecision =
  | { readonly kind: 'go' }
  | { readonly kind: 'wait'; readonly behind: readonly ReplicaLag[]; readonly text: string }
  | { readonly kind: 'give-up'; readonly behind: readonly ReplicaLag[]; readonly text: string };

export interface LagLimits {
  /** 0 turns the gate off. */
  readonly maxLagBytes: number;
  /** How long one build may wait for the replicas before it fails. */
  readonly maxWaitMs: number;
}

/** `410 MB`, `1.5 GB`, `900 kB`: whole numbers from 10 up, one decimal below. */
export function formatLag(bytes: number): string {
  const { value, unit } = scaleBytes(bytes);
  if (unit === 'bytes') return `${bytes} bytes`;
  const shown = value >= 10 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${unit}`;
}

/** `replica lag: 410 MB > 256 MB on standby-1, 300 MB > 256 MB on standby-2` (what the UIs show after "waiting for"). */
export function lagWaitText(behind: readonly ReplicaLag[], maxLagBytes: number): string {
  const limit = formatLag(maxLagBytes);
  return `replica lag: ${behind.map((r) => `${formatLag(r.lagBytes)} > ${limit} on ${r.name}`).join(', ')}`;
}

/** The replicas over the limit, furthest behind first. */
export function replicasBehind(replicas: readonly ReplicaLag[], maxLagBytes: number): ReplicaLag[] {
  return replicas.filter((r) => r.lagBytes > maxLagBytes).sort((a, b) => b.lagBytes - a.lagBytes || a.name.localeCompare(b.name));
}

/**
 * Whether a build may start now: every replica at or under the limit (or the gate off, or no replica)
 * starts it; otherwise it waits, until `waitingSince + maxWaitMs` has passed.
 */
export function lagDecision(replicas: readonly ReplicaLag[], limits: LagLimits, waitingSince: number, now: number): LagDecision {
  if (limits.maxLagBytes <= 0) return { kind: 'go' };
  const behind = replicasBehind(replicas, limits.maxLagBytes);
  if (behind.length === 0) return { kind: 'go' };
  const text = lagWaitText(behind, limits.maxLagBytes);
  return now - waitingSince >= limits.maxWaitMs ? { kind: 'give-up', behind, text } : { kind: 'wait', behind, text };
}

/** Whether a new wait event is worth emitting: other replicas behind, or the last one is old news. */
export function lagNewsworthy(previous: { readonly names: string; readonly at: number } | undefined, behind: readonly ReplicaLag[], now: number, heartbeatMs: number): boolean {
  if (previous === undefined) return true;
  return previous.names !== behind.map((r) => r.name).join('\n') || now - previous.at >= heartbeatMs;
}
