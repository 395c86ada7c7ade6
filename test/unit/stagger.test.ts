import { describe, expect, it } from 'vitest';
import { buildsInTheWay, holdsOthersUp, staggerDecision, staggerWaitText, TOGETHER_FRACTION, type RunningBuild } from '../../src/core/stagger.js';

// Build steps as the plan marks them: `safe` on plain-column builds without a predicate.
const PLAIN = { safe: true } as const;
const EXPRESSION_OR_PARTIAL = {};

interface Named extends RunningBuild {
  readonly name: string;
}

function build(name: string, safe: boolean, phase?: string, fraction?: number): Named {
  return { name, safe, ...(phase === undefined ? {} : { progress: { phase, ...(fraction === undefined ? {} : { fraction }) } }) };
}

describe('which builds hold up others', () => {
  it.each([
    [PLAIN, 180000, false],
    [EXPRESSION_OR_PARTIAL, 180000, true],
    [PLAIN, 140000, false],
    // Before 14 every concurrent build makes the others wait.
    [PLAIN, 130010, true],
    // Not read yet: counted as holding others up.
    [PLAIN, 0, true],
  ])('%j on %i → %s', (step, version, expected) => {
    expect(holdsOthersUp(step, version)).toBe(expected);
  });
});

describe('which running builds a new build that holds up others would delay', () => {
  it.each([
    // A plain-column build anywhere before its last wait would wait for the new build.
    ['safe, not seen yet', build('b', true), true],
    ['safe, before build', build('b', true, 'waiting for writers before build', 0), true],
    ['safe, building', build('b', true, 'building index: scanning table', 0.1), true],
    ['safe, validating', build('b', true, 'index validation: scanning table', 0.9), true],
    // From its last wait on, it waits only for transactions older than that wait.
    ['safe, waiting for old snapshots', build('b', true, 'waiting for old snapshots', 0.95), false],
    ['safe, waiting for readers', build('b', true, 'waiting for readers before marking dead', 0.99), false],
    // An unsafe build started about together finishes about together: no point holding.
    ['unsafe, not seen yet', build('b', false), false],
    ['unsafe, just started', build('b', false, 'building index: scanning table', 0.1), false],
    ['unsafe, just under the mark', build('b', false, 'building index: scanning table', TOGETHER_FRACTION - 0.01), false],
    ['unsafe, at the mark', build('b', false, 'building index: loading tuples in tree', TOGETHER_FRACTION), true],
    ['unsafe, no fraction known', build('b', false, 'building index: some am phase'), false],
    ['unsafe, far along', build('b', false, 'index validation: scanning table', 0.8), true],
    ['unsafe, in its last wait', build('b', false, 'waiting for old snapshots', 0.95), false],
  ])('%s → %s', (_, running, expected) => {
    expect(buildsInTheWay([running])).toEqual(expected ? [running] : []);
  });

  it('keeps the order and the objects it was given', () => {
    const first = build('first', true, 'building index: scanning table', 0.2);
    const done = build('done', true, 'waiting for old snapshots', 0.96);
    const second = build('second', false, 'index validation: scanning table', 0.75);
    expect(buildsInTheWay([first, done, second]).map((b) => b.name)).toEqual(['first', 'second']);
  });
});

describe('whether to start a build that holds up others now', () => {
  const inTheWay = build('w', true, 'building index: scanning table', 0.2);
  const lastWait = build('x', true, 'waiting for old snapshots', 0.95);

  it('starts at once when nothing else is building', () => {
    expect(staggerDecision([], 1_000, 61_000)).toEqual({ kind: 'start' });
  });

  it('starts when every other build is past the point where it would wait', () => {
    expect(staggerDecision([lastWait, build('y', false, 'building index', 0.05)], 1_000, 61_000)).toEqual({ kind: 'start' });
  });

  it('holds behind the builds it would delay, naming them', () => {
    expect(staggerDecision([inTheWay, lastWait], 1_000, 61_000)).toEqual({ kind: 'hold', behind: [inTheWay] });
  });

  it('holds until the deadline, then starts anyway', () => {
    expect(staggerDecision([inTheWay], 60_999, 61_000)).toEqual({ kind: 'hold', behind: [inTheWay] });
    expect(staggerDecision([inTheWay], 61_000, 61_000)).toEqual({ kind: 'start' });
    expect(staggerDecision([inTheWay], 90_000, 61_000)).toEqual({ kind: 'start' });
  });
});

describe('what a held build says it waits for', () => {
  it('names each table once, in order', () => {
    expect(staggerWaitText(['public.w', 'sales.orders', 'public.w'])).toBe(
      'builds on public.w, sales.orders to reach their last wait (an expression or partial index build started now would hold them up until it ends)',
    );
  });
});
