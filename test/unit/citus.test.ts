/* Citus, pure: shard verdicts in words, the live state from the shards, refusals, progress and errors. */
import { describe, expect, it } from 'vitest';
import { withShardNamed } from '../../src/core/citus/errors.js';
import { withCitus } from '../../src/core/citus/live.js';
import type { CitusPlacement, CitusState, CitusTable, ShardIndex } from '../../src/core/citus/model.js';
import { describeShardProgress, shardProgress } from '../../src/core/citus/progress.js';
import { citusRefusals } from '../../src/core/citus/refusals.js';
import { describeVerdict, verifyShards } from '../../src/core/citus/shards.js';
import { computePlan } from '../../src/core/plan.js';
import { costText } from '../../src/ui/plan-text.js';
import { workerTarget } from '../../src/io/citus/workers.js';
import { column, desiredIndex, desiredState, desiredTable, liveIndex, liveState, liveTable, progressRow } from '../helpers/model-builders.js';

const VALID: ShardIndex = { valid: true, ready: true, sizeBytes: 8192, scans: 2 };

function placement(shardId: string, node: string, indexes: Record<string, ShardIndex>, rows = 100): CitusPlacement {
  return { shardId, node, tableBytes: 16384, rows, indexes: new Map(Object.entries(indexes)) };
}

/** orders over 4 shards on two workers; `idx` is on every shard unless `broken` says otherwise. */
function orders(broken: Record<string, ShardIndex | undefined> = {}): CitusTable {
  const shards = ['102008', '102009', '102010', '102011'];
  return {
    schema: 'public',
    name: 'orders',
    type: 'distributed',
    distributionColumn: 'tenant_id',
    accessMethod: 'heap',
    sizeBytes: 65536,
    shardIds: shards,
    placements: shards.map((id, i) => {
      const index = id in broken ? broken[id] : VALID;
      return placement(id, i % 2 === 0 ? '10.0.0.1:5432' : '10.0.0.2:5432', index ? { [`idx_${id}`]: index } : {});
    }),
    shardIndexNames: new Map([['idx', new Map(shards.map((id) => [id, `idx_${id}`]))]]),
  };
}

function state(table: CitusTable): CitusState {
  return { version: '13.2-1', nodes: [], tables: new Map([['public.orders', table]]), columnar: new Set() };
}

describe('shard verdicts', () => {
  it('names the shards that lack the index and those that have it invalid', () => {
    const table = orders({ '102009': undefined, '102011': undefined, '102010': { ...VALID, valid: false } });
    expect(describeVerdict(table, verifyShards(table, 'idx'))).toBe('2 of 4 shards lack it: 102009, 102011; 1 has it invalid: 102010');
    const one = orders({ '102010': { ...VALID, valid: false } });
    expect(describeVerdict(one, verifyShards(one, 'idx'))).toBe('1 of 4 shards has it invalid: 102010');
    expect(describeVerdict(orders(), verifyShards(orders(), 'idx'))).toBeUndefined();
  });

  it('names placements with their node where a shard is on several nodes (a reference table)', () => {
    const table: CitusTable = {
      ...orders(),
      type: 'reference',
      shardIds: ['102016'],
      placements: [placement('102016', 'a:1', { idx_102016: VALID }), placement('102016', 'b:2', {})],
      shardIndexNames: new Map([['idx', new Map([['102016', 'idx_102016']])]]),
    };
    expect(describeVerdict(table, verifyShards(table, 'idx'))).toBe('1 of 2 placements lacks it: 102016 on b:2');
  });

  it('leaves placements that could not be read unjudged', () => {
    const table: CitusTable = { ...orders(), placements: [{ ...placement('102008', 'a:1', {}), error: 'connection refused' }] };
    expect(verifyShards(table, 'idx')).toMatchObject({ missing: [], invalid: [], unread: [table.placements[0]] });
  });
});

