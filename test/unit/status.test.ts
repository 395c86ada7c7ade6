/* Status core: redundancy (prefix, method, predicate, uniqueness), ratios and budget, flags, summary. */
import type { BloatFacts, IndexBloat } from '../../src/core/bloat.js';
import { describe, expect, it } from 'vitest';
import type { LiveIndex } from '../../src/core/model.js';
import {
  categoriesPresent,
  computeStatus,
  covers,
  findRedundant,
  type LiveIndexKey,
  type LiveIndexShape,
  type StatusFacts,
} from '../../src/core/status.js';
import { PLAIN } from '../../src/ui/color.js';
import { renderStatusMarkdown } from '../../src/ui/status-markdown.js';
import { renderStatusText, statusSummaryLine } from '../../src/ui/status-text.js';
import { desiredIndex, desiredState, desiredTable, liveIndex, liveState, liveTable } from '../helpers/model-builders.js';

function key(expression: string, extra: Partial<LiveIndexKey> = {}): LiveIndexKey {
  return { expression, opclass: expression === 'id' ? 'int4_ops' : 'text_ops', collation: '', options: 0, ...extra };
}

function shape(keys: string[], extra: Partial<LiveIndexShape> = {}): LiveIndexShape {
  return { keys: keys.map((k) => key(k)), include: [], ...extra };
}

const btree = (s: LiveIndexShape): LiveIndexShape & { method: string } => ({ ...s, method: 'btree' });

describe('covers', () => {
  it('takes a leading prefix of btree keys', () => {
    expect(covers(btree(shape(['a', 'b'])), btree(shape(['a'])))).toBe(true);
    expect(covers(btree(shape(['a', 'b'])), btree(shape(['a', 'b'])))).toBe(true);
    expect(covers(btree(shape(['a', 'b'])), btree(shape(['b'])))).toBe(false);
    expect(covers(btree(shape(['a'])), btree(shape(['a', 'b'])))).toBe(false);
    expect(covers(btree(shape(['b', 'a'])), btree(shape(['a', 'b'])))).toBe(false);
  });

  it('needs the same method', () => {
    expect(covers({ ...shape(['a', 'b']), method: 'btree' }, { ...shape(['a']), method: 'hash' })).toBe(false);
    expect(covers({ ...shape(['a']), method: 'gin' }, { ...shape(['a']), method: 'btree' })).toBe(false);
  });

  it('takes only equal keys for methods without a meaningful prefix', () => {
    expect(covers({ ...shape(['a', 'b']), method: 'gin' }, { ...shape(['a']), method: 'gin' })).toBe(false);
    expect(covers({ ...shape(['a']), method: 'gin' }, { ...shape(['a']), method: 'gin' })).toBe(true);
    expect(covers({ ...shape(['a', 'b']), method: 'brin' }, { ...shape(['a']), method: 'brin' })).toBe(false);
  });

  it('needs the same predicate', () => {
    expect(covers(btree(shape(['a', 'b'], { predicate: 'b > 0' })), btree(shape(['a'])))).toBe(false);
    expect(covers(btree(shape(['a', 'b'])), btree(shape(['a'], { predicate: 'b > 0' })))).toBe(false);
    expect(covers(btree(shape(['a', 'b'], { predicate: 'b > 0' })), btree(shape(['a'], { predicate: 'b > 0' })))).toBe(true);
    expect(covers(btree(shape(['a', 'b'], { predicate: 'b > 0' })), btree(shape(['a'], { predicate: 'b > 1' })))).toBe(false);
  });

  it('needs the same order, opclass and collation on each shared key', () => {
    const wide = btree(shape(['a', 'b']));
    expect(covers(wide, btree({ keys: [key('a', { options: 3 })], include: [] }))).toBe(false);
    expect(covers(wide, btree({ keys: [key('a', { opclass: 'text_pattern_ops' })], include: [] }))).toBe(false);
    expect(covers(wide, btree({ keys: [key('a', { collation: 'C' })], include: [] }))).toBe(false);
  });

  it("needs the narrow index's INCLUDE columns among the wide index's columns", () => {
    expect(covers(btree(shape(['a', 'b'])), btree(shape(['a'], { include: ['b'] })))).toBe(true);
    expect(covers(btree(shape(['a'], { include: ['c'] })), btree(shape(['a'], { include: ['c'] })))).toBe(true);
    expect(covers(btree(shape(['a', 'b'])), btree(shape(['a'], { include: ['c'] })))).toBe(false);
  });

  it('compares expressions as the catalog prints them', () => {
    expect(covers(btree(shape(['lower(email)', 'id'])), btree(shape(['lower(email)'])))).toBe(true);
    expect(covers(btree(shape(['lower(email)', 'id'])), btree(shape(['email'])))).toBe(false);
  });
});

