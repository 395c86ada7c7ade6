// How a no-change `reconcile plan` scales with the number of tables (issue 4): N tables × 10 indexes
// of varied shapes, created by plain hand-written SQL, declared in a matching manifest, then planned.
// Runs on the compiled output against a throwaway embedded server, or against a server of yours:
//
//   npx tsc -p . && node bench/plan-scale.mjs [100,1000,5000]      # PG_VERSION=15 for another major
//   BENCH_URL=postgres://me@db:5432/postgres node bench/plan-scale.mjs 1000
//
// With BENCH_URL the benchmark creates (and afterwards drops) a database bench_<N> per size on that
// server, so the role needs CREATEDB. VARY (see below) makes the tables differ, RUNS sets the number of
// warm runs (default 3). JIT=compare also times each warm run with `SET jit = on` after connecting,
// overriding the tool's pinned jit = off: on a server built with LLVM that shows what JIT would cost
// the catalog read and the canonicalisation (the embedded servers have no JIT; see pg_jit_available()).
//
// Each N is planned in a fresh child process (so that its peak RSS is its own, and the first run is
// really cold: module loading, the parser's WASM, the JSON Schema compile), which plans 1 + RUNS times:
// the first (cold) run and the median of the warm ones are reported. The fragment cache is cleared
// before every run, as a CLI run starts without it. A run is timed in phases by composing exactly what
// planAgainstDatabase does (the search path read and connect, readLiveState, canonicalise, computePlan +
// planDocument); after the timed runs the child also calls planAgainstDatabase itself once and checks it
// agrees.
//
// Round trips are counted at the driver: every pg.Client#query call (one query message: a
// multi-statement string is one), including connect's `SELECT pg_backend_pid()`; the connection
// start-up handshake is not counted. The server runs with the default max_locks_per_transaction (64).
// CPU is this process's (all its threads, the garbage collector's too) plus the session backend's (read
// from /proc on Linux): on a busy machine wall times stretch, and the CPU column gives an idea of what
// the run would take on an idle one (a little more, as the collector runs beside the main thread).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const INDEXES_PER_TABLE = 10;
const TABLES_PER_SETUP_QUERY = 100;
const RUNS = Number(process.env.RUNS ?? 3);
// VARY=none: all tables alike; table: each table has a column of its own (no two tables have the same
// shape, the columns the indexes use are the same); columns: the predicate's column is named after the
// table too (nothing can be shared: one temporary copy per table).
const VARY = process.env.VARY ?? 'none';
if (!['none', 'table', 'columns'].includes(VARY)) throw new Error(`VARY must be none, table or columns, not ${VARY}`);
const BENCH_URL = process.env.BENCH_URL || undefined;
const JIT = process.env.JIT ?? 'pinned';
if (!['pinned', 'compare'].includes(JIT)) throw new Error(`JIT must be pinned or compare, not ${JIT}`);
const GOAL_MS = 2_000;
const GOAL_TABLES = 1_000;
const SCHEMA = 'app';
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

// ---- the schema: one table shape, ten index shapes, written as a person writes them ----

const statusColumn = (t) => (VARY === 'columns' ? `status_${t}` : 'status');

function tableSql(t) {
  const own = VARY === 'none' ? '' : `, c_${t} int`;
  return `CREATE TABLE ${SCHEMA}.t${t} (id bigint NOT NULL, account_id bigint NOT NULL, email text, ${statusColumn(t)} varchar(20) NOT NULL,
  kind text, score int, created_at timestamptz NOT NULL, deleted_at timestamptz, payload jsonb, ref uuid${own})`;
}

