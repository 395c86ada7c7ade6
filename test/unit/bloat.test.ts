/* Bloat arithmetic: page layout, the estimate, the measures, partitioned sums, thresholds. */
import { describe, expect, it } from 'vitest';
import { averageItemWidth, bloatOf, estimateBtreeBloat, freshBtreePages, isBloated, measureBtreeBloat, sumBloat, type BloatFacts, type ColumnStats } from '../../src/core/bloat.js';
import { reindexAction } from '../../src/core/plan-reindex.js';
import { liveIndex } from '../helpers/model-builders.js';
import { indexKey } from '../../src/core/model.js';

const int4: ColumnStats = { nullFraction: 0, averageWidth: 4, length: 4, align: 'i' };
const text13: ColumnStats = { nullFraction: 0, averageWidth: 13, length: -1, align: 'i' };

describe('bloat arithmetic', () => {
  it('lays a tuple out as PostgreSQL does: header, aligned data, line pointer; a null costs the bitmap', () => {
    expect(averageItemWidth([int4], 8)).toBe(20);
    expect(averageItemWidth([text13], 8)).toBe(28);
    // Half the tuples are a lone null: 16 bytes of header and bitmap, no data.
    expect(averageItemWidth([{ ...int4, nullFraction: 0.5 }], 8)).toBe(20);
    // int4 then int8: the int8 is aligned to 8.
    expect(averageItemWidth([int4, { nullFraction: 0, averageWidth: 8, length: 8, align: 'd' }], 8)).toBe(28);
  });

  it('counts a fresh build as PostgreSQL fills it: 100,000 int4 keys take 276 pages at fillfactor 90', () => {
    expect(freshBtreePages(100_000, 20, 8192, 90)).toBe(276);
    expect(freshBtreePages(0, 20, 8192, 90)).toBe(2);
  });

  it('estimates the wasted share against the pages the index has, or says why it cannot', () => {
    const input = { blockSize: 8192, maxAlign: 8, tuples: 100_000, fillfactor: 90, columns: [int4], hasNameColumn: false };
    expect(estimateBtreeBloat({ ...input, pages: 276 })).toEqual({ kind: 'estimated', sizeBytes: 276 * 8192, expectedBytes: 276 * 8192, wastedBytes: 0, ratio: 0 });
    expect(estimateBtreeBloat({ ...input, pages: 1104 })).toEqual({ kind: 'estimated', sizeBytes: 1104 * 8192, expectedBytes: 276 * 8192, wastedBytes: 828 * 8192, ratio: 0.75 });
    expect(estimateBtreeBloat({ ...input, pages: 10, tuples: undefined })).toEqual({ kind: 'unknown', reason: 'never vacuumed or analyzed: no tuple count' });
    expect(estimateBtreeBloat({ ...input, pages: 10, columns: [int4, undefined] })).toEqual({ kind: 'unknown', reason: 'no statistics for column 2: ANALYZE the table' });
    expect(estimateBtreeBloat({ ...input, pages: 10, hasNameColumn: true }).kind).toBe('unknown');
  });

  it('measures from pgstatindex: live leaf data as a fresh build would pack it', () => {
    // 1,000 leaves 18% full; a build fills them to 90% of what a page holds less its reserve: 201 leaves, 1 inner page, the meta page.
    const measured = measureBtreeBloat({ blockSize: 8192, indexBytes: 1_005 * 8192, internalPages: 4, leafPages: 1_000, averageLeafDensity: 18, fillfactor: 90 });
    expect(measured).toMatchObject({ kind: 'measured', expectedBytes: 203 * 8192 });
    expect(measured.kind !== 'unknown' && Math.round(measured.ratio * 1000)).toBe(798);
  });

  it('sums the leaves of a partitioned index, unknown when any leaf is', () => {
    const a = { kind: 'estimated' as const, sizeBytes: 100, expectedBytes: 20, wastedBytes: 80, ratio: 0.8 };
    const b = { kind: 'measured' as const, sizeBytes: 100, expectedBytes: 100, wastedBytes: 0, ratio: 0 };
    expect(sumBloat([a, b])).toEqual({ kind: 'estimated', sizeBytes: 200, expectedBytes: 120, wastedBytes: 80, ratio: 0.4 });
    expect(sumBloat([a, { kind: 'unknown', reason: 'x' }])).toEqual({ kind: 'unknown', reason: 'x' });
  });

  it('is bloated past both thresholds only', () => {
    const figure = { kind: 'estimated' as const, sizeBytes: 100, expectedBytes: 40, wastedBytes: 60, ratio: 0.6 };
    expect(isBloated(figure, 0.5, 60)).toBe(true);
    expect(isBloated(figure, 0.6, 0)).toBe(false);
    expect(isBloated(figure, 0.5, 61)).toBe(false);
    expect(isBloated({ kind: 'unknown', reason: 'x' }, 0, 0)).toBe(false);
  });
});

describe('bloat figures by index', () => {
  it('finds the figure of an index whose schema holds a dot, keyed as the reader keys it', () => {
    const figure = { kind: 'estimated', ratio: 0.5, sizeBytes: 2_000_000, expectedBytes: 1_000_000, wastedBytes: 1_000_000 } as const;
    const facts: BloatFacts = { method: 'estimated', indexes: new Map([[indexKey('a.b', 'c_x'), figure]]), leaves: new Map() };
    expect(bloatOf(facts, { schema: 'a.b', name: 'c_x', partitioned: false })).toEqual(figure);
    expect(bloatOf(facts, { schema: 'a', name: 'b.c_x', partitioned: false }).kind).toBe('unknown');
  });
});

describe('the reindex action', () => {
  it('carries the caveat of an estimate that may read low', () => {
    const caveat = 'deduplication not modelled: column 1: its operator class decides with my_equalimage';
    const figure = { kind: 'estimated', ratio: 0.5, sizeBytes: 2_000_000, expectedBytes: 1_000_000, wastedBytes: 1_000_000, caveat } as const;
    const facts: BloatFacts = { method: 'estimated', indexes: new Map([[indexKey('public', 't_x'), figure]]), leaves: new Map() };
    const action = reindexAction({ schema: 'public', name: 't' }, liveIndex('t', 't_x', 'CREATE INDEX t_x ON public.t USING btree (x)'), { maxBloat: 0.3, minBloatBytes: 0 }, facts);
    expect(action?.bloat).toEqual({ method: 'estimated', ratio: 0.5, sizeBytes: 2_000_000, expectedBytes: 1_000_000, roomBytes: 1_000_000, caveat });
  });
});