function candidate(name: string, s: LiveIndexShape, extra: Partial<LiveIndex> = {}, declared = true) {
  return { index: liveIndex('t', name, `CREATE INDEX ${name} ON public.t USING btree (x)`, extra), shape: s, declared };
}

describe('findRedundant', () => {
  it('names the index that covers a prefix index', () => {
    const result = findRedundant([candidate('t_a', shape(['a'])), candidate('t_a_b', shape(['a', 'b']))]);
    expect([...result]).toEqual([['t_a', 't_a_b']]);
  });

  it('never calls a unique or constraint-backed index redundant: it enforces something', () => {
    const result = findRedundant([
      candidate('t_a_key', shape(['a']), { unique: true }),
      candidate('t_id_ex', shape(['id']), { constraint: { name: 't_id_ex', type: 'x' } }),
      candidate('t_a_b', shape(['a', 'b'])),
      candidate('t_id_b', shape(['id', 'b'])),
    ]);
    expect([...result]).toEqual([]);
  });

  it('lets a unique index make a plain one with the same keys redundant', () => {
    const result = findRedundant([candidate('t_a', shape(['a'])), candidate('t_a_key', shape(['a']), { unique: true })]);
    expect([...result]).toEqual([['t_a', 't_a_key']]);
  });

  it('calls only one of two identical plain indexes redundant: the undeclared one, else the later name', () => {
    expect([...findRedundant([candidate('a_first', shape(['a'])), candidate('b_second', shape(['a']))])]).toEqual([['b_second', 'a_first']]);
    expect([...findRedundant([candidate('a_first', shape(['a']), {}, false), candidate('b_second', shape(['a']))])]).toEqual([
      ['a_first', 'b_second'],
    ]);
  });

  it('ignores invalid indexes on either side, and indexes being built', () => {
    expect([...findRedundant([candidate('t_a', shape(['a'])), candidate('t_a_b', shape(['a', 'b']), { valid: false })])]).toEqual([]);
    expect([...findRedundant([candidate('t_a', shape(['a']), { valid: false }), candidate('t_a_b', shape(['a', 'b']))])]).toEqual([]);
    expect([
      ...findRedundant([candidate('t_a', shape(['a'])), candidate('t_a_b', shape(['a', 'b']), { valid: false, build: { pid: 7, phase: 'building index' } })]),
    ]).toEqual([]);
  });

  it('names the narrowest covering index when several cover it', () => {
    const result = findRedundant([
      candidate('t_a', shape(['a'])),
      candidate('t_a_b_c', shape(['a', 'b', 'c'])),
      candidate('t_a_b', shape(['a', 'b'])),
    ]);
    expect(result.get('t_a')).toBe('t_a_b');
    expect(result.get('t_a_b')).toBe('t_a_b_c');
  });
});

// ---- the whole report ----

const MB = 1024 * 1024;