/** [name, hand-written CREATE INDEX, manifest entry lines] for table t. */
function indexShapes(t) {
  const p = `t${t}`;
  const on = `${SCHEMA}.${p}`;
  return [
    [`${p}_account_idx`, `CREATE INDEX ${p}_account_idx ON ${on} (account_id) WITH (fillfactor = 90)`,
      ['columns: [account_id]', 'with: { fillfactor: 90 }']],
    [`${p}_account_created_idx`, `CREATE INDEX ${p}_account_created_idx ON ${on} (account_id, created_at DESC)`,
      ['columns: [account_id, { column: created_at, order: desc }]']],
    [`${p}_active_idx`, `CREATE INDEX ${p}_active_idx ON ${on} (created_at) WHERE ${statusColumn(t)} = 'active'`,
      ['columns: [created_at]', `where: ${statusColumn(t)} = 'active'`]],
    [`${p}_email_lower_idx`, `CREATE INDEX ${p}_email_lower_idx ON ${on} (lower(email))`,
      ['columns: [{ expression: lower(email) }]']],
    [`${p}_payload_idx`, `CREATE INDEX ${p}_payload_idx ON ${on} USING gin (payload jsonb_path_ops)`,
      ['method: gin', 'columns: [{ column: payload, opclass: jsonb_path_ops }]']],
    [`${p}_status_idx`, `CREATE INDEX ${p}_status_idx ON ${on} (${statusColumn(t)}) INCLUDE (id, score)`,
      [`columns: [${statusColumn(t)}]`, 'include: [id, score]']],
    [`${p}_id_key`, `CREATE UNIQUE INDEX ${p}_id_key ON ${on} (id)`,
      ['unique: true', 'columns: [id]']],
    [`${p}_ref_idx`, `CREATE INDEX ${p}_ref_idx ON ${on} USING hash (ref)`,
      ['method: hash', 'columns: [ref]']],
    [`${p}_created_brin`, `CREATE INDEX ${p}_created_brin ON ${on} USING brin (created_at) WITH (pages_per_range = 32)`,
      ['method: brin', 'columns: [created_at]', 'with: { pages_per_range: 32 }']],
    [`${p}_deleted_idx`, `CREATE INDEX ${p}_deleted_idx ON ${on} (deleted_at) WHERE deleted_at IS NOT NULL`,
      ['columns: [deleted_at]', 'where: deleted_at IS NOT NULL']],
  ];
}

