// What running tables side by side wins: 4 tables × ~300k rows of news-like Spanish text, each with a
// btree, a GIN full-text expression index, a GIN jsonb index and a partial btree. Runs on the compiled
// output against a throwaway embedded server:
//
//   npx tsc -p . && node bench/apply.mjs            # PG_VERSION=15 for another major, ROWS, ROUNDS, CONCURRENCY,
//                                                   # MODES=sequential,sequential-monitored,apply,apply-no-stagger,apply-no-monitor
//
// (a) sequential: the same CREATE INDEX CONCURRENTLY statements one after another on one connection
//     (what `psql -f plan.sql` does); (b) executePlan at concurrency 2; (c) the same without the progress
// monitor (and so without staggering expression/partial builds; `apply-no-stagger` keeps the monitor but
// not the staggering); `sequential-monitored` is (a) with the monitor polling, which is what the monitor
// costs the builds. Indexes are dropped between runs. Each build's time in wait phases comes from the monitor's
// events (so (c) cannot report it).
import { performance } from 'node:perf_hooks';
import { connect } from '../dist/io/db.js';
import { startEmbedded } from '../dist/io/embedded.js';
import { executePlan } from '../dist/io/executor.js';
import { readActivity, startMonitor } from '../dist/io/monitor.js';
import { createIndexSql } from '../dist/core/sql.js';
import { DEFAULT_SETTINGS } from '../dist/core/model.js';

const TABLES = Number(process.env.TABLES ?? 4);
const ROWS = Number(process.env.ROWS ?? 300_000);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 2);
const MODES = (process.env.MODES ?? 'sequential,apply,apply-no-monitor,apply-no-stagger,sequential-monitored').split(',');

const WORDS = `gobierno presidente ministro congreso elecciones votación partido oposición reforma economía inflación
mercado empresas empleo desempleo salario impuestos presupuesto banco central tasas interés exportaciones petróleo
café cosecha agricultores campesinos región departamento municipio alcaldía gobernador ciudad capital barrio
habitantes comunidad policía ejército seguridad violencia conflicto acuerdo paz diálogo negociación grupo armado
víctimas justicia tribunal corte fiscalía investigación denuncia corrupción contrato licitación obra carretera
puente metro transporte movilidad tráfico accidente lluvias inundaciones temporada invernal sequía clima ambiente
bosque deforestación río agua energía eléctrica proyecto inversión millones pesos dólares crecimiento caída
aumento semana mes año ayer hoy mañana anunció afirmó aseguró explicó según informe datos cifras estudio
universidad estudiantes educación colegio salud hospital médicos pacientes vacuna pandemia contagios casos
fútbol selección partido gol campeonato equipo técnico jugador torneo liga final victoria derrota empate
cultura música festival cine película libro autor premio concierto artista teatro exposición museo historia
tecnología internet redes sociales aplicación datos digital innovación ciencia investigadores descubrimiento
internacional frontera migrantes venezuela estados unidos europa china acuerdo comercial cumbre diplomacia
durante tras antes entre sobre contra desde hasta para con sin nuevo nueva primer gran importante nacional
local público privado social político económico mayor menor mejor peor alto bajo largo corto`
  .split(/\s+/)
  .filter(Boolean);
const SOURCES = ['El Tiempo', 'El Espectador', 'Semana', 'El Colombiano', 'El País', 'La República', 'Portafolio', 'El Heraldo', 'Vanguardia', 'El Universal', 'RCN', 'Caracol'];
const CATEGORIES = ['política', 'economía', 'judicial', 'deportes', 'cultura', 'tecnología', 'salud', 'internacional', 'regiones'];
const TAGS = Array.from({ length: 40 }, (_, i) => `tema-${i}`);

const source = { file: 'bench', line: 1, column: 1, path: '' };
const col = (name, extra = {}) => ({ kind: 'column', column: name, source, ...extra });
const expr = (text) => ({ kind: 'expression', expression: text, source });

function desired(table, name, extra) {
  return { name, schema: 'public', table, unique: false, method: 'btree', include: [], with: [], nullsNotDistinct: false, queries: [], source, ...extra };
}

function indexesFor(table) {
  return [
    desired(table, `idx_${table}_source_category_published`, { columns: [col('source'), col('category'), col('published_date', { order: 'desc' })] }),
    desired(table, `idx_${table}_fts`, { method: 'gin', columns: [expr("to_tsvector('spanish', coalesce(title, '') || ' ' || coalesce(body, ''))")] }),
    desired(table, `idx_${table}_tags`, { method: 'gin', columns: [col('tags', { opclass: 'jsonb_path_ops' })] }),
    desired(table, `idx_${table}_published`, { columns: [col('published_date')], where: "status = 'published'" }),
  ];
}