describe('the live state from the shards', () => {
  const index = liveIndex('orders', 'idx', 'CREATE INDEX idx ON public.orders USING btree (id)', { sizeBytes: 0, scans: 0 });
  const live = liveState([liveTable('orders', ['id', 'tenant_id'], { sizeBytes: 0 })], [index]);

  it('takes size, rows, shards and nodes from the shards, and sums index sizes and scans over them', () => {
    const result = withCitus(live, state(orders()), { judge: () => true });
    expect(result.tables.get('public.orders')).toMatchObject({ sizeBytes: 65536, estimatedRows: 400, citus: { type: 'distributed', shards: 4, nodes: 2, distributionColumn: 'tenant_id' } });
    expect(result.indexes[0]).toMatchObject({ valid: true, sizeBytes: 4 * 8192, scans: 8 });
  });

  it('turns a declared index with a missing shard index into a rebuild with the shards named', () => {
    const citusLive = withCitus(live, state(orders({ '102009': undefined })), { judge: () => true });
    const desired = desiredState([desiredTable('orders', [desiredIndex('orders', 'idx')])]);
    const canonical = { desired: new Map([['public.idx', { ok: true as const, definition: index.definition }]]), live: new Map<string, string>() };
    const plan = computePlan(desired, citusLive, canonical, { allowEmpty: false, allowLockingDrops: false });
    expect(plan.problems).toEqual([]);
    expect(plan.actions.map((a) => [a.kind, a.reason])).toEqual([['rebuild', '1 of 4 shards lacks it: 102009']]);
    expect(plan.actions[0]).toMatchObject({ cost: { tableBytes: 65536, estimatedRows: 400, shards: 4, nodes: 2 } });
  });

  it('leaves an index it is not asked to judge valid', () => {
    expect(withCitus(live, state(orders({ '102009': undefined })), { judge: () => false }).indexes[0]!.valid).toBe(true);
  });
});

describe("Citus's refusals", () => {
  it('refuses a unique index on a distributed table without its distribution column, and accepts one with it', () => {
    const desired = desiredState([
      desiredTable('orders', [
        desiredIndex('orders', 'uq_bad', { unique: true, columns: [column('ext_id')] }),
        desiredIndex('orders', 'uq_good', { unique: true, columns: [column('ext_id'), column('tenant_id')] }),
      ]),
    ]);
    const refusals = citusRefusals(desired, state(orders()));
    expect([...refusals.keys()]).toEqual(['public.uq_bad']);
    expect(refusals.get('public.uq_bad')).toContain('must have its distribution column "tenant_id" among its key columns');
  });

  it('refuses methods other than btree and hash on a columnar table', () => {
    const desired = desiredState([desiredTable('events', [desiredIndex('events', 'ev_gin', { method: 'gin' }), desiredIndex('events', 'ev_id')])]);
    const refusals = citusRefusals(desired, { version: '13', nodes: [], tables: new Map(), columnar: new Set(['public.events']) });
    expect([...refusals.keys()]).toEqual(['public.ev_gin']);
  });
});

describe('progress per worker', () => {
  const row = (phase: string) => progressRow(phase);

  it('counts shards built of total and shows each worker’s least advanced phase', () => {
    const progress = shardProgress([
      { node: 'a:1', total: 4, built: 1, running: [row('waiting for writers before build'), row('waiting for old snapshots')] },
      { node: 'b:2', total: 4, built: 4, running: [] },
    ]);
    expect(progress.shards).toEqual({
      built: 5,
      total: 8,
      workers: [
        { node: 'a:1', built: 1, total: 4, phase: 'waiting for writers before build' },
        { node: 'b:2', built: 4, total: 4 },
      ],
    });
    expect(progress.phase).toBe('waiting for writers before build');
    expect(describeShardProgress(progress.shards)).toBe('5 of 8 shards built; a:1 waiting for writers before build (1/4), b:2 done (4/4)');
  });
});

