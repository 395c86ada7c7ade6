/* The targets file and --only / --shard: exact places and words, no database. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, UserError } from '../../src/core/errors.js';
import { parseSelector, parseShard, selectTargets, shardTargets } from '../../src/core/fleet/select.js';
import { targetFromCommandLine } from '../../src/core/fleet/targets-file.js';
import { connectionParts, serverOf, withDatabase } from '../../src/io/fleet/connection.js';
import { loadFleet } from '../../src/io/fleet/load.js';

async function fleetFile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reconcile-fleet-'));
  const file = path.join(dir, 'targets.yaml');
  await writeFile(file, text);
  return file;
}

/** The problems a bad targets file gets, as printed, with the directory left out. */
async function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const file = await fleetFile(text);
  try {
    await loadFleet({ targets: file, manifest: 'indexes.yaml', env });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return error.problems.map((p) => formatProblem(p).replace(file, 'targets.yaml'));
  }
  throw new Error('expected problems');
}

describe('targets file', () => {
  it('reads named targets: env URLs, literal URLs masked, labels as text, manifests relative to the file', async () => {
    const file = await fleetFile(
      [
        'version: 1',
        'manifest: indexes.yaml',
        'targets:',
        '  - name: eu-main',
        '    url: env:EU_MAIN_URL',
        '    labels: { region: eu, canary: true }',
        '  - name: us-main',
        "    url: postgres://reconcile:s3cr%3At@us-db:6543/app",
        '    manifest: us/indexes.yaml',
        '',
      ].join('\n'),
    );
    const targets = await loadFleet({ targets: file, manifest: 'other.yaml', env: { EU_MAIN_URL: 'postgres://me:pw@eu-db/app' } });
    const dir = path.dirname(file);
    expect(targets).toEqual([
      {
        name: 'eu-main',
        connectionString: 'postgres://me:pw@eu-db/app',
        display: 'postgres://me:***@eu-db/app',
        secrets: ['pw'],
        server: 'eu-db:5432',
        labels: { region: 'eu', canary: 'true' },
        manifestPath: path.join(dir, 'indexes.yaml'),
        ordinal: 0,
      },
      {
        name: 'us-main',
        connectionString: 'postgres://reconcile:s3cr%3At@us-db:6543/app',
        display: 'postgres://reconcile:***@us-db:6543/app',
        secrets: ['s3cr:t', 's3cr%3At'],
        server: 'us-db:6543',
        labels: {},
        manifestPath: path.join(dir, 'us', 'indexes.yaml'),
        ordinal: 1,
      },
    ]);
  });

  it('falls back to -f when the file names no manifest; an explicit -f replaces the file default', async () => {
    const file = await fleetFile('version: 1\nmanifest: m.yaml\ntargets:\n  - { name: a, url: "postgres://h/a" }\n');
    const cwd = os.tmpdir();
    expect((await loadFleet({ targets: file, manifest: 'x.yaml', env: {}, cwd }))[0]?.manifestPath).toBe(path.join(path.dirname(file), 'm.yaml'));
    expect((await loadFleet({ targets: file, manifest: 'x.yaml', manifestGiven: true, env: {}, cwd }))[0]?.manifestPath).toBe(path.join(cwd, 'x.yaml'));
  });

  const bad: readonly (readonly [string, string, readonly string[], NodeJS.ProcessEnv?])[] = [
    ['a typo in a target field', 'version: 1\ntargets:\n  - name: a\n    ulr: postgres://h/a\n', [
      'targets.yaml:3:5  targets[0]  missing field "url"',
      'targets.yaml:4:5  targets[0].ulr  unknown field "ulr" — did you mean "url"?',
    ]],
    ['no targets at all', 'version: 1\n', ['targets.yaml:1:1  a targets file lists "targets:" or "discover:" (or both): there is no target']],
    ['a wrong version', 'version: 2\ntargets: []\n', ['targets.yaml:1:10  version  version must be 1, not the number 2']],
    ['an unset variable', 'version: 1\ntargets:\n  - name: a\n    url: env:NOPE_URL\n', ['targets.yaml:3:5  targets[0].url  url: env:NOPE_URL names an environment variable that is not set']],
    ['both databases and schemas', 'version: 1\ndiscover:\n  - server: postgres://h/a\n    databases: "t_%"\n    schemas: "t_%"\n', [
      'targets.yaml:3:5  discover[0]  a discover entry has "databases" or "schemas", not both: make two entries',
    ]],
    ['neither databases nor schemas', 'version: 1\ndiscover:\n  - server: postgres://h/a\n', [
      'targets.yaml:3:5  discover[0]  a discover entry needs "databases" (a LIKE pattern over database names) or "schemas" (over schema names)',
    ]],
    ['a name with a space', 'version: 1\ntargets:\n  - name: eu main\n    url: postgres://h/a\n', [
      'targets.yaml:3:11  targets[0].name  the text "eu main" is not a valid name: a name has no spaces, "=" or ","',
    ]],
    ['labels that are a list', 'version: 1\ntargets:\n  - name: a\n    url: postgres://h/a\n    labels: [eu]\n', [
      'targets.yaml:5:13  targets[0].labels  must be a mapping, not a list',
    ]],
    ['a key written twice', 'version: 1\ntargets: []\ntargets: []\n', [
      'targets.yaml:3:1  targets  duplicate key "targets": it is already at line 2; each key may appear once',
    ]],
    ['two targets with one name', 'version: 1\ntargets:\n  - { name: a, url: "postgres://h/a" }\n  - { name: a, url: "postgres://h/b" }\n', [
      'targets.yaml:4:5  targets[1]  target name "a" is already used by targets[0] at line 3: each target has its own name',
    ]],
    ['two targets on one database', 'version: 1\ntargets:\n  - { name: a, url: "postgres://u:pw@H:5432/app" }\n  - { name: b, url: "postgresql://v@h/app?sslmode=require" }\n', [
      'targets.yaml:4:5  targets[1]  targets "a" (targets[0] at line 3) and "b" are the same database (h:5432/app): list each once',
    ]],
    ['not YAML', 'version: 1\ntargets: [\n', ['targets.yaml:3:1  not valid YAML: flow sequence in block collection must be sufficiently indented and end with a ]']],
  ];
  for (const [name, text, expected, env] of bad) {
    it(`reports ${name} at its place`, async () => {
      const problems = await problemsOf(text, env);
      expect(problems).toEqual(expected);
    });
  }
});

