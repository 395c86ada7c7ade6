/*
 * The fleet: targets from a targets file (named ones, then discovered ones) or from --targets-cmd,
 * checked (names and databases unique, environment variables set), then narrowed by --only and --shard.
 * A discover entry whose server does not answer becomes one target marked unreachable, so the rest of
 * the fleet is still planned and the failure is still counted.
 */
import path from 'node:path';
import pLimit from 'p-limit';
import type { ManifestPath } from '../../core/manifest-path.js';
import { UserError, type Problem } from '../../core/errors.js';
import { findClashes, type Candidate } from '../../core/fleet/clashes.js';
import { parseSelector, parseShard, selectTargets, shardTargets } from '../../core/fleet/select.js';
import type { FleetTarget } from '../../core/fleet/target.js';
import type { DiscoverSpec, TargetSpec, UrlSource } from '../../core/fleet/targets-file.js';
import { scrubSecrets } from '../../core/text.js';
import { connectionParts, displayOf, secretsOf, serverOf, withDatabase } from './connection.js';
import { discoverNames } from './discover.js';
import { TARGETS_CMD_FILE, targetsFromCommand } from './targets-cmd.js';
import { failed, problemAt, readTargetsFile } from './targets-file.js';

export interface FleetOptions {
  /** --targets FILE */
  readonly targets?: string;
  /** --targets-cmd CMD */
  readonly targetsCmd?: string;
  /** --only, repeatable */
  readonly only?: readonly string[];
  /** --shard K/N */
  readonly shard?: string;
  /** -f: the manifest of targets that name none (relative to the working directory). */
  readonly manifest: string;
  /** -f was given on the command line: it then replaces the targets file's top-level `manifest`. */
  readonly manifestGiven?: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
}

/** Discovery sessions at once. */
const DISCOVERY_PARALLEL = 8;

interface Origin {
  readonly file: string;
  readonly at: ManifestPath;
  readonly place: () => Problem;
}

type Draft = Omit<FleetTarget, 'ordinal'> & { readonly origin: Origin; readonly identity?: Candidate<Origin>['identity'] };

function identityOf(connectionString: string, schema?: string): NonNullable<Draft['identity']> {
  const { host, port, database } = connectionParts(connectionString);
  const key = [host, port, database, schema ?? ''].join('\u0000');
  const text = `${serverOf(connectionString)}/${database}${schema === undefined ? '' : `, schema ${schema}`}`;
  return { key, text, schema: schema !== undefined };
}

export async function loadFleet(options: FleetOptions): Promise<FleetTarget[]> {
  if (options.targets !== undefined && options.targetsCmd !== undefined) {
    throw new UserError('--targets and --targets-cmd cannot be used together.', 'Choose one source of targets.');
  }
  const cwd = options.cwd ?? process.cwd();
  const fallback = path.resolve(cwd, options.manifest);
  const drafts: Draft[] = [];
  const problems: Problem[] = [];
  let file = TARGETS_CMD_FILE;

  const resolveUrl = (source: UrlSource, origin: Origin, field: string): string | undefined => {
    if (source.kind === 'literal') return source.url;
    const value = options.env[source.variable];
    if (value) return value;
    const where = origin.place();
    problems.push({
      ...where,
      path: where.path ? `${where.path}.${field}` : '',
      message: `${field}: env:${source.variable} names an environment variable that is ${source.variable in options.env ? 'empty' : 'not set'}`,
    });
    return undefined;
  };

  const named = (spec: TargetSpec, origin: Origin, manifestPath: string): void => {
    const url = resolveUrl(spec.url, origin, 'url');
    if (url === undefined) return;
    drafts.push({
      name: spec.name,
      connectionString: url,
      display: displayOf(url),
      secrets: secretsOf(url),
      server: serverOf(url),
      labels: spec.labels,
      manifestPath,
      origin,
      identity: identityOf(url),
    });
  };

  if (options.targetsCmd !== undefined) {
    for (const spec of await targetsFromCommand(options.targetsCmd, options.env, options.signal)) {
      const line = Number(spec.path[0]);
      const origin: Origin = { file, at: spec.path, place: () => ({ file, line, column: 1, path: '', message: '' }) };
      named(spec, origin, spec.manifest === undefined ? fallback : path.resolve(cwd, spec.manifest));
    }
  } else {
    const targetsFile = await readTargetsFile(options.targets ?? 'targets.yaml');
    file = targetsFile.file;
    const { spec, directory, locate } = targetsFile;
    const origin = (at: ManifestPath): Origin => ({ file: targetsFile.file, at, place: () => problemAt(targetsFile.file, locate, at, '') });
    const fileDefault = spec.manifest !== undefined && !options.manifestGiven ? path.resolve(directory, spec.manifest) : fallback;
    const manifestOf = (own: string | undefined): string => (own === undefined ? fileDefault : path.resolve(directory, own));
    for (const target of spec.targets) named(target, origin(target.path), manifestOf(target.manifest));
    const servers = spec.discover.map((entry) => ({ entry, origin: origin(entry.path), url: resolveUrl(entry.server, origin(entry.path), 'server') }));
    if (problems.length > 0) throw failed(file, problems);
    const limit = pLimit(DISCOVERY_PARALLEL);
    const found = await Promise.all(
      servers.map(({ entry, origin: where, url }) => limit(() => discover(entry, url!, where, manifestOf(entry.manifest)))),
    );
    drafts.push(...found.flat());
  }
  if (problems.length > 0) throw failed(file, problems);

  const describe = (where: Origin): string => {
    const place = where.place();
    return where.file === TARGETS_CMD_FILE ? `line ${place.line} of --targets-cmd` : `${place.path} at line ${place.line}`;
  };
  const clashes = findClashes(
    drafts.map((draft): Candidate<Origin> => ({ name: draft.name, ...(draft.identity ? { identity: draft.identity } : {}), where: draft.origin })),
    describe,
  );
  if (clashes.length > 0) {
    throw failed(
      file,
      clashes.map((clash) => ({ ...clash.where.place(), message: clash.message })),
    );
  }
  const targets = drafts.map(({ origin: _origin, identity: _identity, ...target }, ordinal): FleetTarget => ({ ...target, ordinal }));
  const selectors = (options.only ?? []).map(parseSelector);
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  return shardTargets(selectTargets(targets, selectors), shard);
}

async function discover(entry: DiscoverSpec, url: string, origin: Origin, manifestPath: string): Promise<Draft[]> {
  const server = serverOf(url);
  const prefix = entry.name ?? server;
  const secrets = secretsOf(url);
  const base = { display: displayOf(url), secrets, server, labels: entry.labels, manifestPath, origin };
  let names: string[];
  try {
    names = await discoverNames({ connectionString: url, display: base.display, secrets }, entry.find.kind, entry.find.pattern);
  } catch (error) {
    const reason = scrubSecrets(error instanceof Error ? error.message : String(error), secrets);
    return [{ ...base, name: prefix, connectionString: url, unreachable: `discovery of ${entry.find.kind} "${entry.find.pattern}" failed: ${reason}` }];
  }
  return names.map((name): Draft => {
    if (entry.find.kind === 'schemas') {
      return { ...base, name: `${prefix}/${name}`, connectionString: url, tenantSchema: name, identity: identityOf(url, name) };
    }
    const connectionString = withDatabase(url, name);
    return { ...base, name: `${prefix}/${name}`, connectionString, display: displayOf(connectionString), identity: identityOf(connectionString) };
  });
}
