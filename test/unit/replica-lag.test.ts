import { describe, expect, it } from 'vitest';
import { formatLag, lagDecision, lagNewsworthy, lagWaitText } from '../../src/core/replica-lag.js';

const MB = 1024 ** 2;

describe('replica lag', () => {
  it.each([
    [0, '0 bytes'],
    [900, '900 bytes'],
    [1536, '1.5 kB'],
    [MB, '1 MB'],
    [410 * MB, '410 MB'],
    [256 * MB, '256 MB'],
    [1.25 * 1024 * MB, '1.3 GB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatLag(bytes)).toBe(text);
  });

  it('says who is behind and by how much, furthest first', () => {
    expect(lagWaitText([{ name: 'standby-1', lagBytes: 410 * MB }], 256 * MB)).toBe('replica lag: 410 MB > 256 MB on standby-1');
    const decision = lagDecision(
      [
        { name: 'standby-2', lagBytes: 300 * MB },
        { name: 'standby-1', lagBytes: 410 * MB },
        { name: 'standby-3', lagBytes: 256 * MB },
      ],
      { maxLagBytes: 256 * MB, maxWaitMs: 60_000 },
      1_000,
      2_000,
    );
    expect(decision).toEqual({
      kind: 'wait',
      behind: [
        { name: 'standby-1', lagBytes: 410 * MB },
        { name: 'standby-2', lagBytes: 300 * MB },
      ],
      text: 'replica lag: 410 MB > 256 MB on standby-1, 300 MB > 256 MB on standby-2',
    });
  });

  it('starts the build when every replica is at or under the limit, when there is none, or when the gate is off', () => {
    const limits = { maxLagBytes: 256 * MB, maxWaitMs: 60_000 };
    expect(lagDecision([{ name: 's', lagBytes: 256 * MB }], limits, 0, 0)).toEqual({ kind: 'go' });
    expect(lagDecision([], limits, 0, 0)).toEqual({ kind: 'go' });
    expect(lagDecision([{ name: 's', lagBytes: 10_000 * MB }], { maxLagBytes: 0, maxWaitMs: 60_000 }, 0, 0)).toEqual({ kind: 'go' });
  });

  it('gives up once the wait reaches maxReplicaLagWait', () => {
    const limits = { maxLagBytes: MB, maxWaitMs: 60_000 };
    const behind = [{ name: 'standby-1', lagBytes: 2 * MB }];
    expect(lagDecision(behind, limits, 1_000, 60_999).kind).toBe('wait');
    expect(lagDecision(behind, limits, 1_000, 61_000)).toEqual({ kind: 'give-up', behind, text: 'replica lag: 2 MB > 1 MB on standby-1' });
  });

  it('emits a new wait when other replicas fall behind or the last one is old', () => {
    const one = [{ name: 'a', lagBytes: 5 }];
    expect(lagNewsworthy(undefined, one, 0, 30_000)).toBe(true);
    expect(lagNewsworthy({ names: 'a', at: 0 }, one, 29_999, 30_000)).toBe(false);
    expect(lagNewsworthy({ names: 'a', at: 0 }, one, 30_000, 30_000)).toBe(true);
    expect(lagNewsworthy({ names: 'a', at: 0 }, [...one, { name: 'b', lagBytes: 9 }], 1, 30_000)).toBe(true);
  });
});