function facts(shapes: Record<string, LiveIndexShape>, indexBytes: Record<string, number>, tableBytes: Record<string, number>, statsReset?: string): StatusFacts {
  const qualify = (o: Record<string, unknown>) => Object.keys(o).map((k) => `public.${k}`);
  return {
    ...(statsReset === undefined ? {} : { statsReset }),
    shapes: new Map(qualify(shapes).map((k, i) => [k, Object.values(shapes)[i]!])),
    indexBytes: new Map(qualify(indexBytes).map((k, i) => [k, Object.values(indexBytes)[i]!])),
    tableBytes: new Map(qualify(tableBytes).map((k, i) => [k, Object.values(tableBytes)[i]!])),
  };
}

function scenario(budget?: number) {
  const desired = {
    ...desiredState([
      desiredTable('orders', [desiredIndex('orders', 'orders_customer'), desiredIndex('orders', 'orders_customer_date'), desiredIndex('orders', 'orders_not_built')], {
        maintenance: { maxBloat: 0.4, minBloatBytes: 1 * MB },
      }),
      desiredTable('events', [desiredIndex('events', 'events_at')]),
      desiredTable('ghost', [desiredIndex('ghost', 'ghost_idx')]),
    ]),
    budgets: budget === undefined ? {} : { indexToTableRatio: budget },
  };
  const live = liveState(
    [liveTable('orders', ['id', 'customer', 'date']), liveTable('events', ['at']), liveTable('empty', ['x'])],
    [
      liveIndex('orders', 'orders_pkey', 'CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)', { constraint: { name: 'orders_pkey', type: 'p' }, scans: 0 }),
      liveIndex('orders', 'orders_customer', 'CREATE INDEX orders_customer ON public.orders USING btree (customer)', { scans: 12 }),
      liveIndex('orders', 'orders_customer_date', 'CREATE INDEX orders_customer_date ON public.orders USING btree (customer, date)', { scans: 0 }),
      liveIndex('orders', 'orders_old', 'CREATE INDEX orders_old ON public.orders USING btree (date)', { valid: false }),
      liveIndex('orders', 'orders_new', 'CREATE INDEX orders_new ON public.orders USING btree (date)', { valid: false, build: { pid: 4242, phase: 'building index: scanning table' } }),
      liveIndex('events', 'events_at', 'CREATE INDEX events_at ON ONLY public.events USING btree (at)', { partitioned: true, scans: 3, lastScan: '2026-01-02T03:04:05+00:00' }),
      // A partition's child index is part of events_at, not a row of its own.
      liveIndex('events_2026', 'events_2026_at_idx', 'CREATE INDEX events_2026_at_idx ON public.events_2026 USING btree (at)', { parentIndex: 'public.events_at' }),
    ],
  );
  const f = facts(
    {
      orders_pkey: shape(['id']),
      orders_customer: shape(['customer']),
      orders_customer_date: shape(['customer', 'date']),
      orders_old: shape(['date']),
      orders_new: shape(['date']),
      events_at: shape(['at']),
    },
    { orders_pkey: 1 * MB, orders_customer: 2 * MB, orders_customer_date: 3 * MB, orders_old: 1 * MB, orders_new: 0, events_at: 1 * MB },
    { orders: 20 * MB, events: 10 * MB },
  );
  const bloat: BloatFacts = {
    method: 'estimated',
    indexes: new Map<string, IndexBloat>([
      ['public.orders_pkey', { kind: 'estimated', sizeBytes: 1 * MB, expectedBytes: 1 * MB, wastedBytes: 0, ratio: 0 }],
      ['public.orders_customer', { kind: 'estimated', sizeBytes: 2 * MB, expectedBytes: 1.9 * MB, wastedBytes: 0.1 * MB, ratio: 0.05 }],
      // Past maxBloat 40% and minBloatSize 1MB: the plan reindexes it.
      ['public.orders_customer_date', { kind: 'estimated', sizeBytes: 3 * MB, expectedBytes: 1.2 * MB, wastedBytes: 1.8 * MB, ratio: 0.6 }],
      ['public.events_2026_at_idx', { kind: 'unknown', reason: 'no statistics for column 1: ANALYZE the table' }],
    ]),
    leaves: new Map([['public.events_at', [{ schema: 'public', table: 'events_2026', name: 'events_2026_at_idx' }]]]),
  };
  return { desired, live, facts: { ...f, bloat } };
}

