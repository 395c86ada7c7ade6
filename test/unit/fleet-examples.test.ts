/*
 * Running the tool where fleets live: the Dockerfile (multi-stage, small, non-root, the CLI as its entry
 * point) and the Kubernetes Indexed Job in examples/gitops/ that splits a fleet with --shard; the Job's
 * commands and flags exist in the CLI, and its manifest passes validate.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { readTargetsFile } from '../../src/io/fleet/targets-file.js';
import { checkManifestText } from '../../src/io/manifest/load.js';
import { runInProcess } from '../helpers/in-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
type Yaml = any;
let docs: Yaml[];

beforeAll(async () => {
  const parsed = parseAllDocuments(readFileSync(join(root, 'examples/gitops/indexed-job.yaml'), 'utf8'));
  if (!Array.isArray(parsed)) throw new Error('indexed-job.yaml: no documents');
  for (const d of parsed) expect([d.errors, d.warnings]).toEqual([[], []]);
  docs = parsed.map((d) => d.toJS());
  await loadSqlParser();
});

/** Dockerfile instructions as [keyword, rest], continuation lines joined, comments dropped. */
function instructions(text: string): [string, string][] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.trim().split(/\s+/);
      return [keyword!.toUpperCase(), rest.join(' ')];
    });
}

/** The long flags `reconcile <sub> --help` lists. */
async function helpFlags(sub: string): Promise<Set<string>> {
  const help = await runInProcess([sub, '--help']);
  expect(help.code).toBe(0);
  return new Set([...help.stdout.matchAll(/(?:^|[\s,])(--[a-z][a-z-]*)/gm)].map((m) => m[1]!));
}

describe('Dockerfile', () => {
  const steps = instructions(dockerfile);
  const stages = steps.filter(([k]) => k === 'FROM');
  const final = steps.slice(steps.lastIndexOf(stages.at(-1)!));

  it('builds in one stage and runs from a small base in another, without dev dependencies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const [, image] of stages) expect(image).toMatch(/^node:20-alpine\b/);
    expect(steps.some(([k, rest]) => k === 'RUN' && rest.includes('npm run build'))).toBe(true);
    expect(steps.some(([k, rest]) => k === 'RUN' && /npm ci .*--omit=dev/.test(rest))).toBe(true);
    // The embedded server's 60 MB of binaries stay out.
    for (const [k, rest] of steps) if (k === 'RUN' && rest.includes('npm ci')) expect(rest).toContain('--omit=optional');
  });

  it('copies only what the repository has', () => {
    for (const [k, rest] of steps) {
      if (k !== 'COPY' || rest.startsWith('--from=')) continue;
      const sources = rest.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(join(root, source)), source).toBe(true);
    }
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });

  it('runs the CLI as an unprivileged user, as its first process', () => {
    const user = final.filter(([k]) => k === 'USER').at(-1)?.[1];
    expect(user).toBe('node');
    expect(final.find(([k]) => k === 'ENTRYPOINT')?.[1]).toBe('["reconcile"]');
    expect(final.some(([k, rest]) => k === 'RUN' && rest.includes('ln -s /app/dist/cli.js /usr/local/bin/reconcile'))).toBe(true);
    expect(readFileSync(join(root, 'src/cli.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('indexed-job.yaml', () => {
  const job = (): Yaml => docs.find((d) => d.kind === 'Job');
  const config = (): Yaml => docs.find((d) => d.kind === 'ConfigMap');
  const script = (): string => {
    const command = job().spec.template.spec.containers[0].command as string[];
    expect(command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    return command[2]!;
  };

  it('is an Indexed Job whose pods split the fleet with --shard K/N, N being its completions', () => {
    expect(job().spec.completionMode).toBe('Indexed');
    const n = job().spec.completions as number;
    expect(script()).toContain(`--shard "$((JOB_COMPLETION_INDEX + 1))/${n}"`);
    expect(job().spec.backoffLimit).toBe(0);
  });

  it('execs an apply of the fleet with flags the CLI has', async () => {
    const words = script().replace(/\\\n/g, ' ').trim().split(/\s+/);
    expect(words.slice(0, 3)).toEqual(['exec', 'reconcile', 'apply']);
    const flags = await helpFlags('apply');
    for (const word of words.filter((w) => w.startsWith('--'))) expect(flags, word).toContain(word.split('=')[0]);
    expect(words).toEqual(expect.arrayContaining(['--targets', '--yes', '--per-host']));
    const onError = words[words.indexOf('--on-error') + 1];
    expect(['stop', 'continue']).toContain(onError);
  });

  it('runs as a user without privileges, and reads the servers from a Secret', () => {
    const pod = job().spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    const env = pod.containers[0].env.find((e: Yaml) => e.name === 'TENANTS_URL');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'pg-index-reconciler-fleet', key: 'tenants-url' });
    expect(config().data['targets.yaml']).toContain('server: env:TENANTS_URL');
    expect(pod.volumes[0].configMap.name).toBe(config().metadata.name);
  });

  it('ships a targets file the targets reader accepts, discovering the tenants on the Secret\'s server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reconcile-job-'));
    await writeFile(join(dir, 'targets.yaml'), config().data['targets.yaml']);
    const targets = await readTargetsFile(join(dir, 'targets.yaml'));
    expect(targets.spec).toMatchObject({ manifest: 'indexes.yaml', discover: [{ name: 'tenants', server: { kind: 'env', variable: 'TENANTS_URL' }, find: { kind: 'databases', pattern: 'tenant\\_%' } }] });
  });

  it('ships a manifest the loader accepts', () => {
    const check = checkManifestText(config().data['indexes.yaml'], 'indexes.yaml');
    expect(check.problems).toEqual([]);
    expect(check.state?.settings).toMatchObject({ concurrency: 1, maxReplicaLagBytes: 256 * 1024 * 1024, maxReplicaLagWaitMs: 30 * 60_000 });
  });
});
