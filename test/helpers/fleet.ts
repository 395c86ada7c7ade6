/*
 * Fleets for tests: databases on one or more servers, each a FleetTarget built by hand (the targets
 * file is read elsewhere), with the manifest each follows, and what the fleet apply needs to run them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { FleetTarget } from '../../src/core/fleet/target.js';
import { DEFAULT_FLEET_POLICY, type FleetPolicy } from '../../src/core/fleet/schedule.js';
import { loadManifestFile, type LoadedManifest } from '../../src/io/manifest/load.js';
import type { FleetApplyOptions } from '../../src/io/fleet/apply-fleet.js';
import type { FleetEvent } from '../../src/core/fleet/events.js';
import { eventRecorder, type EventRecorder } from './event-recorder.js';

/** A server the fleet's databases live on: its admin URL. */
export interface FleetServer {
  readonly adminUrl: string;
}

export interface FleetDatabase {
  readonly target: FleetTarget;
  readonly url: string;
  readonly name: string;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** A client of the test's own, closed when the file ends. */
  connect(): Promise<pg.Client>;
}

const created: { adminUrl: string; name: string }[] = [];
const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  for (const { adminUrl, name } of created) {
    const admin = new pg.Client(adminUrl);
    // A server the test started may be gone already, and its databases with it.
    admin.on('error', () => undefined);
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    } catch {
      // nothing to drop
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
});

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A manifest file in a temporary directory. */
export async function manifestFile(lines: readonly string[]): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reconcile-fleet-'));
  const file = path.join(dir, 'indexes.yaml');
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** A new database on `server` set up with `sql`, as the fleet target `name`. */
export async function fleetDatabase(server: FleetServer, name: string, ordinal: number, manifestPath: string, sql: string, labels: Record<string, string> = {}): Promise<FleetDatabase> {
  const database = `f_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client(server.adminUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  created.push({ adminUrl: server.adminUrl, name: database });
  const url = withDatabase(server.adminUrl, database);
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  const query = async <R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]> => {
    const client = new pg.Client(url);
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  await query(sql);
  const shown = new URL(url);
  shown.password = '***';
  return {
    name: database,
    url,
    query,
    async connect() {
      const client = new pg.Client(url);
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return client;
    },
    target: {
      name,
      connectionString: url,
      display: shown.toString(),
      secrets: [password, parsed.password],
      server: `${parsed.hostname}:${parsed.port}`,
      labels,
      manifestPath,
      ordinal,
    },
  };
}

/** Reads each manifest once. */
export function manifestLoader(): (target: FleetTarget) => Promise<LoadedManifest> {
  const cache = new Map<string, Promise<LoadedManifest>>();
  return (target) => {
    let loaded = cache.get(target.manifestPath);
    if (!loaded) cache.set(target.manifestPath, (loaded = loadManifestFile(target.manifestPath)));
    return loaded;
  };
}

export type FleetRecorder = EventRecorder<FleetEvent>;

export function fleetRecorder(): FleetRecorder {
  return eventRecorder<FleetEvent>('a fleet event', 60_000);
}

/** Fleet apply options for a test: the given policy over the defaults, fast polling, short backoff. */
export function fleetOptions(listener: (event: FleetEvent) => void, policy: Partial<FleetPolicy> = {}, signal = new AbortController().signal): FleetApplyOptions {
  return {
    policy: { ...DEFAULT_FLEET_POLICY, ...policy },
    listener,
    loadDesired: manifestLoader(),
    overrides: {},
    allowEmpty: false,
    allowLockingDrops: false,
    signal,
    execute: { pollIntervalMs: 50, backoff: { baseMs: 10, maxMs: 50 } },
  };
}
