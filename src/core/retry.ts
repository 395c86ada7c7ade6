/*
 * Which failures the executor retries, how long it waits between attempts, and the words it uses when
 * it gives up. Pure: no clock, no randomness unless passed in.
 */
import type { Blocker, ErrorInfo } from './events.js';
import { oneLine } from './text.js';

/**
 * SQLSTATEs worth another attempt: the statement lost a race for a lock, not an argument with the data.
 * lock_not_available is what lock_timeout raises.
 */
export const RETRYABLE_CODES: Readonly<Record<string, string>> = {
  '55P03': 'lock timeout',
  '40P01': 'deadlock',
  '40001': 'serialization failure',
};

export function isRetryable(error: Pick<ErrorInfo, 'code'>): boolean {
  return error.code !== undefined && Object.hasOwn(RETRYABLE_CODES, error.code);
}

export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '55P03';
}

/**
 * The connection itself went away (no SQLSTATE at all: a socket error; class 08; or the server ending
 * the backend): the statement's fate is unknown and must be read back from the catalog.
 */
export function isConnectionLoss(error: Pick<ErrorInfo, 'code'>): boolean {
  if (error.code === undefined) return true;
  return error.code.startsWith('08') || error.code === '57P01' || error.code === '57P02' || error.code === '57P03';
}

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  readonly baseMs: number;
  /** No delay exceeds this. */
  readonly maxMs: number;
  /** 0..1; default Math.random. */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 30_000 };

/**
 * Delay before retry number `attempt` (1 for the first retry): base × 2^(attempt−1), capped, with ±25 %
 * jitter so that two workers that timed out together do not come back together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const exponential = options.baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(options.maxMs, exponential);
  const jittered = capped * (0.75 + 0.5 * random());
  return Math.max(0, Math.min(options.maxMs, Math.round(jittered)));
}

function seconds(value: number): string {
  return value < 10 ? `${Math.round(value * 10) / 10} s` : `${Math.round(value)} s`;
}



/** `pid 123 (psql, idle in transaction, transaction open 4.2 s: LOCK TABLE t …)` */
export function describeBlocker(blocker: Blocker): string {
  const parts: string[] = [];
  if (blocker.applicationName) parts.push(blocker.applicationName);
  if (blocker.state) parts.push(blocker.state);
  if (blocker.transactionSeconds !== undefined) parts.push(`transaction open ${seconds(blocker.transactionSeconds)}`);
  const head = parts.length > 0 ? `pid ${blocker.pid} (${parts.join(', ')}` : `pid ${blocker.pid}`;
  if (!blocker.query) return parts.length > 0 ? `${head})` : head;
  return parts.length > 0 ? `${head}: ${oneLine(blocker.query)})` : `${head} (${oneLine(blocker.query)})`;
}

export interface GiveUpContext {
  /** Attempts made in all, the first included. */
  readonly attempts: number;
  /** What the statement waited for, e.g. `lock on public.users`; default `a lock`. */
  readonly waitingFor?: string;
  /** The lock_timeout that applied, in milliseconds (0: none). */
  readonly lockTimeoutMs: number;
  /** Who held it, as last seen. */
  readonly blockers: readonly Blocker[];
}

/**
 * The error reported when retries are exhausted: PostgreSQL's own message first, then how long we
 * tried and who was in the way, so the operator knows which session to look at.
 */
export function givingUp(error: ErrorInfo, context: GiveUpContext): ErrorInfo {
  const tries = context.attempts === 1 ? '1 attempt' : `${context.attempts} attempts`;
  const reason = error.code !== undefined ? RETRYABLE_CODES[error.code] : undefined;
  const what = context.waitingFor ?? 'a lock';
  let message: string;
  if (error.code === '55P03') {
    const limit = context.lockTimeoutMs > 0 ? `, lock_timeout ${context.lockTimeoutMs} ms each` : '';
    message = `${error.message}: timed out waiting for ${what} (${tries}${limit})`;
  } else {
    message = `${error.message} (${reason ?? 'failed'} on every one of ${tries})`;
  }
  if (context.blockers.length > 0) message += `; blocked by ${context.blockers.map(describeBlocker).join('; ')}`;
  const firstPid = context.blockers[0]?.pid;
  const hint =
    error.hint ??
    (firstPid !== undefined
      ? `Let pid ${firstPid} finish (or end it with SELECT pg_terminate_backend(${firstPid})), or raise lockTimeout / retries, then apply again.`
      : 'Find the session holding the lock (pg_locks, pg_stat_activity), or raise lockTimeout / retries, then apply again.');
  return {
    message,
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    hint,
  };
}
