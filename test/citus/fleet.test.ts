/*
 * A Citus coordinator in a fleet is planned as it is alone: costs from the shards, and a shard that lacks
 * its index turned into a rebuild.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShop, freshCitusDatabase, SHOP_MANIFEST, type CitusDatabase } from './cluster.js';

let db: CitusDatabase;

beforeAll(async () => {
  db = freshCitusDatabase('citus_fleet');
  await createShop(db, 20_000);
});

afterAll(async () => {
  await db.end();
});

interface PlannedAction {
  readonly kind: string;
  readonly index: string;
  readonly cost?: { readonly shards?: number };
}

interface FleetPlanJson {
  readonly plans: readonly { readonly targets: readonly string[]; readonly actions: readonly PlannedAction[] }[];
}

describe('a Citus coordinator in a fleet', () => {
  it('plans with the costs from its shards, as one database does', async () => {
    const dir = db.manifest(SHOP_MANIFEST);
    writeFileSync(path.join(dir, 'targets.yaml'), `version: 1\nmanifest: indexes.yaml\ntargets:\n  - name: shop\n    url: env:SHOP_URL\n`);
    const fleet = await db.cli(['plan', '--targets', 'targets.yaml', '--format', 'json'], { env: { SHOP_URL: db.url } });
    const alone = await db.cli(['plan', '--format', 'json']);
    expect(fleet.stderr).toBe('');
    const document = JSON.parse(fleet.stdout) as FleetPlanJson;
    const actions = document.plans.flatMap((plan) => plan.actions);
    const single = (JSON.parse(alone.stdout) as { actions: readonly PlannedAction[] }).actions;
    expect(actions.find((a) => a.index === 'orders_status')?.cost?.shards).toBe(8);
    expect(actions.map((a) => [a.kind, a.index, a.cost?.shards])).toEqual(single.map((a) => [a.kind, a.index, a.cost?.shards]));
  });
});
