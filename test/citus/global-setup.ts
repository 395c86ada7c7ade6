/*
 * Once per Citus suite run: build dist/ when stale, install Citus from ../shared/citus (as root), and start
 * one cluster (a coordinator and two workers) on free ports; each test file makes its own database with
 * `freshCitusDatabase()` (./cluster.ts). The cluster is stopped and removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildIfStale } from '../helpers/global-setup.js';

declare module 'vitest' {
  export interface ProvidedContext {
    citusDir: string;
    citusClusterDir: string;
    citusPort: number;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CITUS_DIR = process.env.CITUS_DIR ?? path.resolve(ROOT, '..', 'shared', 'citus');

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port P with P, P+1 and P+2 free on 127.0.0.1. */
async function freePorts(): Promise<number> {
  for (let port = 56_400 + Math.floor(Math.random() * 400) * 3; port < 60_000; port += 3) {
    if ((await portFree(port)) && (await portFree(port + 1)) && (await portFree(port + 2))) return port;
  }
  throw new Error('no three free ports for the Citus cluster');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(path.join(CITUS_DIR, 'cluster.sh'))) {
    throw new Error(`The Citus suite needs ${CITUS_DIR} (install.sh, cluster.sh); it is absent, so the suite did not run.`);
  }
  await buildIfStale();
  execFileSync('bash', [path.join(ROOT, 'test', 'citus', 'install.sh'), CITUS_DIR], { stdio: 'inherit' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reconcile-citus-'));
  const port = await freePorts();
  execFileSync('bash', [path.join(CITUS_DIR, 'cluster.sh'), 'start', dir, String(port)], { stdio: 'inherit' });
  project.provide('citusDir', CITUS_DIR);
  project.provide('citusClusterDir', dir);
  project.provide('citusPort', port);
  return async () => {
    execFileSync('bash', [path.join(CITUS_DIR, 'cluster.sh'), 'stop', dir], { stdio: 'inherit' });
  };
}
