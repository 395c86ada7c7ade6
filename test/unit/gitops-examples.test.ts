/*
 * The GitOps kit in examples/gitops/: the GitHub Actions workflow and the Kubernetes CronJob parse, have
 * the shape their guide promises, run only commands and flags the CLI really has, and their shell
 * scripts do the right thing for each exit code (run against a stand-in `reconcile`).
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { checkManifestText } from '../../src/io/manifest/load.js';
import { planMarker } from '../../src/ui/plan-markdown.js';
import { runInProcess } from '../helpers/in-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOW = join(root, 'examples/gitops/github-actions.yml');
const CRONJOB = join(root, 'examples/gitops/cronjob.yaml');

/** Parsed YAML, checked field by field below. */
type Yaml = any;

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly if?: unknown;
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, string>;
}

let workflowText: string;
let workflow: Yaml;
let k8s: Yaml[];

beforeAll(async () => {
  workflowText = await readFile(WORKFLOW, 'utf8');
  const doc = parseDocument(workflowText);
  expect(doc.errors).toEqual([]);
  expect(doc.warnings).toEqual([]);
  workflow = doc.toJS();
  const docs = parseAllDocuments(await readFile(CRONJOB, 'utf8'));
  if (!Array.isArray(docs)) throw new Error('cronjob.yaml: no documents');
  for (const d of docs) {
    expect(d.errors).toEqual([]);
    expect(d.warnings).toEqual([]);
  }
  k8s = docs.map((d) => d.toJS());
  await loadSqlParser();
});

const steps = (job: string): Step[] => workflow.jobs[job].steps as Step[];
const step = (job: string, name: string): Step => {
  const found = steps(job).find((s) => s.name === name);
  if (!found) throw new Error(`no step "${name}" in job ${job}`);
  return found;
};
const cronJob = (): Yaml => k8s.find((d) => d.kind === 'CronJob');
const configMap = (): Yaml => k8s.find((d) => d.kind === 'ConfigMap');
const podSpec = (): Yaml => cronJob().spec.jobTemplate.spec.template.spec;
const containerScript = (): string => {
  const command = podSpec().containers[0].command as string[];
  expect(command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  return command[2]!;
};

// ---------------------------------------------------------------------------------------------------
// `reconcile …` invocations and the CLI's own help

/**
 * Every `reconcile …` command in a shell script, as its words after `reconcile`: at a command's start
 * (line start, after `;` `&&` `||` `|` `(` `)`, or after exec/then/do/else), up to the command's end.
 * Comments and quoted messages that merely mention the tool are not commands.
 */
export function reconcileInvocations(script: string): string[][] {
  const text = script
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '$1'))
    .join('\n');
  const pattern = /(?:^|[;&|()]|\b(?:exec|then|do|else))[ \t]*reconcile(?![\w-])([^;&|<>()\n]*)/gm;
  return [...text.matchAll(pattern)].map((match) => match[1]!.trim().split(/\s+/).filter((word) => word.length > 0));
}

interface HelpOption {
  readonly flags: string[];
  readonly takesValue: boolean;
  readonly description: string;
}

interface Help {
  readonly options: HelpOption[];
  /** Positional arguments the usage line allows. */
  readonly argumentCount: number;
}

const helps = new Map<string, Help>();

