/* btree deduplication in the bloat estimate: when a build deduplicates, posting list sizes, leaf pages, caveats. */
import { describe, expect, it } from 'vitest';
import { bloatDocument, estimateBtreeBloat, freshBtreePages, type ColumnStats } from '../../src/core/bloat.js';
import { bloatCell } from '../../src/ui/status-text.js';
import { deduplicationOf, dedupLeafPages, distinctCount, groupItems, leafCapacity, maxPostingTids, type DedupFacts } from '../../src/core/bloat-dedup.js';

const int4: ColumnStats = { nullFraction: 0, averageWidth: 4, length: 4, align: 'i' };
const text13: ColumnStats = { nullFraction: 0, averageWidth: 13, length: -1, align: 'i' };
const plainKey = { equalImage: 'btequalimage', deterministic: true };
const facts: DedupFacts = { serverVersionNum: 180004, unique: false, deduplicateItems: undefined, hasInclude: false, keys: [plainKey] };
const layout = { blockSize: 8192, maxAlign: 8, tuples: 40_000, fillfactor: 90, hasNameColumn: false, deduplication: { kind: 'yes' as const } };

describe('whether a fresh build deduplicates', () => {
  it('does on 13+ for a plain non-unique index, and for text under a deterministic collation', () => {
    expect(deduplicationOf(facts)).toEqual({ kind: 'yes' });
    expect(deduplicationOf({ ...facts, serverVersionNum: 130000, deduplicateItems: 'on' })).toEqual({ kind: 'yes' });
    expect(deduplicationOf({ ...facts, keys: [plainKey, { equalImage: 'btvarstrequalimage', deterministic: true }] })).toEqual({ kind: 'yes' });
  });

  it('does not before 13, for unique indexes, with deduplicate_items off in any spelling, with INCLUDE, or without equal images', () => {
    expect(deduplicationOf({ ...facts, serverVersionNum: 120015 })).toEqual({ kind: 'no', reason: 'before PostgreSQL 13' });
    expect(deduplicationOf({ ...facts, unique: true })).toEqual({ kind: 'no', reason: 'a unique index: a build does not deduplicate' });
    for (const off of ['off', 'OFF', 'false', 'f', 'no', '0', 'of']) {
      expect(deduplicationOf({ ...facts, deduplicateItems: off }), off).toEqual({ kind: 'no', reason: 'deduplicate_items is off' });
    }
    expect(deduplicationOf({ ...facts, hasInclude: true })).toEqual({ kind: 'no', reason: 'INCLUDE columns' });
    // numeric, float4/8, jsonb, arrays, composites and ranges have no equalimage function.
    expect(deduplicationOf({ ...facts, keys: [plainKey, { equalImage: undefined, deterministic: true }] })).toEqual({
      kind: 'no',
      reason: 'column 2: its operator class cannot deduplicate',
    });
    expect(deduplicationOf({ ...facts, keys: [{ equalImage: 'btvarstrequalimage', deterministic: false }] })).toEqual({
      kind: 'no',
      reason: 'column 1: a nondeterministic collation',
    });
  });

  it('cannot tell for an operator class whose equalimage function is not one of the built-in two', () => {
    expect(deduplicationOf({ ...facts, keys: [{ equalImage: 'ext.my_equalimage', deterministic: true }] })).toEqual({
      kind: 'unknown',
      reason: 'column 1: its operator class decides with ext.my_equalimage',
    });
  });
});

describe('posting lists and leaf pages of a deduplicating build', () => {
  it('reads n_distinct as a count: negative is a share of the rows; a partial index holds a random subset', () => {
    expect(distinctCount(100, 40_000)).toBe(100);
    expect(distinctCount(-0.25, 40_000)).toBe(10_000);
    // 100 values of 400 rows each: a tenth of the rows still holds every one; a thousandth, 40 of them.
    expect(distinctCount(100, 40_000, 4_000)).toBeCloseTo(100, 3);
    expect(distinctCount(100, 40_000, 40)).toBeCloseTo(33, 0);
    expect(distinctCount(-1, 40_000, 4_000)).toBeCloseTo(4_000, 3);
  });

  it('caps a posting list tuple at a tenth of a page: 132 heap TIDs after an int4 key, 130 after a 13-byte text', () => {
    expect(maxPostingTids(16, 8192, 8)).toBe(132);
    expect(maxPostingTids(24, 8192, 8)).toBe(130);
  });

  it('stores 400 TIDs of one key as three full posting lists and one of 4, and 1.5 TIDs a key as half plain, half pairs', () => {
    // 3 × (808 + 4) + (MAXALIGN(16 + 24) + 4) = 2,480 bytes a key; 6 bytes for each TID.
    expect(groupItems({ rows: 40_000, keys: 100, baseBytes: 16 }, 8192, 8)).toEqual({ bytes: 248_000, items: 400, postingBytes: 240_000 });
    // A single TID is a plain 16-byte tuple; a pair is MAXALIGN(16 + 12) = 32.
    expect(groupItems({ rows: 150, keys: 100, baseBytes: 16 }, 8192, 8)).toEqual({ bytes: 2_800, items: 100, postingBytes: 800 });
  });

  it('fills a leaf page as a build does: 9 full posting lists, 366 plain int4 tuples, 92 small posting lists', () => {
    expect(leafCapacity(812, 792, 8192, 90)).toBe(9);
    expect(leafCapacity(20, 0, 8192, 90)).toBe(366);
    // The soft fillfactor limit counts the last posting list, which the high key drops.
    expect(leafCapacity(80, 60, 8192, 90)).toBe(92);
    expect(dedupLeafPages([{ rows: 40_000, keys: 100, baseBytes: 16 }], 8192, 8, 90)).toBe(34);
  });
});