describe('costs and errors', () => {
  it('prints a build over shards', () => {
    expect(costText({ tableBytes: 17_268_736, estimatedRows: 200_000, shards: 8, nodes: 2 })).toBe('builds over 16.5 MB in 8 shards on 2 nodes, ~200,000 rows');
    expect(costText({ tableBytes: 147_456, estimatedRows: 300, shards: 1, nodes: 3 })).toBe('builds over 144.0 kB in 1 shard on 3 nodes, ~300 rows');
  });

  it("names the shard and worker of a worker's error", () => {
    expect(withShardNamed('could not create unique index "orders_uq_102018"', 'while executing command on 127.0.0.1:55441')).toBe(
      'could not create unique index "orders_uq_102018" (shard 102018 on worker 127.0.0.1:55441)',
    );
    expect(withShardNamed('lock timeout', 'while executing command on 10.0.0.2:5432')).toBe('lock timeout (on worker 10.0.0.2:5432)');
    expect(withShardNamed('duplicate key', undefined)).toBe('duplicate key');
  });

  it('reaches a worker with the coordinator’s credentials, or a template, the password kept secret', () => {
    const coordinator = { connectionString: 'postgres://app:s3cret@coord:5432/shop?sslmode=require', display: 'x', secrets: ['s3cret'] };
    const worker = workerTarget(coordinator, '10.0.0.7', 6432);
    expect(worker.connectionString).toBe('postgres://app:s3cret@10.0.0.7:6432/shop?sslmode=require');
    expect(worker.display).not.toContain('s3cret');
    expect(workerTarget({ connectionString: 'host=coord dbname=shop user=app', display: 'x', secrets: [] }, 'w1', 5433).connectionString).toBe(
      "host=coord dbname=shop user=app host='w1' port=5433",
    );
    const templated = workerTarget(coordinator, 'w2', 5434, 'postgres://monitor:pw@{host}:{port}/shop');
    expect(templated.connectionString).toBe('postgres://monitor:pw@w2:5434/shop');
    expect(templated.secrets).toContain('pw');
  });
});

describe('distributed builds in the renderers', () => {
  const planned = {
    type: 'planned' as const,
    at: Date.UTC(2026, 0, 1),
    concurrency: 1,
    actions: [{ id: 0, kind: 'create' as const, table: { schema: 'public', name: 'orders' }, index: 'idx', reason: 'r', stepCount: 1 }],
  };
  const shards = { built: 5, total: 8, workers: [{ node: 'a:1', built: 1, total: 4, phase: 'waiting for writers before build' }, { node: 'b:2', built: 4, total: 4 }] };

  it('plain lines: a line for each new shard count, with each worker, and a notice once', async () => {
    const { createPlainFormatter } = await import('../../src/ui/apply-plain.js');
    const { PLAIN } = await import('../../src/ui/color.js');
    const format = createPlainFormatter(PLAIN);
    format(planned);
    const at = planned.at + 1000;
    expect(format({ type: 'progress', at, actionId: 0, phase: 'waiting for writers before build', fraction: 0.62, shards })).toEqual([
      '2026-01-01T00:00:01Z  progress  public.orders idx 62% waiting for writers before build — 5 of 8 shards built; a:1 waiting for writers before build (1/4), b:2 done (4/4)',
    ]);
    expect(format({ type: 'progress', at: at + 100, actionId: 0, phase: 'waiting for writers before build', fraction: 0.62, shards })).toEqual([]);
    expect(format({ type: 'progress', at: at + 200, actionId: 0, phase: 'waiting for writers before build', fraction: 0.63, shards: { ...shards, built: 6 } })).toHaveLength(1);
    expect(format({ type: 'notice', at, message: 'Citus worker a:1 cannot be reached' })).toEqual(['2026-01-01T00:00:01Z  notice    Citus worker a:1 cannot be reached']);
  });

  it('the live UI keeps the shards and the notices', async () => {
    const { reduceAll } = await import('../../src/ui/apply-state.js');
    const { runningRowLines } = await import('../../src/ui/apply-tui.js');
    const { PLAIN } = await import('../../src/ui/color.js');
    const view = reduceAll([
      planned,
      { type: 'action-started', at: planned.at, actionId: 0, pid: 7 },
      { type: 'progress', at: planned.at + 1000, actionId: 0, phase: 'waiting for writers before build', fraction: 0.62, shards },
      { type: 'notice', at: planned.at, message: 'hello' },
    ]);
    expect(view.notices).toEqual(['hello']);
    const lines = runningRowLines({ action: view.actions[0]!, now: planned.at + 2000, columns: 120, colors: PLAIN }).map((l) => l.trimEnd());
    expect(lines.slice(-3)).toEqual([
      '    5 of 8 shards built',
      '      a:1    1/4  waiting for writers before build',
      '      b:2    4/4  done',
    ]);
  });
});
