/*
 * A primary with a real streaming standby, from the embedded binaries (which have no pg_basebackup): a
 * server is started once and stopped cleanly, its data directory copied twice, and the copies started
 * as a primary and, with standby.signal and primary_conninfo, as its standby.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startEmbedded, type EmbeddedServer } from '../../src/io/embedded.js';
import { until } from './cli.js';

const execFileAsync = promisify(execFile);

export interface Replicated {
  readonly primary: EmbeddedServer;
  readonly standby: EmbeddedServer;
  /** The standby's application_name, as pg_stat_replication shows it. */
  readonly standbyName: string;
  /** Runs SQL on a short-lived connection to a database of either server. */
  query<R extends pg.QueryResultRow>(server: EmbeddedServer, sql: string, database?: string): Promise<R[]>;
  stop(): Promise<void>;
}

async function query<R extends pg.QueryResultRow>(server: EmbeddedServer, sql: string, database = 'postgres'): Promise<R[]> {
  const client = new pg.Client(server.url(database));
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

export async function startPrimaryWithStandby(standbyName = 'standby-1'): Promise<Replicated> {
  const seed = await startEmbedded();
  const seedDir = seed.dataDir;
  await seed.stop({ keepData: true });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'reconcile-replica-'));
  const owner = await fs.stat(seedDir);
  await fs.chown(work, owner.uid, owner.gid);
  const primaryDir = path.join(work, 'primary');
  const standbyDir = path.join(work, 'standby');
  // cp -a keeps the owner (the server's user) and the 0700 mode PostgreSQL insists on.
  await execFileAsync('cp', ['-a', seedDir, primaryDir]);
  await execFileAsync('cp', ['-a', seedDir, standbyDir]);
  await fs.rm(path.dirname(seedDir), { recursive: true, force: true });
  await fs.writeFile(path.join(standbyDir, 'standby.signal'), '');
  await fs.chown(path.join(standbyDir, 'standby.signal'), owner.uid, owner.gid);

  // A standby refuses to start with lower max_connections, max_wal_senders … than its primary: the defaults on both.
  const settings = { autovacuum: 'off', wal_keep_size: '1GB' };
  const primary = await startEmbedded({ dataDir: primaryDir, password: seed.password, settings });
  let standby: EmbeddedServer;
  try {
    standby = await startEmbedded({
      dataDir: standbyDir,
      password: seed.password,
      settings: {
        ...settings,
        hot_standby: 'on',
        primary_conninfo: `host=127.0.0.1 port=${primary.port} user=${seed.user} password=${seed.password} application_name=${standbyName}`,
      },
    });
  } catch (error) {
    await primary.stop();
    throw error;
  }
  const stop = async (): Promise<void> => {
    await standby.stop();
    await primary.stop();
    await fs.rm(work, { recursive: true, force: true });
  };
  try {
    await until(
      async () => ((await query(primary, `SELECT 1 FROM pg_stat_replication WHERE application_name = '${standbyName}' AND state = 'streaming'`)).length > 0 ? true : undefined),
      'the standby to stream',
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { primary, standby, standbyName, query, stop };
}
