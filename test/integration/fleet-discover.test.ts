/* Discovery on a real server: databases and schemas by LIKE pattern; a server that does not answer. */
import { createServer } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { formatProblem, UserError } from '../../src/core/errors.js';
import { loadFleet } from '../../src/io/fleet/load.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

const prefix = `fd${process.pid}_`;
let db: TestDatabase;
let dir: string;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(inject('pgAdminUrl'));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  db = await freshDatabase();
  await db.query(`CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_a; CREATE SCHEMA other`);
  await admin(async (client) => {
    for (const name of ['t2', 't1', 't3']) await client.query(`CREATE DATABASE ${prefix}${name}`);
    await client.query(`CREATE DATABASE ${prefix}tpl IS_TEMPLATE true`).catch(async () => {
      await client.query(`CREATE DATABASE ${prefix}tpl`);
      await client.query(`UPDATE pg_database SET datistemplate = true WHERE datname = '${prefix}tpl'`);
    });
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'reconcile-discover-'));
});

afterAll(async () => {
  await admin(async (client) => {
    await client.query(`UPDATE pg_database SET datistemplate = false WHERE datname = '${prefix}tpl'`);
    for (const name of ['t1', 't2', 't3', 'tpl']) await client.query(`DROP DATABASE IF EXISTS ${prefix}${name}`);
  });
});

async function file(text: string): Promise<string> {
  const name = path.join(dir, `targets-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(name, text);
  return name;
}

describe('discover', () => {
  it('finds connectable databases, not templates, by pattern; and schemas by pattern, as tenants', async () => {
    const targets = await loadFleet({
      targets: await file(
        [
          'version: 1',
          'discover:',
          '  - server: env:SERVER_URL',
          `    databases: "${prefix}t%"`,
          '    labels: { tier: db }',
          '  - name: shared',
          '    server: env:SHARED_URL',
          '    schemas: "tenant\\\\_%"',
          '',
        ].join('\n'),
      ),
      manifest: 'indexes.yaml',
      env: { SERVER_URL: inject('pgAdminUrl'), SHARED_URL: db.url },
    });
    const server = new URL(inject('pgAdminUrl')).host;
    expect(targets.map((t) => [t.name, t.tenantSchema, t.labels, t.server])).toEqual([
      [`${server}/${prefix}t1`, undefined, { tier: 'db' }, server],
      [`${server}/${prefix}t2`, undefined, { tier: 'db' }, server],
      [`${server}/${prefix}t3`, undefined, { tier: 'db' }, server],
      ['shared/tenant_a', 'tenant_a', {}, server],
      ['shared/tenant_b', 'tenant_b', {}, server],
    ]);
    expect(new URL(targets[1]!.connectionString).pathname).toBe(`/${prefix}t2`);
    expect(targets[1]!.display).not.toContain(new URL(inject('pgAdminUrl')).password);
  });

  it('a database listed and also discovered is an error naming both', async () => {
    const url = new URL(inject('pgAdminUrl'));
    url.pathname = `/${prefix}t2`;
    const error = await loadFleet({
      targets: await file(['version: 1', 'targets:', `  - { name: mine, url: "${url}" }`, 'discover:', '  - name: all', `    server: "${inject('pgAdminUrl')}"`, `    databases: "${prefix}t%"`, ''].join('\n')),
      manifest: 'indexes.yaml',
      env: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const problems = (error as UserError).problems.map((p) => formatProblem(p).replace(/^.*?:/, ''));
    expect(problems).toEqual([`5:5  discover[0]  targets "mine" (targets[0] at line 3) and "all/${prefix}t2" are the same database (${url.host}/${prefix}t2): list each once`]);
    expect(JSON.stringify(problems)).not.toContain(url.password);
  });

  it('a server that does not answer stands as one unreachable target, password masked', async () => {
    const port = await closedPort();
    const targets = await loadFleet({
      targets: await file(['version: 1', 'discover:', '  - name: gone', `    server: "postgres://u:hunter2@127.0.0.1:${port}/postgres"`, '    databases: "%"', ''].join('\n')),
      manifest: 'indexes.yaml',
      env: {},
    });
    expect(targets.map((t) => [t.name, t.display, t.unreachable])).toEqual([
      [
        'gone',
        `postgres://u:***@127.0.0.1:${port}/postgres`,
        `discovery of databases "%" failed: Cannot connect to postgres://u:***@127.0.0.1:${port}/postgres: connection refused.`,
      ],
    ]);
  });
});