describe('computeStatus', () => {
  it('reports sizes, ratios, flags and what makes an index redundant', () => {
    const { desired, live, facts: f } = scenario(0.25);
    const report = computeStatus(desired, live, f);
    const orders = report.tables[0]!;
    expect(orders).toMatchObject({ schema: 'public', name: 'orders', exists: true, sizeBytes: 20 * MB, indexBytes: 7 * MB, ratio: 0.35, overBudget: true, missing: ['orders_not_built'] });
    expect(orders.indexes.map((i) => [i.name, i.ratio, i.flags, i.redundantTo ?? null])).toEqual([
      ['orders_pkey', 0.05, ['constraint'], null],
      ['orders_customer', 0.1, ['redundant'], 'orders_customer_date'],
      ['orders_customer_date', 0.15, ['bloated', 'unused'], null],
      ['orders_old', 0.05, ['invalid', 'unmanaged'], null],
      ['orders_new', 0, ['building', 'unmanaged'], null],
    ]);
    const events = report.tables[1]!;
    expect(events).toMatchObject({ ratio: 0.1, overBudget: false, missing: [] });
    expect(events.indexes.map((i) => [i.name, i.scans, i.lastScan, i.flags])).toEqual([['events_at', 3, '2026-01-02T03:04:05+00:00', []]]);
    expect(report.tables[2]).toMatchObject({ name: 'ghost', exists: false, indexes: [], missing: ['ghost_idx'] });
    expect(report.summary).toEqual({
      tables: 3,
      missingTables: 1,
      indexes: 6,
      invalid: 1,
      building: 1,
      redundant: 1,
      unused: 1,
      unmanaged: 2,
      bloated: 1,
      missingIndexes: 2,
      tablesOverBudget: 1,
    });
    expect(categoriesPresent(report)).toEqual([
      { category: 'budget', count: 1 },
      { category: 'invalid', count: 1 },
      { category: 'redundant', count: 1 },
      { category: 'unused', count: 1 },
      { category: 'bloat', count: 1 },
    ]);
  });

  it('holds the total index size to the budget: at the budget is within it', () => {
    const { desired, live, facts: f } = scenario(0.35);
    expect(computeStatus(desired, live, f).tables[0]!.overBudget).toBe(false);
    const tight = scenario(0.349);
    expect(computeStatus(tight.desired, tight.live, tight.facts).tables[0]!.overBudget).toBe(true);
  });

  it('has no budget flag without a budget, and no ratio for a table without size', () => {
    const { desired, live, facts: f } = scenario();
    const empty = { ...f, tableBytes: new Map([['public.orders', 0]]) };
    const report = computeStatus(desired, live, empty);
    expect(report.budget).toBeUndefined();
    expect(report.tables[0]!.ratio).toBeUndefined();
    expect(report.tables[0]!.indexes[0]!.ratio).toBeUndefined();
    expect(report.tables.every((t) => !t.overBudget)).toBe(true);
    expect(categoriesPresent(report).map((c) => c.category)).toEqual(['invalid', 'redundant', 'unused', 'bloat']);
  });

  it('falls back to the live state when an index went away between the reads', () => {
    const { desired, live } = scenario();
    const report = computeStatus(desired, live, { shapes: new Map(), indexBytes: new Map(), tableBytes: new Map() });
    const customer = report.tables[0]!.indexes[1]!;
    expect(customer).toMatchObject({ name: 'orders_customer', keys: [], sizeBytes: 8192, flags: [] });
  });

  it('calls unmanaged only what the manifest could adopt, as the plan does', () => {
    const events2024 = liveTable('events_2024', ['id', 'at']);
    const live = liveState(
      [events2024],
      [
        liveIndex('events_2024', 'events_2024_at_idx', 'CREATE INDEX events_2024_at_idx ON public.events_2024 USING btree (at)', { parentIndex: 'public.events_at' }),
        liveIndex('events_2024', 'events_2024_id', 'CREATE UNIQUE INDEX events_2024_id ON public.events_2024 USING btree (id)', { referencedByForeignKeys: ['public.x.x_fkey'] }),
        liveIndex('events_2024', 'events_2024_ext', 'CREATE INDEX events_2024_ext ON public.events_2024 USING btree (id)', { extension: 'ext' }),
        liveIndex('events_2024', 'events_2024_own', 'CREATE INDEX events_2024_own ON public.events_2024 USING btree (at, id)'),
      ],
    );
    const report = computeStatus(desiredState([desiredTable('events_2024', [])]), live, { shapes: new Map(), indexBytes: new Map(), tableBytes: new Map() });
    expect(report.tables[0]!.indexes.map((i) => [i.name, i.flags.includes('unmanaged')])).toEqual([
      ['events_2024_at_idx', false],
      ['events_2024_id', true],
      ['events_2024_ext', false],
      ['events_2024_own', true],
    ]);
  });
});