describe('the estimate with deduplication', () => {
  it('expects 36 pages for 40,000 rows over 100 int4 keys, 59 for a column 70% null, 38 for 1,000 texts (PostgreSQL builds 36, 60, 39)', () => {
    const level = estimateBtreeBloat({ ...layout, pages: 168, columns: [{ ...int4, distinct: 100 }] });
    expect(level).toMatchObject({ kind: 'estimated', expectedBytes: 36 * 8192 });
    expect(level.kind !== 'unknown' && level.ratio).toBeCloseTo(0.786, 3);
    expect(estimateBtreeBloat({ ...layout, pages: 183, columns: [{ ...int4, nullFraction: 0.7, distinct: 12_000 }] })).toMatchObject({ expectedBytes: 59 * 8192 });
    expect(estimateBtreeBloat({ ...layout, pages: 173, columns: [{ ...text13, distinct: 1_000 }] })).toMatchObject({ expectedBytes: 38 * 8192 });
  });

  it('counts the combinations of several columns as the product of their distinct counts, capped at the rows', () => {
    const input = { ...layout, tuples: 100_000, pages: 1_000 };
    expect(estimateBtreeBloat({ ...input, columns: [{ ...int4, distinct: 10 }, { ...int4, distinct: 20 }] })).toMatchObject({ expectedBytes: 91 * 8192 });
    // 1,000 × 1,000 combinations for 100,000 rows: no key twice, the plain build (int4, int4: 20-byte items).
    const unique = estimateBtreeBloat({ ...input, columns: [{ ...int4, distinct: 1_000 }, { ...int4, distinct: 1_000 }] });
    expect(unique).toMatchObject({ expectedBytes: freshBtreePages(100_000, 20, 8192, 90) * 8192 });
  });

  it('is the plain estimate where a build does not deduplicate, and says so where it cannot tell', () => {
    const columns = [{ ...int4, distinct: 100 }];
    const plain = estimateBtreeBloat({ ...layout, pages: 168, columns: [int4], deduplication: undefined });
    expect(estimateBtreeBloat({ ...layout, pages: 168, columns, deduplication: { kind: 'no', reason: 'x' } })).toEqual(plain);
    expect(plain).toEqual({ kind: 'estimated', sizeBytes: 168 * 8192, expectedBytes: 112 * 8192, wastedBytes: 56 * 8192, ratio: 1 / 3 });
    expect(estimateBtreeBloat({ ...layout, pages: 168, columns, deduplication: { kind: 'unknown', reason: 'column 1: its operator class decides with f' } })).toEqual({
      ...plain,
      caveat: 'deduplication not modelled: column 1: its operator class decides with f',
    });
    expect(estimateBtreeBloat({ ...layout, pages: 168, columns: [int4] })).toEqual({ ...plain, caveat: 'deduplication not modelled: no distinct count for column 1' });
  });

  it('carries the caveat into the JSON document, and marks the status cell with ?', () => {
    const figure = { kind: 'estimated' as const, sizeBytes: 100, expectedBytes: 40, wastedBytes: 60, ratio: 0.6 };
    expect(bloatCell(figure)).toBe('~60.0%');
    expect(bloatCell({ ...figure, caveat: 'c' })).toBe('~60.0%?');
    expect(bloatDocument(figure)).toEqual({ method: 'estimated', ratio: 0.6, sizeBytes: 100, expectedBytes: 40, wastedBytes: 60 });
    expect(bloatDocument({ ...figure, caveat: 'c' })).toEqual({ method: 'estimated', ratio: 0.6, sizeBytes: 100, expectedBytes: 40, wastedBytes: 60, caveat: 'c' });
  });
});
