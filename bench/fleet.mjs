// A no-change plan of a fleet: N databases (default 200) of the flagship schema (examples/openlearn),
// planned through `reconcile plan --targets` in one process, against N separate `reconcile plan`
// processes, one per database, in one run, side by side: wall time, peak memory, round trips per
// target. Goal: under 10 s for 200 on a 2-core machine, and under 0.1× the separate processes.
//
//   npx tsc -p . && node bench/fleet.mjs [N]          # PG_VERSION=15 for another major
//
// The databases are copies of one (CREATE DATABASE … TEMPLATE) on a throwaway embedded server, with the
// manifest applied. The separate processes run --parallel at a time (default 8, as the fleet plans), so
// both sides have the same number of connections open at once; peak memory is the fleet process's, and
// for the separate processes the largest one's and their sum over the N. Round trips are counted at the
// driver (bench/fleet-probe.mjs); connection start-ups are counted apart.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbedded } from '../dist/io/embedded.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const PROBE = join(ROOT, 'bench', 'fleet-probe.mjs');
const MANIFEST = join(ROOT, 'examples', 'openlearn', 'indexes.yaml');
const COUNT = Number(process.argv[2] ?? 200);
const PARALLEL = Number(process.env.PARALLEL ?? 8);
const GOAL_MS = 10_000;

function run(args, env, probeFile) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PROBE, CLI, ...args], {
      env: { ...process.env, ...env, FLEET_PROBE_OUT: probeFile, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

function probes(file) {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

async function main() {
  const server = await startEmbedded();
  const work = mkdtempSync(join(tmpdir(), 'reconcile-fleet-bench-'));
  try {
    const admin = new pg.Client(server.url());
    await admin.connect();
    await admin.query('CREATE DATABASE flagship');
    const flagship = new pg.Client(server.url('flagship'));
    await flagship.connect();
    await flagship.query(readFileSync(join(ROOT, 'examples', 'openlearn', 'schema.sql'), 'utf8'));
    await flagship.end();
    execFileSync(process.execPath, [CLI, 'apply', '--yes', '--output', 'plain', '-f', MANIFEST, '--database-url', server.url('flagship')], { stdio: 'ignore' });
    await admin.query('VACUUM ANALYZE');
    for (let i = 0; i < COUNT; i++) await admin.query(`CREATE DATABASE tenant_${String(i).padStart(4, '0')} TEMPLATE flagship`);
    await admin.end();
    const targets = join(work, 'targets.yaml');
    writeFileSync(targets, `version: 1\nmanifest: ${MANIFEST}\ndiscover:\n  - name: tenants\n    server: env:FLEET_SERVER\n    databases: "tenant\\\\_%"\n`);

    // One process for the fleet.
    const fleetProbe = join(work, 'fleet.probe');
    const fleet = await run(['plan', '--targets', targets, '--format', 'json', '--detailed-exitcode', '--parallel', String(PARALLEL)], { FLEET_SERVER: server.url() }, fleetProbe);
    const document = JSON.parse(fleet.stdout);
    if (fleet.code !== 0 || document.summary.inSync !== COUNT) throw new Error(`fleet plan: exit ${fleet.code}, ${JSON.stringify(document.summary)}\n${fleet.stderr}`);
    const [fleetStats] = probes(fleetProbe);

    // One process per database, PARALLEL at a time.
    const soloProbe = join(work, 'solo.probe');
    const urls = Array.from({ length: COUNT }, (_, i) => server.url(`tenant_${String(i).padStart(4, '0')}`));
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < urls.length) {
          const url = urls[next++];
          const solo = await run(['plan', '-f', MANIFEST, '--database-url', url, '--format', 'json', '--detailed-exitcode'], {}, soloProbe);
          if (solo.code !== 0) throw new Error(`plan of ${url}: exit ${solo.code}\n${solo.stderr}`);
        }
      }),
    );
    const soloMs = performance.now() - started;
    const solos = probes(soloProbe);
    const sum = (list, key) => list.reduce((n, p) => n + p[key], 0);

    const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
    const rows = [
      ['', `plan --targets (1 process)`, `${COUNT} × reconcile plan`],
      ['wall time', `${(fleet.ms / 1000).toFixed(2)} s`, `${(soloMs / 1000).toFixed(2)} s`],
      ['peak memory', mb(fleetStats.maxRssKb), `${mb(Math.max(...solos.map((p) => p.maxRssKb)))} each, ${mb(sum(solos, 'maxRssKb'))} in all`],
      ['round trips per target', (fleetStats.queries / COUNT).toFixed(1), (sum(solos, 'queries') / COUNT).toFixed(1)],
      ['connections per target', (fleetStats.connections / COUNT).toFixed(1), (sum(solos, 'connections') / COUNT).toFixed(1)],
    ];
    const width = rows.map((r) => r.map((c) => c.length)).reduce((a, b) => a.map((w, i) => Math.max(w, b[i])));
    console.log(`PostgreSQL ${server.major}, ${COUNT} databases of examples/openlearn (59 indexes on 8 tables each), --parallel ${PARALLEL}, ${availableParallelism()} cores, load ${loadavg()[0].toFixed(1)}`);
    for (const row of rows) console.log(row.map((c, i) => c.padEnd(width[i])).join('   '));
    const ratio = fleet.ms / soloMs;
    console.log(`fleet / separate: ${ratio.toFixed(3)}×  (goal < 0.1×); fleet ${fleet.ms < GOAL_MS ? 'under' : 'over'} the ${GOAL_MS / 1000} s goal`);
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