async function generate(session) {
  const started = performance.now();
  await session.query(`CREATE TABLE public.bench_sentences AS
    SELECT s AS id, (SELECT string_agg(($1::text[])[1 + floor(random() * array_length($1::text[], 1))::int], ' ')
                       FROM generate_series(1, 9 + s % 8)) AS sentence
      FROM generate_series(1, 4000) s`, [WORDS]);
  for (let t = 1; t <= TABLES; t += 1) {
    const table = `news_${t}`;
    await session.query(`CREATE TABLE public.${table} (id bigint, title text, body text, source text, category text,
                           published_date timestamptz, status text, tags jsonb)`);
    await session.query(
      `INSERT INTO public.${table}
       SELECT g, a[1 + (g * 7 + ${t}) % 4000],
              a[1 + (g * 13 + 1) % 4000] || ' ' || a[1 + (g * 17 + ${t}) % 4000],
              ($1::text[])[1 + g % 12], ($2::text[])[1 + (g / 7) % 9],
              timestamptz '2020-01-01' + g * interval '7 minutes',
              CASE WHEN g % 10 < 7 THEN 'published' WHEN g % 10 < 9 THEN 'draft' ELSE 'archived' END,
              jsonb_build_object('tags', jsonb_build_array(($3::text[])[1 + g % 40], ($3::text[])[1 + (g / 3) % 40], ($3::text[])[1 + (g / 11) % 40]),
                                 'author', 'autor' || (g % 500), 'score', g % 100)
         FROM generate_series(1, ${ROWS}) g, (SELECT array_agg(sentence ORDER BY id) AS a FROM public.bench_sentences) s`,
      [SOURCES, CATEGORIES, TAGS],
    );
  }
  await session.query('VACUUM ANALYZE');
  await session.query('CHECKPOINT');
  return (performance.now() - started) / 1000;
}

async function actionsFor(session) {
  const actions = [];
  for (let t = 1; t <= TABLES; t += 1) {
    const table = `news_${t}`;
    const { rows } = await session.query(`SELECT pg_relation_size($1::regclass)::float8 AS bytes, reltuples::float8 AS rows FROM pg_class WHERE oid = $1::regclass`, [`public.${table}`]);
    for (const index of indexesFor(table)) {
      actions.push({
        kind: 'create',
        table: { schema: 'public', name: table },
        index: index.name,
        reason: 'bench',
        definition: createIndexSql(index, { concurrently: false }),
        cost: { tableBytes: rows[0].bytes, estimatedRows: rows[0].rows },
        steps: [{ kind: 'build', sql: [createIndexSql(index, { concurrently: true })], creates: { schema: 'public', name: index.name } }],
      });
    }
  }
  return actions;
}

async function dropAll(session, actions) {
  for (const action of actions) await session.query(`DROP INDEX IF EXISTS public.${action.index}`);
  await session.query('CHECKPOINT');
}

/** Seconds each action spent in wait phases, from the monitor's progress events. */
function waitTimes(events) {
  const byAction = new Map();
  for (const event of events) {
    if (!('actionId' in event)) continue;
    const list = byAction.get(event.actionId) ?? [];
    list.push(event);
    byAction.set(event.actionId, list);
  }
  const result = new Map();
  for (const [id, list] of byAction) {
    let waited = 0;
    let since;
    for (const event of list) {
      const waiting = event.type === 'progress' && event.phase.startsWith('waiting for');
      if (since !== undefined && (event.type === 'progress' || event.type.startsWith('action-'))) {
        if (!waiting) {
          waited += event.at - since;
          since = undefined;
        }
      } else if (waiting) {
        since = event.at;
      }
    }
    const started = list.find((e) => e.type === 'step-started')?.at;
    const ended = list.find((e) => e.type === 'action-done')?.at;
    result.set(id, { waited: waited / 1000, total: started && ended ? (ended - started) / 1000 : undefined });
  }
  return result;
}

