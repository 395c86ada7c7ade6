/* A fresh database per test file on the run's embedded server, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly major: number;
  /** Runs SQL on a short-lived connection to the test database. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** A client of the caller's own, closed when the file ends. */
  connect(): Promise<pg.Client>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const clients: pg.Client[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    const cleanup = new pg.Client(adminUrl);
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(async () => {
      // PostgreSQL 13 has WITH (FORCE) too; this is for a database still held by a dying session.
      await cleanup.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
      await cleanup.query(`DROP DATABASE IF EXISTS ${name}`);
    });
    await cleanup.end();
  });

  return {
    url,
    name,
    major: inject('pgMajor'),
    async query(sql, params) {
      const client = new pg.Client(url);
      await client.connect();
      try {
        return await client.query(sql, params);
      } finally {
        await client.end();
      }
    },
    async connect() {
      const client = new pg.Client(url);
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return client;
    },
  };
}
