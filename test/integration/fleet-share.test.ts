/*
 * Canonical forms shared between targets must be keyed on everything that changes them: targets that
 * differ only in a column's type, a column's collation or an enum's labels each get their own, true plan.
 * Without the column shapes and the database's own objects in the key, the second target of each pair
 * would take the first one's canonical form and plan a false replace (or miss a refusal).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { FleetPlanDocument } from '../../src/core/fleet/plan-document.js';
import { runInProcess } from '../helpers/in-process.js';

const PREFIX = `fs${process.pid}_`;
let dir: string;

async function on<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${database}`;
  const client = new pg.Client(url.toString());
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function url(database: string): string {
  const u = new URL(inject('pgAdminUrl'));
  u.pathname = `/${database}`;
  return u.toString();
}

// Each pair: the same table and live index as each side's own PostgreSQL printed it; only the column differs.
const PAIRS: Readonly<Record<string, readonly [string, string]>> = {
  type: [
    `CREATE TABLE t (id int, status varchar(20)); CREATE INDEX idx_t ON t (id) WHERE status = 'open'`,
    `CREATE TABLE t (id int, status text); CREATE INDEX idx_t ON t (id) WHERE status = 'open'`,
  ],
  collation: [
    `CREATE TABLE t (id int, status text COLLATE "C"); CREATE INDEX idx_t ON t (id) WHERE status = 'open'`,
    `CREATE TABLE t (id int, status text COLLATE "POSIX"); CREATE INDEX idx_t ON t (id) WHERE status = 'open'`,
  ],
  enum: [
    `CREATE TYPE st AS ENUM ('open', 'closed'); CREATE TABLE t (id int, status st); CREATE INDEX idx_t ON t (id) WHERE status = 'open'`,
    `CREATE TYPE st AS ENUM ('opened', 'closed'); CREATE TABLE t (id int, status st)`,
  ],
};

beforeAll(async () => {
  await on('postgres', async (admin) => {
    for (const name of Object.keys(PAIRS)) for (const side of ['a', 'b']) await admin.query(`CREATE DATABASE ${PREFIX}${name}_${side}`);
  });
  for (const [name, [a, b]] of Object.entries(PAIRS)) {
    await on(`${PREFIX}${name}_a`, (c) => c.query(a));
    await on(`${PREFIX}${name}_b`, (c) => c.query(b));
  }
  dir = await mkdtemp(path.join(os.tmpdir(), 'reconcile-fleet-share-'));
  // The predicate is written so that no side's live text equals it: every side canonicalises it.
  await writeFile(path.join(dir, 'indexes.yaml'), `version: 1\ntables:\n  t:\n    indexes:\n      idx_t: { columns: [id], where: "status = 'open'" }\n`);
});

afterAll(async () => {
  await on('postgres', async (admin) => {
    for (const name of Object.keys(PAIRS)) for (const side of ['a', 'b']) await admin.query(`DROP DATABASE IF EXISTS ${PREFIX}${name}_${side} WITH (FORCE)`);
  });
});

describe('shared canonical forms', () => {
  it('targets differing only in a column type, a collation or an enum label get their own plans', async () => {
    const lines = ['version: 1', 'manifest: indexes.yaml', 'targets:'];
    for (const name of Object.keys(PAIRS)) for (const side of ['a', 'b']) lines.push(`  - { name: ${name}-${side}, url: "${url(`${PREFIX}${name}_${side}`)}" }`);
    await writeFile(path.join(dir, 'targets.yaml'), `${lines.join('\n')}\n`);
    // One at a time, in file order: each b is planned after its a has filled the cache.
    const result = await runInProcess(['plan', '--targets', path.join(dir, 'targets.yaml'), '--format', 'json', '--parallel', '1']);
    const document = JSON.parse(result.stdout) as FleetPlanDocument;
    expect(document.targets.map((t) => [t.name, t.state, ...(t.problems ?? []).map((p) => p.replace(/^.*?  /, ''))])).toEqual([
      ['type-a', 'in-sync'],
      ['type-b', 'in-sync'],
      ['collation-a', 'in-sync'],
      ['collation-b', 'in-sync'],
      ['enum-a', 'in-sync'],
      ['enum-b', 'failed', 'tables.t.indexes.idx_t  invalid input value for enum st: "open"'],
    ]);
  });
});