async function run(mode, target, actions, admin) {
  const started = performance.now();
  const events = [];
  if (mode === 'sequential' || mode === 'sequential-monitored') {
    // The monitored variant isolates what polling costs the builds, with no scheduling in play.
    const monitor = mode === 'sequential-monitored' ? await startMonitor(target, { listener: (e) => events.push(e) }) : undefined;
    for (const [id, action] of actions.entries()) {
      monitor?.track(admin.pid, { actionId: id, kind: 'build', table: action.table });
      for (const step of action.steps) for (const sql of step.sql) await admin.query(sql);
    }
    await monitor?.stop();
  } else {
    const settings = { ...DEFAULT_SETTINGS, concurrency: CONCURRENCY, analyzeAfterBuild: false };
    const result = await executePlan(target, actions, settings, {
      listener: (e) => events.push(e),
      monitor: mode !== 'apply-no-monitor',
      staggerBuilds: mode !== 'apply-no-stagger',
    });
    if (result.failed > 0) throw new Error(`apply failed: ${JSON.stringify(events.filter((e) => e.type === 'action-failed'))}`);
  }
  return { seconds: (performance.now() - started) / 1000, events };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function pollCost(admin, target) {
  // The monitor's one statement for two busy-looking pids, timed back to back.
  const a = await connect(target, { applicationName: 'bench-idle' });
  const b = await connect(target, { applicationName: 'bench-idle' });
  const started = performance.now();
  const n = 200;
  for (let i = 0; i < n; i += 1) await readActivity(admin, [a.pid, b.pid]);
  const ms = (performance.now() - started) / n;
  await a.end();
  await b.end();
  return ms;
}

const server = await startEmbedded({ settings: { max_wal_size: '4GB', checkpoint_timeout: '30min' } });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.stop().finally(() => process.exit(130));
  });
}
const target = { connectionString: server.url(), display: 'bench', secrets: [server.password] };
try {
  const admin = await connect(target, { applicationName: 'bench' });
  const { rows: version } = await admin.query(`SELECT current_setting('server_version') AS v, current_setting('maintenance_work_mem') AS mwm,
                                                      current_setting('max_parallel_maintenance_workers') AS pmw`);
  console.log(`PostgreSQL ${version[0].v}, maintenance_work_mem ${version[0].mwm}, max_parallel_maintenance_workers ${version[0].pmw}; ` +
    `${TABLES} tables × ${ROWS} rows, ${ROUNDS} round(s), concurrency ${CONCURRENCY}`);
  const generated = await generate(admin);
  const actions = await actionsFor(admin);
  const { rows: size } = await admin.query(`SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS s FROM pg_class c WHERE relname LIKE 'news\\_%' AND relkind = 'r'`);
  console.log(`generated ${size[0].s} in ${generated.toFixed(1)} s`);

  const times = Object.fromEntries(MODES.map((m) => [m, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const mode of MODES) {
      await dropAll(admin, actions);
      const { seconds, events } = await run(mode, target, actions, admin);
      times[mode].push(seconds);
      let line = `round ${round} ${mode.padEnd(20)} ${seconds.toFixed(1)} s`;
      if (mode === 'apply' || mode === 'apply-no-stagger') {
        const waits = waitTimes(events);
        const total = [...waits.values()].reduce((sum, w) => sum + w.waited, 0);
        const detail = actions
          .map((action, id) => {
            const w = waits.get(id);
            return `${action.index.replace(/^idx_news_/, '')} ${w?.total?.toFixed(1) ?? '?'}s (waited ${w?.waited.toFixed(1) ?? '?'})`;
          })
          .join(', ');
        line += ` | waits ${total.toFixed(1)} s in all: ${detail}`;
      }
      console.log(line);
    }
  }
  const poll = await pollCost(admin, target);
  await dropAll(admin, actions);
  await admin.end();

  const seq = times.sequential ? median(times.sequential) : undefined;
  const app = times.apply ? median(times.apply) : undefined;
  const bare = times['apply-no-monitor'] ? median(times['apply-no-monitor']) : undefined;
  const watched = times['sequential-monitored'] ? median(times['sequential-monitored']) : undefined;
  const plain = times['apply-no-stagger'] ? median(times['apply-no-stagger']) : undefined;
  const parts = [];
  if (seq !== undefined) parts.push(`sequential ${seq.toFixed(1)} s`);
  if (app !== undefined) parts.push(`apply c=${CONCURRENCY} ${app.toFixed(1)} s${seq ? ` (${(app / seq).toFixed(2)}×)` : ''}`);
  if (plain !== undefined) parts.push(`no stagger ${plain.toFixed(1)} s${seq ? ` (${(plain / seq).toFixed(2)}×)` : ''}`);
  if (bare !== undefined) parts.push(`no monitor ${bare.toFixed(1)} s${seq ? ` (${(bare / seq).toFixed(2)}×)` : ''}`);
  // The monitor's cost: the same statements with and without it polling (staggering needs the monitor,
  // so comparing apply with and without it would mostly measure the scheduling).
  if (seq !== undefined && watched !== undefined) parts.push(`monitor cost ${(((watched - seq) / seq) * 100).toFixed(1)} % wall (sequential ${watched.toFixed(1)} s with it)`);
  else if (plain !== undefined && bare !== undefined) parts.push(`monitor cost ${(((plain - bare) / bare) * 100).toFixed(1)} % wall`);
  parts.push(`one poll ${poll.toFixed(2)} ms every 500 ms (${((poll / 500) * 100).toFixed(2)} % of one backend)`);
  console.log(parts.join(' | '));
} finally {
  await server.stop();
}
