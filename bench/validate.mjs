// How long `reconcile validate` takes on big manifests (2,000 and 10,000 indexes, 10 a table, with
// expressions, partial-index predicates and declared queries), beside the same figures for older code.
// Runs on the compiled output:
//
//   npm run build && node bench/validate.mjs [--baseline REF|DIR|none] [--rounds N] [--sizes 2000,10000]
//
// --baseline: the old code to compare with. A git ref (default: main) is exported with `git archive` into a
// temporary directory and compiled there with this checkout's node_modules; a directory is used as a
// checkout already built (its dist/); "none" measures this checkout only.
//
// Every figure is the median of N fresh processes (default 3), old and new taking turns, so that both
// see the same machine. "cold" is a fresh process from its first import: loading the modules, the SQL
// parser's WASM, the JSON Schema validator, then checking. "warm" checks a second manifest of the same
// shape whose fragments are all different, so the fragment cache does not help; "cached" checks the first
// text again. CPU time is printed too: on a busy machine wall-clock time mostly measures the others.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const INDEXES_PER_TABLE = 10;
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

function manifest(seed, tables) {
  const lines = ['version: 1', 'settings: { lockTimeout: 5s, maintenanceWorkMem: 512MB }', 'tables:'];
  for (let t = 0; t < tables; t++) {
    const table = `t${seed}_${t}`;
    lines.push(`  app.${table}:`, '    indexes:');
    for (let i = 0; i < INDEXES_PER_TABLE; i++) {
      const name = `idx_${table}_${i}`;
      lines.push(`      ${name}:`);
      switch (i % 5) {
        case 0:
          lines.push(`        columns: [{ expression: "lower(email_${i}) || '${seed}'" }]`, '        unique: true');
          break;
        case 1:
          lines.push(
            `        columns: [account_id, { column: created_at_${i}, order: desc, nulls: last }]`,
            `        where: status_${i} = 'active' AND deleted_at IS NULL AND id > ${seed}`,
          );
          break;
        case 2:
          lines.push(
            '        method: gin',
            `        columns: [{ expression: "to_tsvector('spanish', coalesce(title_${i}, '') || ' ' || coalesce(body, ''))" }]`,
          );
          break;
        case 3:
          lines.push(
            `        columns: [{ expression: "(data->>'kind_${i}')" }, source]`,
            `        include: [id, title_${seed}]`,
            `        where: created_at > '2024-01-01'::timestamptz AND kind_${i} IN ('a', 'b')`,
            '        with: { fillfactor: 90 }',
          );
          break;
        default:
          lines.push(
            `        columns: [user_${i}_id]`,
            '        queries:',
            `          - sql: SELECT * FROM app.${table} WHERE user_${i}_id = ${seed} ORDER BY id DESC LIMIT 20`,
            '            p95: 50ms',
          );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---- one fresh process: `node bench/validate.mjs --child DIST FIRST SECOND` ----------------------------

async function child(dist, first, second) {
  const cpuNow = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const measure = (run) => {
    const wall = performance.now();
    const cpu = cpuNow();
    const result = run();
    return { result, wall: performance.now() - wall, cpu: cpuNow() - cpu };
  };
  const firstText = readFileSync(first, 'utf8');
  const secondText = readFileSync(second, 'utf8');
  const coldWall = performance.now();
  const coldCpu = cpuNow();
  // The loader's module moved when the manifest reader was split into a folder.
  const loader = ['io/manifest/load.js', 'io/manifest-file.js'].map((path) => join(dist, path)).find((path) => existsSync(path));
  const { checkManifestText } = await import(pathToFileURL(loader).href);
  const { loadSqlParser } = await import(pathToFileURL(join(dist, 'core/parse-tree.js')).href);
  await loadSqlParser();
  const loading = performance.now() - coldWall;
  const cold = checkManifestText(firstText, 'indexes.yaml');
  const figures = { cold: { wall: performance.now() - coldWall, cpu: cpuNow() - coldCpu }, loading: { wall: loading } };
  const warm = measure(() => checkManifestText(secondText, 'indexes-2.yaml'));
  const cached = measure(() => checkManifestText(firstText, 'indexes.yaml'));
  for (const check of [cold, warm.result]) {
    if (check.problems.length > 0) throw new Error(`the generated manifest is not valid: ${JSON.stringify(check.problems.slice(0, 3))}`);
  }
  figures.warm = { wall: warm.wall, cpu: warm.cpu };
  figures.cached = { wall: cached.wall, cpu: cached.cpu };
  process.stdout.write(JSON.stringify({ indexes: cold.indexCount, figures }));
}

// ---- the comparison ----------------------------------------------------------------------------------

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}

/** A built checkout of the old code: its dist/ directory, and how to remove what was made for it. */
function baselineDist(baseline) {
  if (existsSync(baseline)) return { dist: join(resolve(baseline), 'dist'), label: baseline, cleanup: () => undefined };
  const commit = execFileSync('git', ['rev-parse', '--short', `${baseline}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'bench-validate-baseline-'));
  execFileSync('sh', ['-c', 'git archive "$1" | tar -x -C "$2"', 'sh', commit, dir], { cwd: root });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const build = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.build ?? 'tsc -p tsconfig.json';
  execFileSync('sh', ['-c', build], { cwd: dir, stdio: 'inherit', env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` } });
  return { dist: join(dir, 'dist'), label: `${baseline} (${commit})`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function runChild(dist, first, second) {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dist, first, second], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the measurement in ${dist} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function compare() {
  const rounds = Number(option('rounds', '3'));
  const sizes = option('sizes', '2000,10000').split(',').map(Number);
  const baseline = option('baseline', 'main');
  let old;
  try {
    old = baseline === 'none' ? undefined : baselineDist(baseline);
  } catch (error) {
    // Without --baseline, a checkout that has no `main` measures itself only.
    if (option('baseline') !== undefined) throw error;
    console.log(`(no baseline: ${error.message.split('\n')[0]})`);
  }
  const current = join(root, 'dist');
  const dir = mkdtempSync(join(tmpdir(), 'bench-validate-'));
  try {
    console.log(`validate: median of ${rounds} fresh processes per figure; new = this checkout${old ? `, old = ${old.label}` : ''}`);
    for (const size of sizes) {
      const tables = Math.ceil(size / INDEXES_PER_TABLE);
      const first = join(dir, `indexes-${size}.yaml`);
      const second = join(dir, `indexes-${size}-2.yaml`);
      writeFileSync(first, manifest(1, tables));
      writeFileSync(second, manifest(2, tables));
      const samples = { old: [], new: [] };
      for (let round = 0; round < rounds; round++) {
        if (old) samples.old.push(runChild(old.dist, first, second));
        samples.new.push(runChild(current, first, second));
      }
      print(size, samples, old !== undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    old?.cleanup();
  }
}

function print(size, samples, withOld) {
  const rows = [
    ['cold, wall', 'cold', 'wall'],
    ['  of which loading', 'loading', 'wall'],
    ['cold, CPU', 'cold', 'cpu'],
    ['warm, wall', 'warm', 'wall'],
    ['warm, CPU', 'warm', 'cpu'],
    ['cached, wall', 'cached', 'wall'],
    ['cached, CPU', 'cached', 'cpu'],
  ];
  const ms = (value) => `${Math.round(value)} ms`.padStart(9);
  console.log(`\n${size.toLocaleString('en-US')} indexes${withOld ? '           old        new   new/old' : '           new'}`);
  for (const [label, figure, kind] of rows) {
    const value = (side) => median(samples[side].map((sample) => sample.figures[figure][kind]));
    const now = value('new');
    const line = withOld ? `${ms(value('old'))}  ${ms(now)}   ${(now / value('old')).toFixed(2).padStart(5)}` : ms(now);
    console.log(`  ${label.padEnd(22)}${line}`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5]);
else compare();
