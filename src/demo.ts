/*
 * `npm start`: the flagship example end to end on a throwaway embedded PostgreSQL — load the openlearn
 * schema and data, time the declared queries before the indexes exist (check --analyze --out), plan,
 * apply with the live view, plan again (no changes), status, time the queries again against the first
 * timings (check --analyze --baseline), and end with the deployment guide's success criteria as a
 * checklist — then stop the server, whatever happened. DEMO_SCALE sets the data size (default 0.2: the
 * builds take some seconds).
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStatus } from './commands/status.js';
import { colorsFor, type CommandContext } from './commands/context.js';
import { compareBaselines } from './core/check-comparison.js';
import { successCriteria } from './core/success-criteria.js';
import { readBaselineFile } from './io/baseline-file.js';
import { connect } from './io/db.js';
import { startEmbedded, type EmbeddedServer } from './io/embedded.js';
import { main } from './main.js';
import { processContext } from './process-context.js';
import { renderSuccessCriteria } from './ui/success-criteria-text.js';
import { formatDuration } from './ui/units.js';

/**
 * Timed runs per query before the indexes exist: full-text search then reads every article, hundreds of
 * milliseconds a run at the default scale, so fewer runs keep the demo short.
 */
const BEFORE_RUNS = 2;

const EXAMPLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'openlearn');

function scaleFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.DEMO_SCALE ?? '0.2';
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 100) throw new Error(`DEMO_SCALE must be a number above 0 and at most 100, not "${raw}"`);
  return scale;
}

async function loadExample(server: EmbeddedServer, scale: number): Promise<string> {
  const admin = await connect({ connectionString: server.url(), display: 'embedded', secrets: [server.password] });
  await admin.query('CREATE DATABASE openlearn');
  await admin.end();
  const url = server.url('openlearn');
  const session = await connect({ connectionString: url, display: 'embedded', secrets: [server.password] });
  try {
    // The files are written for any search_path; our sessions pin pg_catalog, so name the schema here.
    await session.query('SET search_path = public');
    await session.query(await readFile(path.join(EXAMPLE_DIR, 'schema.sql'), 'utf8'));
    await session.query(`SET openlearn.scale = '${scale}'`);
    await session.query(await readFile(path.join(EXAMPLE_DIR, 'seed.sql'), 'utf8'));
  } finally {
    await session.end();
  }
  return url;
}

function heading(context: CommandContext, text: string): void {
  context.stdout.write(`\n== ${text}\n\n`);
}

/** Runs one command with its output kept, for a step whose full report would drown the demo. */
async function quietly(argv: string[], context: CommandContext): Promise<{ code: number; out: string }> {
  let out = '';
  const stdout = { write: (text: string) => void (out += text), isTTY: false };
  const code = await main(argv, { ...context, stdout });
  return { code, out };
}

async function timeBefore(context: CommandContext, connection: readonly string[]): Promise<number> {
  heading(context, `reconcile check --analyze --runs ${BEFORE_RUNS} --out before.json: time the declared queries before the indexes exist`);
  const { code, out } = await quietly(['check', '--analyze', '--runs', String(BEFORE_RUNS), '--out', 'before.json', ...connection], context);
  const lines = out.trimEnd().split('\n');
  // The summary and where the timings went; the per query report would list 58 sequential scans.
  context.stdout.write(`${code === 0 ? lines.slice(-3).join('\n') : out}\n`);
  return code;
}

async function checklist(context: CommandContext, url: string, inSync: boolean): Promise<void> {
  const status = await readStatus({ file: 'indexes.yaml', databaseUrl: url }, context);
  const comparison = compareBaselines(await readBaselineFile('before.json'), await readBaselineFile('after.json'), 'before.json');
  context.stdout.write(`\n${renderSuccessCriteria(successCriteria({ status, inSync, comparison }), colorsFor(context, {}))}`);
}

export async function runDemo(context: CommandContext): Promise<number> {
  const scale = scaleFromEnv(context.env);
  context.stdout.write('Starting an embedded PostgreSQL (real binaries from npm; nothing is installed on this machine)…\n');
  const server = await startEmbedded();
  // The manifest is copied to a directory of the demo's own, where the timings are saved beside it.
  const work = await mkdtemp(path.join(os.tmpdir(), 'reconcile-demo-'));
  try {
    context.stdout.write(`PostgreSQL ${server.major} is running on port ${server.port}.\n`);
    const started = Date.now();
    const url = await loadExample(server, scale);
    context.stdout.write(`Loaded the openlearn schema and data (scale ${scale}) in ${formatDuration(Date.now() - started)}.\n`);
    await copyFile(path.join(EXAMPLE_DIR, 'indexes.yaml'), path.join(work, 'indexes.yaml'));
    process.chdir(work);
    const connection = ['--database-url', url];
    const before = await timeBefore(context, connection);
    if (before !== 0) return before;
    if (context.signal.aborted) return 130;
    const steps: { title: string; argv: string[]; expect: readonly number[] }[] = [
      { title: 'reconcile plan: what indexes.yaml asks for', argv: ['plan', ...connection], expect: [0] },
      { title: 'reconcile apply --yes: build them online', argv: ['apply', '--yes', ...connection], expect: [0] },
      { title: 'reconcile plan: again', argv: ['plan', '--detailed-exitcode', ...connection], expect: [0, 2] },
      { title: 'reconcile status: index health', argv: ['status', ...connection], expect: [0] },
      // A query over its budget is the checklist's to report, not a reason to stop.
      {
        title: 'reconcile check --analyze --baseline before.json: the same queries with the indexes',
        argv: ['check', '--analyze', '--baseline', 'before.json', '--out', 'after.json', ...connection],
        expect: [0, 1],
      },
    ];
    let inSync = false;
    for (const step of steps) {
      heading(context, step.title);
      const code = await main(step.argv, context);
      if (!step.expect.includes(code)) return code;
      if (context.signal.aborted) return 130;
      if (step.argv[0] === 'plan' && step.argv.includes('--detailed-exitcode')) inSync = code === 0;
    }
    await checklist(context, url, inSync);
    context.stdout.write('\nThe demo is done; stopping the embedded PostgreSQL.\n');
    return 0;
  } finally {
    process.chdir(os.tmpdir());
    await rm(work, { recursive: true, force: true });
    await server.stop();
  }
}

const context = processContext();
const code = await runDemo(context).catch((error: unknown) => {
  context.stderr.write(`The demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});
process.exitCode = code;
setTimeout(() => process.exit(code), 200).unref();
