import { describe, expect, it } from 'vitest';
import type { DesiredIndex } from '../../src/core/model.js';
import { buildStep } from '../../src/core/plan-build-steps.js';
import { buildFraction, describeWait, estimateEtaMs, isSafeBuild, isWaitPhase, phaseCounters, type ProgressRow } from '../../src/core/progress.js';
import { column, desiredIndex, expression, progressRow } from '../helpers/model-builders.js';

const row = progressRow;

describe('fraction of the whole build', () => {
  it.each<[string, Partial<ProgressRow>, number]>([
    ['initializing', {}, 0],
    ['waiting for writers before build', { lockersTotal: 2, lockersDone: 1 }, 0.01],
    ['building index: scanning table', { blocksTotal: 100, blocksDone: 0 }, 0.02],
    ['building index: scanning table', { blocksTotal: 100, blocksDone: 50 }, 0.245],
    ['building index: sorting live tuples', { blocksTotal: 100, blocksDone: 100 }, 0.47],
    ['building index: loading tuples in tree', { tuplesTotal: 1000, tuplesDone: 1000 }, 0.7],
    ['building index', { blocksTotal: 200, blocksDone: 100 }, 0.36],
    ['building index: loading tuples', { tuplesTotal: 10, tuplesDone: 5 }, 0.36],
    ['waiting for writers before validation', { blocksTotal: 100, blocksDone: 3, lockersTotal: 0 }, 0.7],
    ['index validation: scanning index', { blocksTotal: 10, blocksDone: 5 }, 0.75],
    ['index validation: sorting tuples', {}, 0.79],
    ['index validation: scanning table', { blocksTotal: 100, blocksDone: 100 }, 0.95],
    ['waiting for old snapshots', { lockersTotal: 4, lockersDone: 2, blocksTotal: 100, blocksDone: 7 }, 0.97],
  ])('%s %o → %f', (phase, extra, expected) => {
    expect(buildFraction(row(phase, extra))).toBeCloseTo(expected, 6);
  });

  it('is undefined for a phase it does not know', () => {
    expect(buildFraction(row('something new'))).toBeUndefined();
  });

  it('never passes 1 and copes with totals of 0', () => {
    expect(buildFraction(row('index validation: scanning table', { blocksTotal: 10, blocksDone: 99 }))).toBe(0.95);
    expect(buildFraction(row('building index: scanning table', { blocksTotal: 0, blocksDone: 5 }))).toBe(0.02);
  });

  it('spreads partitions', () => {
    expect(buildFraction(row('building index: scanning table', { partitionsTotal: 4, partitionsDone: 2, blocksTotal: 1, blocksDone: 0 }))).toBeCloseTo(
      2.02 / 4,
    );
  });

  it('is monotonic through the phases of a build in order', () => {
    const phases = [
      'initializing',
      'waiting for writers before build',
      'building index: scanning table',
      'building index: sorting live tuples',
      'building index: sorting dead tuples',
      'building index: loading tuples in tree',
      'waiting for writers before validation',
      'index validation: scanning index',
      'index validation: sorting tuples',
      'index validation: scanning table',
      'waiting for old snapshots',
    ];
    const fractions = phases.map((phase) => buildFraction(row(phase))!);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
  });
});

describe('counters shown for a phase', () => {
  it('leaves stale counters out of wait phases', () => {
    expect(phaseCounters(row('waiting for old snapshots', { blocksTotal: 10, blocksDone: 10, tuplesTotal: 5, tuplesDone: 5 }))).toEqual({});
  });
  it('shows blocks while scanning and tuples while loading', () => {
    expect(phaseCounters(row('building index: scanning table', { blocksTotal: 10, blocksDone: 3, tuplesTotal: 9 }))).toEqual({ blocksDone: 3, blocksTotal: 10 });
    expect(phaseCounters(row('building index: loading tuples in tree', { blocksTotal: 10, blocksDone: 10, tuplesTotal: 9, tuplesDone: 2 }))).toEqual({
      tuplesDone: 2,
      tuplesTotal: 9,
    });
  });
  it('knows wait phases', () => {
    expect(isWaitPhase('waiting for old snapshots')).toBe(true);
    expect(isWaitPhase('building index')).toBe(false);
  });
});

describe('what a backend waits for', () => {
  const table = 'public.users';
  it('names the build wait phases', () => {
    expect(describeWait({ table, phase: 'waiting for old snapshots', waitEventType: 'Lock', waitEvent: 'virtualxid' })).toBe(
      'old snapshots (transactions older than the build)',
    );
    expect(describeWait({ table, phase: 'waiting for writers before build', currentLockerPid: 12 })).toBe(
      'writers on public.users to finish (before the build)',
    );
  });
  it('is not waiting in a wait phase with nobody to wait for', () => {
    expect(describeWait({ table, phase: 'waiting for old snapshots', waitEventType: null, currentLockerPid: 0 })).toBeUndefined();
  });
  it('is not waiting when the backend is working or doing I/O', () => {
    expect(describeWait({ table, phase: 'building index: scanning table', waitEventType: 'IO', waitEvent: 'DataFileRead' })).toBeUndefined();
    expect(describeWait({ table, waitEventType: null })).toBeUndefined();
  });
  it('names a relation lock and its mode', () => {
    expect(describeWait({ table, waitEventType: 'Lock', waitEvent: 'relation', lock: { type: 'relation', relation: 'public.users_pkey', mode: 'ShareUpdateExclusiveLock' } })).toBe(
      'lock on public.users_pkey (ShareUpdateExclusiveLock)',
    );
    expect(describeWait({ table, waitEventType: 'Lock', waitEvent: 'relation' })).toBe('lock on public.users');
  });
  it('names a concurrent drop waiting for transactions', () => {
    expect(describeWait({ table, waitEventType: 'Lock', waitEvent: 'virtualxid', lock: { type: 'virtualxid' } })).toBe(
      'transactions using public.users to finish',
    );
  });
});