describe('--targets-cmd lines', () => {
  it('reads name, url and labels', () => {
    expect(targetFromCommandLine('{"name":"t1","url":"env:T1","labels":{"tier":"gold","n":3}}', 4)).toEqual({
      ok: true,
      spec: { kind: 'target', name: 't1', url: { kind: 'env', variable: 'T1' }, labels: { tier: 'gold', n: '3' }, path: [4] },
    });
  });
  it('says what is wrong with a line', () => {
    expect(targetFromCommandLine('{"name":"t1"}', 1)).toEqual({ ok: false, message: '"url" must be a connection URL or env:NAME' });
    expect(targetFromCommandLine('[1]', 1)).toEqual({ ok: false, message: 'not a JSON object: each line is {"name", "url", "labels"}' });
    expect(targetFromCommandLine('{"name":"t","url":"u","tags":{}}', 1)).toEqual({
      ok: false,
      message: 'unknown field "tags": a line has "name", "url" and optionally "labels" and "manifest"',
    });
  });
  it('runs the command and reports bad lines at --targets-cmd:LINE:1', async () => {
    const targets = await loadFleet({
      targetsCmd: `printf '%s\\n' '{"name":"b","url":"postgres://h/b"}' '' '{"name":"a","url":"postgres://h/a","labels":{"x":"1"}}'`,
      manifest: 'indexes.yaml',
      env: process.env,
    });
    expect(targets.map((t) => [t.name, t.server, t.labels, t.ordinal])).toEqual([
      ['b', 'h:5432', {}, 0],
      ['a', 'h:5432', { x: '1' }, 1],
    ]);
    const error = await loadFleet({ targetsCmd: `printf '%s\\n' '{"name":"a","url":"postgres://h/a"}' 'oops'`, manifest: 'i.yaml', env: process.env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems.map(formatProblem)).toEqual([
      '--targets-cmd:2:1  not a JSON object: Unexpected token \'o\', "oops" is not valid JSON',
    ]);
    const exit = await loadFleet({ targetsCmd: 'echo broken >&2; exit 3', manifest: 'i.yaml', env: process.env }).catch((e: unknown) => e);
    expect((exit as UserError).message).toBe('--targets-cmd exited with code 3: broken.');
  });
});

describe('--only and --shard', () => {
  const fleet = ['c', 'a', 'e', 'b', 'd', 'f', 'g'].map((name, i) => ({ name, labels: { tier: i % 2 === 0 ? 'gold' : 'free' } }));

  it('--shard K/N for K = 1..N covers every target exactly once, in name order', () => {
    for (const count of [1, 2, 3, 7, 10]) {
      const seen = Array.from({ length: count }, (_, k) => shardTargets(fleet, parseShard(`${k + 1}/${count}`)).map((t) => t.name)).flat();
      expect(seen.sort()).toEqual(fleet.map((t) => t.name).sort());
    }
    expect(shardTargets(fleet, parseShard('2/3')).map((t) => t.name)).toEqual(['e', 'b']);
  });

  it('--only keeps targets any selector matches: a name, a pattern, label=value', () => {
    expect(selectTargets(fleet, [parseSelector('a'), parseSelector('tier=free')]).map((t) => t.name)).toEqual(['a', 'b', 'f']);
    expect(selectTargets(fleet, [parseSelector('*')]).length).toBe(7);
  });

  it('refuses a selector that matches nothing, and bad shards', () => {
    expect(() => selectTargets(fleet, [parseSelector('gg')])).toThrow('--only gg matches no target of the fleet.');
    for (const shard of ['0/3', '4/3', '1/0', 'x', '1-2']) expect(() => parseShard(shard)).toThrow(`--shard "${shard}" is not K/N with 1 <= K <= N.`);
  });
});

describe('connections', () => {
  it('knows server, database and another database of the same server', () => {
    expect(connectionParts('postgres://u@Db.Example:6000/app')).toEqual({ host: 'db.example', port: 6000, database: 'app' });
    expect(connectionParts('host=db user=me')).toEqual({ host: 'db', port: 5432, database: 'me' });
    expect(serverOf('postgres://[::1]:5433/x')).toBe('[::1]:5433');
    expect(withDatabase('postgres://u:p@h:1/postgres?sslmode=require', 'tenant 1')).toBe('postgres://u:p@h:1/tenant%201?sslmode=require');
    expect(withDatabase("host=h dbname=postgres", "it's")).toBe("host=h dbname=postgres dbname='it\\'s'");
  });
});