describe('status renderers', () => {
  it('prints an aligned table per declared table and a closing line', () => {
    const { desired, live, facts: f } = scenario(0.2);
    const report = computeStatus(desired, live, { ...f, statsReset: '2026-01-01T00:00:00Z' });
    expect(renderStatusText(report, PLAIN)).toBe(
      [
        'Index status of indexes.yaml on PostgreSQL 18.4',
        'Scans are counted by this server since its statistics were last reset 2026-01-01T00:00:00Z; a replica counts its own, so check it before dropping an index unused here.',
        'Bloat: ~ estimated from statistics (btree only; equal keys that a build deduplicates are counted from pg_stats distinct counts; ? where deduplication could not be modelled, and the figure may read low); --exact-bloat measures btree, hash and gist indexes with pgstattuple, reading each whole; other methods are not measured.',
        '',
        'public.orders  table 20.0 MB, indexes 7.0 MB = 35.0% of the table (budget 20%): over budget',
        '  index                 valid     size  ratio   bloat  scans  flags',
        '  orders_pkey           yes     1.0 MB   5.0%   ~0.0%      0  constraint (primary key)',
        '  orders_customer       yes     2.0 MB  10.0%   ~5.0%     12  redundant: orders_customer_date covers it',
        '  orders_customer_date  yes     3.0 MB  15.0%  ~60.0%      0  bloated: 3.0 MB → ~1.2 MB, reconcile apply reindexes it, unused',
        '  orders_old            no      1.0 MB   5.0%       -      0  invalid, unmanaged',
        '  orders_new            no     0 bytes   0.0%       -      0  being built by pid 4242 (building index: scanning table), unmanaged',
        '  orders_not_built      -            -      -       -      -  missing: reconcile apply creates it',
        '',
        'public.events  table 10.0 MB, indexes 1.0 MB = 10.0% of the table (budget 20%)',
        '  index      valid    size  ratio  bloat  scans  flags',
        '  events_at  yes    1.0 MB  10.0%      -      3',
        '',
        'public.ghost  does not exist (1 declared index)',
        '',
        '3 tables, 6 indexes: 1 invalid, 1 redundant, 1 unused, 1 being built, 1 bloated, 1 table over the 20% budget. 1 declared table does not exist and 2 declared indexes are missing: see reconcile plan.',
        '',
      ].join('\n'),
    );
  });

  it('says nothing of a budget the manifest does not set', () => {
    const { desired, live, facts: f } = scenario();
    expect(statusSummaryLine(computeStatus(desired, live, f))).toBe(
      '3 tables, 6 indexes: 1 invalid, 1 redundant, 1 unused, 1 being built, 1 bloated. 1 declared table does not exist and 2 declared indexes are missing: see reconcile plan.',
    );
  });

  it('writes markdown tables', () => {
    const { desired, live, facts: f } = scenario(0.2);
    const text = renderStatusMarkdown(computeStatus(desired, live, f));
    expect(text.split('\n').slice(0, 15)).toEqual([
      '### Index status for `indexes.yaml`',
      '',
      '**3 tables, 6 indexes: 1 invalid, 1 redundant, 1 unused, 1 being built, 1 bloated, 1 table over the 20% budget. 1 declared table does not exist and 2 declared indexes are missing: see reconcile plan.**',
      '',
      'PostgreSQL 18.4. Scans are counted by this server since its statistics were never reset; a replica counts its own, so check it before dropping an index unused here.',
      '',
      'Bloat: ~ estimated from statistics (btree only; equal keys that a build deduplicates are counted from pg_stats distinct counts; ? where deduplication could not be modelled, and the figure may read low); --exact-bloat measures btree, hash and gist indexes with pgstattuple, reading each whole; other methods are not measured.',
      '',
      '#### `public.orders`: table 20.0 MB, indexes 7.0 MB = 35.0% of the table (budget 20%), **over budget**',
      '',
      '| index | valid | size | ratio | bloat | scans | flags |',
      '|---|---|--:|--:|--:|--:|---|',
      '| `orders_pkey` | yes | 1.0 MB | 5.0% | ~0.0% | 0 | constraint (primary key) |',
      '| `orders_customer` | yes | 2.0 MB | 10.0% | ~5.0% | 12 | redundant: orders_customer_date covers it |',
      '| `orders_customer_date` | yes | 3.0 MB | 15.0% | ~60.0% | 0 | bloated: 3.0 MB → ~1.2 MB, reconcile apply reindexes it, unused |',
    ]);
  });
});