describe('time left', () => {
  it('waits for enough movement before guessing', () => {
    expect(estimateEtaMs({ at: 0, fraction: 0 }, { at: 1_000, fraction: 0.5 })).toBeUndefined();
    expect(estimateEtaMs({ at: 0, fraction: 0 }, { at: 10_000, fraction: 0.01 })).toBeUndefined();
    expect(estimateEtaMs({ at: 0, fraction: 0.5 }, { at: 10_000, fraction: 1 })).toBeUndefined();
  });
  it('extrapolates the average rate', () => {
    expect(estimateEtaMs({ at: 1_000, fraction: 0.1 }, { at: 5_000, fraction: 0.3 })).toBe(14_000);
  });
});

describe('safe builds (others do not wait for them)', () => {
  const weird = column('Weird, (name)', { order: 'desc', nulls: 'last' });
  it.each<[string, DesiredIndex, string, boolean]>([
    ['plain column', desiredIndex('t', 'a', { columns: [column('x')] }), 'CREATE INDEX CONCURRENTLY a ON public.t USING btree (x)', true],
    [
      'unique, quoted column with a comma and parentheses, DESC, INCLUDE',
      desiredIndex('t', 'a', { unique: true, columns: [column('x'), weird], include: ['y'] }),
      'CREATE UNIQUE INDEX CONCURRENTLY a ON public.t USING btree (x, "Weird, (name)" DESC NULLS LAST) INCLUDE (y)',
      true,
    ],
    [
      'operator class',
      desiredIndex('t', 'a', { method: 'gin', columns: [column('tags', { opclass: 'jsonb_path_ops' })] }),
      'CREATE INDEX CONCURRENTLY a ON public.t USING gin (tags jsonb_path_ops)',
      true,
    ],
    [
      'collation and operator class',
      desiredIndex('t', 'a', { columns: [column('name', { collation: 'C', opclass: 'text_pattern_ops' })] }),
      'CREATE INDEX CONCURRENTLY a ON public.t USING btree (name COLLATE "C" text_pattern_ops)',
      true,
    ],
    [
      'storage parameters',
      desiredIndex('t', 'a', { columns: [column('x')], with: [{ name: 'fillfactor', value: '90' }] }),
      "CREATE INDEX CONCURRENTLY a ON public.t USING btree (x) WITH (fillfactor='90')",
      true,
    ],
    ['function call', desiredIndex('t', 'a', { columns: [expression('lower(email)')] }), 'CREATE INDEX CONCURRENTLY a ON public.t USING btree (lower(email))', false],
    [
      'expression',
      desiredIndex('t', 'a', { method: 'gin', columns: [expression("to_tsvector('spanish', coalesce(title, '') || ' ' || coalesce(body, ''))")] }),
      "CREATE INDEX CONCURRENTLY a ON public.t USING gin (to_tsvector('spanish', coalesce(title, '') || ' ' || coalesce(body, '')))",
      false,
    ],
    ['expression in parentheses', desiredIndex('t', 'a', { columns: [expression('a + b')] }), 'CREATE INDEX CONCURRENTLY a ON public.t USING btree ((a + b))', false],
    [
      'partial',
      desiredIndex('t', 'a', { columns: [column('published_date')], where: "status = 'published'" }),
      "CREATE INDEX CONCURRENTLY a ON public.t USING btree (published_date) WHERE (status = 'published')",
      false,
    ],
    [
      'operator class parameters',
      desiredIndex('t', 'a', { method: 'gist', columns: [column('body', { opclass: 'gist_trgm_ops', opclassParams: [{ name: 'siglen', value: '32' }] })] }),
      "CREATE INDEX CONCURRENTLY a ON public.t USING gist (body gist_trgm_ops (siglen='32'))",
      false,
    ],
  ])('%s', (_, index, sql, safe) => {
    const step = buildStep(index, 'a');
    expect(step.sql).toEqual([sql]);
    expect(isSafeBuild(step, 180000)).toBe(safe);
  });

  it('takes any step the plan did not mark as one that holds the others up', () => {
    expect(isSafeBuild({ safe: true }, 140000)).toBe(true);
    expect(isSafeBuild({}, 180000)).toBe(false);
  });

  it('knows that on 13 every build holds up the others', () => {
    expect(isSafeBuild(buildStep(desiredIndex('t', 'a', { columns: [column('x')] }), 'a'), 130010)).toBe(false);
  });
});
