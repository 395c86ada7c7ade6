/*
 * `npm start`: the flagship example end to end on a throwaway embedded PostgreSQL — load the openlearn
 * schema and data, plan, apply with the live view, plan again (no changes), status — then stop the
 * server, whatever happened. DEMO_SCALE sets the data size (default 0.2: the builds take some seconds).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandContext } from './commands/context.js';
import { connect } from './io/db.js';
import { startEmbedded, type EmbeddedServer } from './io/embedded.js';
import { main } from './main.js';
import { processContext } from './process-context.js';
import { formatDuration } from './ui/units.js';

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

export async function runDemo(context: CommandContext): Promise<number> {
  const scale = scaleFromEnv(context.env);
  context.stdout.write('Starting an embedded PostgreSQL (real binaries from npm; nothing is installed on this machine)…\n');
  const server = await startEmbedded();
  try {
    context.stdout.write(`PostgreSQL ${server.major} is running on port ${server.port}.\n`);
    const started = Date.now();
    const url = await loadExample(server, scale);
    context.stdout.write(`Loaded the openlearn schema and data (scale ${scale}) in ${formatDuration(Date.now() - started)}.\n`);
    process.chdir(EXAMPLE_DIR);
    const connection = ['--database-url', url];
    const steps: { title: string; argv: string[]; expect: readonly number[] }[] = [
      { title: 'reconcile plan: what indexes.yaml asks for', argv: ['plan', ...connection], expect: [0] },
      { title: 'reconcile apply --yes: build them online', argv: ['apply', '--yes', ...connection], expect: [0] },
      { title: 'reconcile plan: again', argv: ['plan', ...connection], expect: [0] },
      { title: 'reconcile status: index health', argv: ['status', ...connection], expect: [0] },
    ];
    for (const step of steps) {
      heading(context, step.title);
      const code = await main(step.argv, context);
      if (!step.expect.includes(code)) return code;
      if (context.signal.aborted) return 130;
    }
    context.stdout.write('\nThe demo is done; stopping the embedded PostgreSQL.\n');
    return 0;
  } finally {
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