/** The CLI's help for `sub` (or the program), parsed: what `reconcile sub --help` prints. */
async function helpFor(sub: string | undefined): Promise<Help> {
  const key = sub ?? '';
  const cached = helps.get(key);
  if (cached) return cached;
  const result = await runInProcess(sub === undefined ? ['--help'] : [sub, '--help']);
  expect(result.code, `reconcile ${key} --help: ${result.stderr}`).toBe(0);
  const lines = result.stdout.split('\n');
  const usage = lines.find((line) => line.startsWith('Usage:')) ?? '';
  const argumentCount = sub === undefined ? 0 : (usage.split('[options]')[1] ?? '').split(/\s+/).filter((w) => /^[[<]/.test(w)).length;
  const options: HelpOption[] = [];
  let inOptions = false;
  for (const line of lines) {
    if (/^\S/.test(line)) {
      inOptions = line === 'Options:';
      continue;
    }
    if (!inOptions) continue;
    const entry = /^ {2}(-\S.*?)(?: {2,}(.*))?$/.exec(line);
    if (entry) {
      const spec = entry[1]!;
      options.push({
        flags: spec.split(/[,\s]+/).filter((w) => w.startsWith('-')),
        takesValue: /[<[]/.test(spec),
        description: entry[2] ?? '',
      });
    } else if (line.trim().length > 0 && options.length > 0) {
      const last = options.pop()!;
      options.push({ ...last, description: `${last.description} ${line.trim()}` });
    }
  }
  const help = { options, argumentCount };
  helps.set(key, help);
  return help;
}

/** Checks one invocation against the CLI: the subcommand, each flag, each choice, the positional arguments. */
async function checkInvocation(words: readonly string[]): Promise<void> {
  const [sub, ...rest] = words;
  const program = await helpFor(undefined);
  const known = ['validate', 'plan', 'apply', 'status', 'check', 'export'];
  expect(known, `reconcile ${words.join(' ')}`).toContain(sub);
  const help = await helpFor(sub);
  const options = [...help.options, ...program.options];
  let positional = 0;
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i]!;
    if (!word.startsWith('-')) {
      positional += 1;
      continue;
    }
    const [flag, inlineValue] = word.split(/=(.*)/s) as [string, string | undefined];
    const option = options.find((o) => o.flags.includes(flag));
    expect(option, `reconcile ${sub} has no option ${flag} (in: reconcile ${words.join(' ')})`).toBeDefined();
    if (!option!.takesValue) {
      expect(inlineValue, `${flag} takes no value`).toBeUndefined();
      continue;
    }
    const value = inlineValue ?? rest[(i += 1)];
    expect(value, `${flag} needs a value`).toBeDefined();
    const choices = /\(choices: ((?:"[^"]*"(?:, )?)+)/.exec(option!.description);
    if (choices) {
      const allowed = [...choices[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
      expect(allowed, `${flag} ${value}`).toContain(value);
    }
    if (flag === '--fail-on') {
      const categories = /present: ([\w,]+)/.exec(option!.description)?.[1]?.split(',') ?? [];
      for (const category of value!.split(',')) expect(categories, `--fail-on ${value}`).toContain(category);
    }
  }
  expect(positional, `positional arguments in: reconcile ${words.join(' ')}`).toBeLessThanOrEqual(help.argumentCount);
}

describe('reconcileInvocations', () => {
  it('finds commands at a command position, not mentions in comments or messages', () => {
    const script = [
      '# reconcile plan is in a comment',
      'echo "run reconcile plan --nope"',
      'reconcile validate -f a.yaml',
      'code=0; reconcile plan --format markdown > plan.md || code=$?',
      '  2) exec reconcile apply --yes \\',
      '       --output plain ;;',
      'npx pg-index-reconciler-other x',
    ].join('\n');
    expect(reconcileInvocations(script)).toEqual([
      ['validate', '-f', 'a.yaml'],
      ['plan', '--format', 'markdown'],
      ['apply', '--yes', '--output', 'plain'],
    ]);
  });

  it('is checked against the real CLI: an unknown flag, choice or subcommand fails', async () => {
    await expect(checkInvocation(['plan', '--detailed-exitcodes'])).rejects.toThrow(/no option --detailed-exitcodes/);
    await expect(checkInvocation(['plan', '--format', 'html'])).rejects.toThrow();
    await expect(checkInvocation(['status', '--fail-on', 'invalid,slow'])).rejects.toThrow();
    await expect(checkInvocation(['drift'])).rejects.toThrow();
    await expect(checkInvocation(['plan', 'extra'])).rejects.toThrow(/positional/);
    await checkInvocation(['apply', 'plan.json', '--yes', '--output=plain', '--no-color', '--build-lock-timeout', '0']);
  });
});

// ---------------------------------------------------------------------------------------------------
// The GitHub Actions workflow

describe('github-actions.yml', () => {
  it('runs on pull requests and on pushes to main that touch indexes.yaml', () => {
    expect(workflow.on.pull_request.paths).toContain('indexes.yaml');
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.on.push.paths).toContain('indexes.yaml');
    expect(Object.keys(workflow.jobs).sort()).toEqual(['apply', 'plan']);
    expect(workflow.jobs.plan.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs.apply.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
  });

  it('asks for least privilege: pull-request comments only in the plan job', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.plan.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(workflow.jobs.apply.permissions).toEqual({ contents: 'read' });
  });

  it('never runs two applies at once, and bounds each with a timeout', () => {
    const apply = workflow.jobs.apply;
    expect(apply.concurrency).toEqual({ group: 'indexes-apply', 'cancel-in-progress': false });
    expect(apply['timeout-minutes']).toBeGreaterThan(0);
    expect(apply['timeout-minutes']).toBeLessThanOrEqual(360);
    expect(workflow.jobs.plan['timeout-minutes']).toBeGreaterThan(0);
  });

  it('takes the database from the INDEXES_DATABASE_URL secret, and only where the database is used', () => {
    expect(step('plan', 'Plan').env).toEqual({ DATABASE_URL: '${{ secrets.INDEXES_DATABASE_URL }}' });
    expect(workflow.jobs.apply.env).toEqual({ DATABASE_URL: '${{ secrets.INDEXES_DATABASE_URL }}' });
    expect(step('plan', 'Validate').env).toBeUndefined();
    expect(workflow.env?.DATABASE_URL).toBeUndefined();
  });

  it('validates and plans on a pull request, and applies on main', () => {
    const runs = (job: string): string[][] => steps(job).flatMap((s) => (s.run ? reconcileInvocations(s.run) : []));
    expect(runs('plan')).toEqual([
      ['validate', '-f', 'indexes.yaml'],
      ['plan', '-f', 'indexes.yaml', '--format', 'markdown', '--detailed-exitcode'],
    ]);
    expect(runs('apply')).toEqual([
      ['validate', '-f', 'indexes.yaml'],
      ['apply', '--yes', '--output', 'plain', '-f', 'indexes.yaml'],
      ['status', '-f', 'indexes.yaml', '--fail-on', 'invalid,budget'],
    ]);
    // exec: a cancel's SIGINT reaches the tool, which cancels its builds and cleans up.
    expect(step('apply', 'Apply').run!.trim()).toMatch(/^exec reconcile apply /);
  });

  it('runs only subcommands and flags the CLI has', async () => {
    const all = Object.keys(workflow.jobs).flatMap((job) => steps(job).flatMap((s) => (s.run ? reconcileInvocations(s.run) : [])));
    expect(all.length).toBeGreaterThan(0);
    for (const words of all) await checkInvocation(words);
  });

  it('finds its pull-request comment by the marker line plan --format markdown writes', () => {
    const comment = step('plan', 'Comment on the pull request');
    expect(comment.uses).toMatch(/^actions\/github-script@v\d+$/);
    expect(comment.with!.script).toContain(`const marker = '${planMarker('indexes.yaml')}';`);
    expect(comment.if).toBe('${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository }}');
    expect(comment.env).toEqual({ PLAN_EXITCODE: '${{ steps.plan.outputs.exitcode }}' });
  });

  it('avoids the usual workflow mistakes', () => {
    // Every expression is closed; `if:` values are strings (a bare `!cancelled()` would be a YAML tag).
    expect(workflowText.split('${{').length).toBe(workflowText.split('}}').length);
    for (const job of Object.keys(workflow.jobs)) {
      const ids = new Set(steps(job).flatMap((s) => (s.id ? [s.id] : [])));
      for (const s of steps(job)) {
        if (s.if !== undefined) expect(typeof s.if).toBe('string');
        if (s.uses) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
        // No expressions inside scripts (values from a pull request would be injected as code).
        if (s.run) expect(s.run).not.toContain('${{');
        if (s.with?.script) expect(s.with.script).not.toContain('${{');
        for (const ref of JSON.stringify(s).matchAll(/steps\.([\w-]+)\./g)) expect(ids).toContain(ref[1]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The Kubernetes CronJob

describe('cronjob.yaml', () => {
  it('holds a ConfigMap and a CronJob', () => {
    expect(k8s.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['v1 ConfigMap', 'batch/v1 CronJob']);
  });

  it('ships a manifest the loader accepts', () => {
    const check = checkManifestText(configMap().data['indexes.yaml'], 'indexes.yaml');
    expect(check.problems).toEqual([]);
    expect(check.indexCount).toBeGreaterThan(0);
  });

  it('never overlaps, never retries blindly, and gives a long build time to finish', () => {
    const spec = cronJob().spec;
    expect(spec.schedule).toBe('0 */6 * * *');
    expect(spec.concurrencyPolicy).toBe('Forbid');
    expect(spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThanOrEqual(3600);
    expect(podSpec().restartPolicy).toBe('Never');
    expect(podSpec().terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
  });

  it('runs the documented image with the manifest mounted from the ConfigMap', () => {
    const container = podSpec().containers[0];
    expect(container.image).toBe('ghcr.io/example/pg-index-reconciler:0.1.0');
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
    const mount = container.volumeMounts.find((m: Yaml) => m.name === 'manifest');
    expect(mount.mountPath).toBe('/config');
    const volume = podSpec().volumes.find((v: Yaml) => v.name === 'manifest');
    expect(volume.configMap.name).toBe(configMap().metadata.name);
    for (const words of reconcileInvocations(containerScript())) {
      expect(words.slice(words.indexOf('-f'), words.indexOf('-f') + 2)).toEqual(['-f', '/config/indexes.yaml']);
    }
  });

  it('takes DATABASE_URL from a Secret', () => {
    const env = podSpec().containers[0].env as Yaml[];
    const url = env.find((e) => e.name === 'DATABASE_URL');
    expect(url.value).toBeUndefined();
    expect(url.valueFrom.secretKeyRef).toEqual({ name: 'pg-index-reconciler', key: 'database-url' });
  });

  it('plans, then applies only on drift, with commands and flags the CLI has', async () => {
    const script = containerScript();
    expect(script).not.toMatch(/set -\w*e/);
    const invocations = reconcileInvocations(script);
    expect(invocations).toEqual([
      ['plan', '--detailed-exitcode', '-f', '/config/indexes.yaml'],
      ['apply', '--yes', '--output', 'plain', '-f', '/config/indexes.yaml'],
    ]);
    for (const words of invocations) await checkInvocation(words);
  });
});

// ---------------------------------------------------------------------------------------------------
// The scripts, run against a stand-in `reconcile` that logs its arguments and exits as told

interface ScriptRun {
  readonly code: number | null;
  readonly calls: string[];
  readonly stdout: string;
  readonly files: Record<string, string>;
}

async function runScript(shell: string[], script: string, exits: Record<string, number>, planOutput = ''): Promise<ScriptRun> {
  const dir = await mkdtemp(join(tmpdir(), 'gitops-'));
  const log = join(dir, 'calls.log');
  const fake = join(dir, 'reconcile');
  await writeFile(
    fake,
    [
      '#!/bin/sh',
      `echo "$*" >> '${log}'`,
      `if [ "$1" = plan ]; then printf '%s' '${planOutput.replace(/'/g, "'\\''")}'; fi`,
      ...Object.entries(exits).map(([sub, code]) => `if [ "$1" = ${sub} ]; then exit ${code}; fi`),
      'exit 0',
      '',
    ].join('\n'),
  );
  await chmod(fake, 0o755);
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  for (const file of Object.values(files)) await writeFile(file, '');
  const result = spawnSync(shell[0]!, [...shell.slice(1), script], {
    cwd: dir,
    env: { PATH: `${dir}:${process.env.PATH ?? ''}`, ...files },
    encoding: 'utf8',
  });
  const read = async (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');
  return {
    code: result.status,
    calls: (await read(log)).split('\n').filter((line) => line.length > 0),
    stdout: result.stdout,
    files: {
      output: await read(files.GITHUB_OUTPUT),
      summary: await read(files.GITHUB_STEP_SUMMARY),
      'plan.md': await read(join(dir, 'plan.md')),
    },
  };
}

describe('the CronJob script', () => {
  const sh = ['/bin/sh', '-c'];

  it('exits 0 without applying when the database is in sync', async () => {
    const run = await runScript(sh, containerScript(), { plan: 0 });
    expect(run.code).toBe(0);
    expect(run.calls).toEqual(['plan --detailed-exitcode -f /config/indexes.yaml']);
    expect(run.stdout).toContain('In sync');
  });

  it('applies on drift and exits with the apply’s own code', async () => {
    for (const applyCode of [0, 1, 130]) {
      const run = await runScript(sh, containerScript(), { plan: 2, apply: applyCode });
      expect(run.code).toBe(applyCode);
      expect(run.calls).toEqual(['plan --detailed-exitcode -f /config/indexes.yaml', 'apply --yes --output plain -f /config/indexes.yaml']);
    }
  });

  it('does not apply when the plan fails or is interrupted, and passes its code on', async () => {
    for (const planCode of [1, 130]) {
      const run = await runScript(sh, containerScript(), { plan: planCode });
      expect(run.code).toBe(planCode);
      expect(run.calls).toEqual(['plan --detailed-exitcode -f /config/indexes.yaml']);
    }
  });
});

describe('the workflow scripts', () => {
  // What GitHub runs for `shell: bash`.
  const bash = ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'];
  const marker = planMarker('indexes.yaml');

  it('the plan step passes on 0 and 2, saving the exit code and the plan; fails on anything else', async () => {
    expect(workflow.defaults.run.shell).toBe('bash');
    const script = step('plan', 'Plan').run!;
    for (const code of [0, 2]) {
      const run = await runScript(bash, script, { plan: code }, `${marker}\n### Index plan\n`);
      expect(run.code).toBe(0);
      expect(run.files.output).toBe(`exitcode=${code}\n`);
      expect(run.files['plan.md']).toBe(`${marker}\n### Index plan\n`);
      expect(run.files.summary).toContain(marker);
    }
    for (const code of [1, 130]) {
      const run = await runScript(bash, script, { plan: code });
      expect(run.code).toBe(code);
      expect(run.files.output).toBe(`exitcode=${code}\n`);
    }
  });

  /** Runs the github-script step as the action does: an async function of github, context, core, require. */
  async function comment(options: {
    exitcode: string;
    planMd?: string;
    comments: { id: number; body: string; user: { type: string } }[];
  }): Promise<{ created: string[]; updated: { id: number; body: string }[]; failed: string[] }> {
    const created: string[] = [];
    const updated: { id: number; body: string }[] = [];
    const failed: string[] = [];
    const listComments = (): never => {
      throw new Error('only through paginate');
    };
    const github = {
      paginate: async (method: unknown, params: { issue_number: number }) => {
        expect(method).toBe(listComments);
        expect(params.issue_number).toBe(7);
        return options.comments;
      },
      rest: {
        issues: {
          listComments,
          createComment: async ({ body }: { body: string }) => void created.push(body),
          updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => void updated.push({ id: comment_id, body }),
        },
      },
    };
    const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 }, serverUrl: 'https://github.example', runId: 99 };
    const core = { setFailed: (message: string) => void failed.push(message) };
    const fakeFs = {
      existsSync: (file: string) => file === 'plan.md' && options.planMd !== undefined,
      readFileSync: (file: string) => {
        expect(file).toBe('plan.md');
        return options.planMd!;
      },
    };
    const requireFake = (name: string): unknown => {
      expect(name).toBe('node:fs');
      return fakeFs;
    };
    const fakeProcess = { env: { PLAN_EXITCODE: options.exitcode } };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
    const script = step('plan', 'Comment on the pull request').with!.script!;
    await new AsyncFunction('github', 'context', 'core', 'require', 'process', script)(github, context, core, requireFake, fakeProcess);
    return { created, updated, failed };
  }

  it('the comment step creates one comment with the plan, then updates that one', async () => {
    const planMd = `${marker}\n### Index plan for \`indexes.yaml\`\n\n**Plan: 1 to create.**\n`;
    const first = await comment({ exitcode: '2', planMd, comments: [{ id: 1, body: 'LGTM', user: { type: 'User' } }] });
    expect(first).toEqual({ created: [planMd], updated: [], failed: [] });

    const others = [
      { id: 1, body: 'LGTM', user: { type: 'User' } },
      { id: 2, body: `${marker}\nquoted by a person`, user: { type: 'User' } },
      { id: 3, body: `${marker}\nold plan`, user: { type: 'Bot' } },
    ];
    const again = await comment({ exitcode: '0', planMd, comments: others });
    expect(again).toEqual({ created: [], updated: [{ id: 3, body: planMd }], failed: [] });
  });

  it('the comment step replaces the plan with a failure note when validate or plan failed', async () => {
    for (const exitcode of ['', '1']) {
      const result = await comment({ exitcode, comments: [{ id: 3, body: `${marker}\nold plan`, user: { type: 'Bot' } }] });
      expect(result.updated).toHaveLength(1);
      expect(result.updated[0]!.body.startsWith(`${marker}\n`)).toBe(true);
      expect(result.updated[0]!.body).toContain('**No plan:** validate or plan failed');
      expect(result.updated[0]!.body).toContain('https://github.example/o/r/actions/runs/99');
    }
  });

  it('the comment step keeps a huge plan under GitHub’s comment limit, dropping the SQL first', async () => {
    const sql = `<details><summary>SQL</summary>\n\n\`\`\`sql\n${'CREATE INDEX CONCURRENTLY x ON t (c);\n'.repeat(3000)}\`\`\`\n\n</details>\n`;
    const planMd = `${marker}\n### Index plan\n\n**Plan: 3000 to create.**\n\n${sql}`;
    const result = await comment({ exitcode: '2', planMd, comments: [] });
    expect(result.created).toHaveLength(1);
    expect(result.created[0]!.length).toBeLessThan(65536);
    expect(result.created[0]).toContain('**Plan: 3000 to create.**');
    expect(result.created[0]).toContain('The SQL is too long for a comment');
  });

  it('the comment step refuses a plan.md without the marker rather than post a comment it cannot find again', async () => {
    const result = await comment({ exitcode: '2', planMd: '### no marker\n', comments: [] });
    expect(result.created).toEqual([]);
    expect(result.failed[0]).toContain(marker);
  });
});