function manifestText(tables) {
  const lines = ['version: 1', 'tables:'];
  for (let t = 0; t < tables; t += 1) {
    lines.push(`  ${SCHEMA}.t${t}:`, '    indexes:');
    for (const [name, , entry] of indexShapes(t)) {
      lines.push(`      ${name}:`, ...entry.map((line) => `        ${line}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---- the child: plans one manifest, reports JSON on stdout ----

async function child(url, file) {
  const started = performance.now();
  const pg = (await import('pg')).default;
  let roundTrips = 0;
  // When set, the catalog's queries are kept (text and parameters) to be run again under EXPLAIN ANALYZE.
  let captured;
  const originalQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    roundTrips += 1;
    if (captured && typeof args[0] === 'string' && /^\s*(SELECT|WITH)\b/i.test(args[0])) captured.push([args[0], args[1]]);
    return originalQuery.apply(this, args);
  };
  const { loadManifestFile } = await import('../dist/io/manifest/load.js');
  const { planAgainstDatabase } = await import('../dist/io/planning.js');
  const { connect } = await import('../dist/io/db.js');
  const { readLiveState } = await import('../dist/io/catalog.js');
  const { canonicalise } = await import('../dist/io/canonical/index.js');
  const { readResolutionPath } = await import('../dist/io/search-path.js');
  const { computePlan } = await import('../dist/core/plan.js');
  const { planDocument } = await import('../dist/core/plan-document.js');
  const { clearFragmentCache } = await import('../dist/core/fragments.js');
  const importMs = performance.now() - started;
  const target = { connectionString: url, display: 'bench', secrets: [] };
  const options = { allowEmpty: false, allowLockingDrops: false };

  const assertNoChange = (plan, document, what) => {
    if (plan.problems.length > 0) throw new Error(`${what}: problems ${JSON.stringify(plan.problems.slice(0, 3))}`);
    if (plan.actions.length > 0 || document.changes) {
      throw new Error(`${what}: not a no-change plan: ${plan.actions.length} actions, e.g. ${JSON.stringify(plan.actions.slice(0, 2))}`);
    }
  };

  // CPU time: this process, and the session's server backend (Linux /proc, when readable; 10 ms ticks).
  const nodeCpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const serverCpu = (pid) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      return Number.NaN;
    }
  };

  // jitOn: override the tool's pinned jit = off for this run's session (JIT=compare).
  async function timedRun(jitOn = false) {
    clearFragmentCache();
    const trips0 = roundTrips;
    const t0 = performance.now();
    const c0 = nodeCpu();
    const { desired, sha256: sha } = await loadManifestFile(file);
    const t1 = performance.now();
    const c1 = nodeCpu();
    // As planAgainstDatabase: the search path that resolves the manifest's names (its own connection), then the session.
    const resolutionPath = await readResolutionPath(target, desired.settings);
    const session = await connect(target);
    if (jitOn) await session.query('SET jit = on');
    const t2 = performance.now();
    const c2 = nodeCpu();
    const s2 = serverCpu(session.pid);
    let live;
    let canonical;
    let t3;
    let c3;
    let s3;
    let s4;
    try {
      live = await readLiveState(session, desired.tables);
      t3 = performance.now();
      c3 = nodeCpu();
      s3 = serverCpu(session.pid);
      canonical = await canonicalise(session, desired, live, { resolutionPath });
      s4 = serverCpu(session.pid);
    } finally {
      await session.end();
    }
    const t4 = performance.now();
    const c4 = nodeCpu();
    const plan = computePlan(desired, live, canonical, options);
    const document = planDocument({ plan, live, manifestFile: file, manifestSha256: sha, searchPath: resolutionPath.schemas, now: new Date() });
    const t5 = performance.now();
    const c5 = nodeCpu();
    assertNoChange(plan, document, 'timed run');
    const indexes = desired.tables.reduce((n, table) => n + table.indexes.length, 0);
    return {
      manifestMs: t1 - t0,
      connectMs: t2 - t1,
      catalogMs: t3 - t2,
      canonicaliseMs: t4 - t3,
      planMs: t5 - t4,
      totalMs: t5 - t0,
      manifestCpuMs: c1 - c0,
      catalogCpuMs: c3 - c2 + (s3 - s2),
      canonicaliseCpuMs: c4 - c3 + (s4 - s3),
      planCpuMs: c5 - c4,
      // What the run costs in CPU, client and server: on an idle machine, about its wall time.
      totalCpuMs: c5 - c0 + (s4 - s2),
      roundTrips: roundTrips - trips0,
      canonicalRoundTrips: canonical.roundTrips,
      indexes,
      liveIndexes: live.indexes.length,
      fastPath: canonical.fastPath,
      clonedDesired: canonical.cloned.desired,
      clonedLive: canonical.cloned.live,
      copyTables: canonical.copies.tables,
      copyIndexes: canonical.copies.indexes,
    };
  }

  const cold = await timedRun();
  const warm = [];
  for (let i = 0; i < RUNS; i += 1) warm.push(await timedRun());
  const warmJitOn = [];
  if (JIT === 'compare') for (let i = 0; i < RUNS; i += 1) warmJitOn.push(await timedRun(true));

  // The catalog read's queries under EXPLAIN ANALYZE, jit on and off: the server's own account of what
  // JIT costs them (compiling is CPU time in the backend, so this holds on a busy machine too).
  let explained;
  if (JIT === 'compare') {
    const session = await connect(target);
    try {
      captured = [];
      await readLiveState(session, (await loadManifestFile(file)).desired.tables);
      const queries = captured;
      captured = undefined;
      explained = {};
      for (const jit of ['on', 'off']) {
        await session.query(`SET jit = ${jit}`);
        const sum = { queries: queries.length, executionMs: 0, jitMs: 0, jitFunctions: 0 };
        for (const [sql, params] of queries) {
          const { rows } = await session.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
          const top = rows[0]['QUERY PLAN'][0];
          sum.executionMs += top['Planning Time'] + top['Execution Time'];
          sum.jitMs += top.JIT?.Timing?.Total ?? 0;
          sum.jitFunctions += top.JIT?.Functions ?? 0;
        }
        explained[jit] = sum;
      }
    } finally {
      captured = undefined;
      await session.end();
    }
  }

  // The product's own function, once, end to end (manifest loaded again, cache cleared).
  clearFragmentCache();
  const trips0 = roundTrips;
  const p0 = performance.now();
  const { desired, sha256: sha } = await loadManifestFile(file);
  const { plan, document } = await planAgainstDatabase(target, desired, { ...options, manifestFile: file, manifestSha256: sha });
  const endToEndMs = performance.now() - p0;
  assertNoChange(plan, document, 'planAgainstDatabase');

  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ importMs, cold, warm, warmJitOn, explained, endToEnd: { totalMs: endToEndMs, roundTrips: roundTrips - trips0 }, maxRssBytes })}\n`);
}

// ---- the parent: server, schema, manifest, children, the table ----

function runChild(url, file) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', url, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

async function setup(server, tables) {
  const pg = (await import('pg')).default;
  const database = `bench_${tables}`;
  const admin = new pg.Client(server.url());
  await admin.connect();
  // A server of the user's may keep a database of an earlier, interrupted run.
  if (server.external) await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const client = new pg.Client(server.url(database));
  await client.connect();
  const started = performance.now();
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  for (let from = 0; from < tables; from += TABLES_PER_SETUP_QUERY) {
    const statements = [];
    for (let t = from; t < Math.min(tables, from + TABLES_PER_SETUP_QUERY); t += 1) {
      statements.push(tableSql(t), ...indexShapes(t).map(([, sql]) => sql));
    }
    await client.query(statements.join(';\n'));
  }
  await client.query('ANALYZE');
  await client.end();
  return { url: server.url(database), setupMs: performance.now() - started };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const ms = (value) => `${Math.round(value).toLocaleString('en-US')} ms`;
const pad = (text, width) => String(text).padStart(width);

/** The server given in BENCH_URL, shaped like the embedded one: url(database) and stop(). */
function externalServer(url) {
  const withDatabase = (database) => {
    const parsed = new URL(url);
    if (database) parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  const created = [];
  return {
    external: true,
    url: (database) => {
      if (database) created.push(database);
      return withDatabase(database);
    },
    async stop() {
      const pg = (await import('pg')).default;
      const admin = new pg.Client(url);
      await admin.connect();
      for (const database of new Set(created)) await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    },
  };
}

async function parent() {
  const sizes = (process.argv[2] ?? '100,1000,5000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
  const { startEmbedded } = await import('../dist/io/embedded.js');
  const server = BENCH_URL ? externalServer(BENCH_URL) : await startEmbedded();
  const dir = mkdtempSync(join(tmpdir(), 'plan-scale-'));
  const results = [];
  try {
    const pg = (await import('pg')).default;
    const probe = new pg.Client(server.url());
    await probe.connect();
    const { rows } = await probe.query(
      `SELECT current_setting('server_version') AS v, current_setting('max_locks_per_transaction') AS locks, current_setting('jit') AS jit, pg_jit_available() AS llvm`,
    );
    await probe.end();
    console.log(
      `PostgreSQL ${rows[0].v} (${BENCH_URL ? 'BENCH_URL' : 'embedded'}), max_locks_per_transaction ${rows[0].locks}, jit ${rows[0].jit} ` +
        `(${rows[0].llvm ? 'LLVM available' : 'no LLVM'}; the tool pins jit = off${JIT === 'compare' ? ', compared with jit = on' : ''}); ` +
        `${RUNS} warm runs per N (median), ${INDEXES_PER_TABLE} indexes per table; tables vary: ${VARY}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
    for (const tables of sizes) {
      const { url, setupMs } = await setup(server, tables);
      const file = join(dir, `indexes-${tables}.yaml`);
      writeFileSync(file, manifestText(tables));
      const report = await runChild(url, file);
      results.push({ tables, setupMs, ...report });
      const m = (key) => median(report.warm.map((r) => r[key]));
      console.log(
        `N=${tables}: setup ${ms(setupMs)}; cold ${ms(report.cold.totalMs)} (+ ${ms(report.importMs)} imports), warm median ${ms(m('totalMs'))}, ` +
          `planAgainstDatabase + manifest ${ms(report.endToEnd.totalMs)}`,
      );
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('');
  const header = ['tables', 'indexes', 'run', 'manifest', 'connect', 'catalog', 'canonicalise', 'plan', 'total', 'CPU', 'peak RSS', 'round trips', 'fast path', 'cloned (copies)'];
  const widths = [7, 8, 5, 10, 9, 10, 13, 8, 10, 10, 9, 13, 13, 16];
  console.log(header.map((h, i) => pad(h, widths[i])).join(' '));
  for (const r of results) {
    const warmMedian = (key) => median(r.warm.map((w) => w[key]));
    const rows = [
      ['cold', r.cold],
      ['warm', Object.fromEntries(Object.keys(r.cold).map((key) => [key, warmMedian(key)]))],
    ];
    for (const [label, x] of rows) {
      console.log(
        [
          r.tables,
          x.indexes,
          label,
          ms(x.manifestMs),
          ms(x.connectMs),
          ms(x.catalogMs),
          ms(x.canonicaliseMs),
          ms(x.planMs),
          ms(x.totalMs),
          ms(x.totalCpuMs),
          `${Math.round(r.maxRssBytes / 2 ** 20)} MB`,
          `${x.roundTrips} (${x.canonicalRoundTrips} canon)`,
          `${x.fastPath}/${x.indexes} ${Math.round((100 * x.fastPath) / x.indexes)}%`,
          `${x.clonedDesired + x.clonedLive} (${x.copyTables}t ${x.copyIndexes}i)`,
        ]
          .map((cell, i) => pad(cell, widths[i]))
          .join(' '),
      );
    }
  }
  console.log('');
  console.log('CPU time by phase (client + server backend), warm median:');
  for (const r of results) {
    const m = (key) => ms(median(r.warm.map((w) => w[key])));
    console.log(`  N=${r.tables}: manifest ${m('manifestCpuMs')}, catalog ${m('catalogCpuMs')}, canonicalise ${m('canonicaliseCpuMs')}, plan ${m('planCpuMs')}`);
  }
  if (JIT === 'compare') {
    console.log('');
    console.log('JIT, warm median: the tool (jit = off pinned) against the same runs with SET jit = on:');
    for (const r of results) {
      const off = (key) => ms(median(r.warm.map((w) => w[key])));
      const on = (key) => ms(median(r.warmJitOn.map((w) => w[key])));
      console.log(
        `  N=${r.tables}: catalog ${off('catalogMs')} off, ${on('catalogMs')} on (CPU ${off('catalogCpuMs')}, ${on('catalogCpuMs')}); ` +
          `canonicalise ${off('canonicaliseMs')} off, ${on('canonicaliseMs')} on (CPU ${off('canonicaliseCpuMs')}, ${on('canonicaliseCpuMs')}); ` +
          `total ${off('totalMs')} off, ${on('totalMs')} on`,
      );
      const { on: e1, off: e0 } = r.explained;
      console.log(
        `         the catalog's ${e1.queries} queries under EXPLAIN ANALYZE (planning + execution on the server): ` +
          `${ms(e0.executionMs)} with jit off; ${ms(e1.executionMs)} with jit on, of which JIT ${ms(e1.jitMs)} (${e1.jitFunctions} functions compiled)`,
      );
    }
  }
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${availableParallelism()} CPUs)`);
  console.log('round trips: pg.Client#query calls (a multi-statement string counts once), including connect\'s pid query; peak RSS: the child\'s maxRSS;');
  console.log('cloned: indexes that needed a build on a temporary copy (copies: temporary tables and indexes actually built).');
  const goal = results.find((r) => r.tables === GOAL_TABLES);
  if (goal) {
    const warm = median(goal.warm.map((w) => w.totalMs));
    const verdict = (value) => (value < GOAL_MS ? 'meets' : 'misses');
    console.log(
      `Goal (issue 4): ${GOAL_TABLES.toLocaleString('en-US')} tables × ${INDEXES_PER_TABLE} indexes planned in under ${GOAL_MS / 1000} s: ` +
        `warm median ${ms(warm)} ${verdict(warm)} it; cold run ${ms(goal.cold.totalMs)} ${verdict(goal.cold.totalMs)} it ` +
        `(${ms(goal.cold.totalMs + goal.importMs)} with module loading).`,
    );
  } else {
    console.log(`Goal (issue 4): not measured (run with ${GOAL_TABLES} in the list).`);
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else {
  await parent();
}
