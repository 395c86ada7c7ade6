import { describe, expect, it } from 'vitest';
import { backoffDelay, describeBlocker, givingUp, isConnectionLoss, isRetryable } from '../../src/core/retry.js';

describe('which errors are retried', () => {
  it.each([
    ['55P03', true],
    ['40P01', true],
    ['40001', true],
    ['23505', false],
    ['57014', false],
    ['42P07', false],
    [undefined, false],
  ])('%s → %s', (code, expected) => {
    expect(isRetryable(code === undefined ? {} : { code })).toBe(expected);
  });

  it('tells a lost connection from a refusal', () => {
    expect(isConnectionLoss({})).toBe(true);
    expect(isConnectionLoss({ code: '08006' })).toBe(true);
    expect(isConnectionLoss({ code: '57P01' })).toBe(true);
    expect(isConnectionLoss({ code: '55P03' })).toBe(false);
    expect(isConnectionLoss({ code: '57014' })).toBe(false);
  });
});

describe('backoff', () => {
  const middle = () => 0.5;
  it('doubles from the base and stops at the cap', () => {
    const options = { baseMs: 1_000, maxMs: 5_000, random: middle };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('jitters by a quarter either way, never over the cap', () => {
    expect(backoffDelay(1, { baseMs: 1_000, maxMs: 10_000, random: () => 0 })).toBe(750);
    expect(backoffDelay(1, { baseMs: 1_000, maxMs: 10_000, random: () => 1 })).toBe(1_250);
    expect(backoffDelay(9, { baseMs: 1_000, maxMs: 10_000, random: () => 1 })).toBe(10_000);
  });

  it('takes a tiny base for tests', () => {
    expect(backoffDelay(3, { baseMs: 10, maxMs: 1_000, random: middle })).toBe(40);
  });
});

describe('giving up', () => {
  const blocker = {
    pid: 4242,
    applicationName: 'psql',
    state: 'idle in transaction',
    transactionSeconds: 4.25,
    query: 'LOCK TABLE public.users\n   IN ACCESS EXCLUSIVE MODE',
  };

  it('names the blocker', () => {
    expect(describeBlocker(blocker)).toBe('pid 4242 (psql, idle in transaction, transaction open 4.3 s: LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE)');
    expect(describeBlocker({ pid: 7 })).toBe('pid 7');
    expect(describeBlocker({ pid: 7, query: 'SELECT 1' })).toBe('pid 7 (SELECT 1)');
  });

  it('says it timed out waiting for a lock, with the database words first', () => {
    const error = givingUp(
      { message: 'canceling statement due to lock timeout', code: '55P03' },
      { attempts: 4, lockTimeoutMs: 300, waitingFor: 'lock on public.users (AccessExclusiveLock)', blockers: [blocker] },
    );
    expect(error).toEqual({
      message:
        'canceling statement due to lock timeout: timed out waiting for lock on public.users (AccessExclusiveLock) (4 attempts, lock_timeout 300 ms each); ' +
        'blocked by pid 4242 (psql, idle in transaction, transaction open 4.3 s: LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE)',
      code: '55P03',
      hint: 'Let pid 4242 finish (or end it with SELECT pg_terminate_backend(4242)), or raise lockTimeout / retries, then apply again.',
    });
  });

  it('keeps the detail of a deadlock', () => {
    const error = givingUp(
      { message: 'deadlock detected', code: '40P01', detail: 'Process 1 waits for …' },
      { attempts: 2, lockTimeoutMs: 0, blockers: [] },
    );
    expect(error.message).toBe('deadlock detected (deadlock on every one of 2 attempts)');
    expect(error.detail).toBe('Process 1 waits for …');
    expect(error.hint).toMatch(/pg_locks/);
  });
});