describe('status of names with line breaks and escapes in them', () => {
  it('prints them escaped in text and markdown', () => {
    const desired = desiredState([desiredTable('docs', [desiredIndex('docs', 'docs_id')])]);
    const evil = 'evil\n+ forged | `x`';
    const live = liveState(
      [liveTable('docs', ['id'])],
      [
        liveIndex('docs', 'docs_id', 'CREATE INDEX docs_id ON public.docs USING btree (id)', { scans: 5 }),
        liveIndex('docs', evil, `CREATE INDEX "${evil}" ON public.docs USING btree (id)`, { scans: 5 }),
        liveIndex('docs', 'docs_key', 'CREATE UNIQUE INDEX docs_key ON public.docs USING btree (id)', {
          constraint: { name: 'docs\u001b[2Jkey', type: 'u' },
          scans: 5,
        }),
      ],
    );
    const f = facts({ docs_id: shape(['id']), [evil]: shape(['id']), docs_key: shape(['id']) }, { docs_id: MB, [evil]: MB, docs_key: MB }, { docs: 10 * MB });
    const report = computeStatus(desired, live, f);
    expect(renderStatusText(report, PLAIN).split('\n').slice(4, 9)).toEqual([
      'public.docs  table 10.0 MB, indexes 3.0 MB = 30.0% of the table',
      '  index                   valid    size  ratio  bloat  scans  flags',
      '  docs_id                 yes    1.0 MB  10.0%      -      5  redundant: docs_key covers it',
      '  "evil\\n+ forged | `x`"  yes    1.0 MB  10.0%      -      5  redundant: docs_id covers it, unmanaged',
      '  docs_key                yes    1.0 MB  10.0%      -      5  constraint "docs\\x1b[2Jkey" (unique constraint)',
    ]);
    expect(renderStatusMarkdown(report).split('\n').slice(10, 15)).toEqual([
      '| index | valid | size | ratio | bloat | scans | flags |',
      '|---|---|--:|--:|--:|--:|---|',
      '| `docs_id` | yes | 1.0 MB | 10.0% | - | 5 | redundant: docs_key covers it |',
      "| `\"evil\\n+ forged \\| 'x'\"` | yes | 1.0 MB | 10.0% | - | 5 | redundant: docs_id covers it, unmanaged |",
      '| `docs_key` | yes | 1.0 MB | 10.0% | - | 5 | constraint "docs\\x1b[2Jkey" (unique constraint) |',
    ]);
  });
});
