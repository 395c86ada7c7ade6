// How long `reconcile validate` takes on a big manifest: 200 tables × 10 indexes, with expressions,
// partial-index predicates and declared queries. Runs on the compiled output:
//
//   npx tsc -p . && node bench/validate.mjs
//
// "cold" is a fresh process: loading the modules, the parser's WASM and compiling the JSON Schema.
// "warm" checks a second manifest of the same shape whose fragments are all different, so the
// fragment cache does not help; "cached" checks the first text again.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TABLES = 200;
const INDEXES_PER_TABLE = 10;

function manifest(seed) {
  const lines = ['version: 1', 'settings: { lockTimeout: 5s, maintenanceWorkMem: 512MB }', 'tables:'];
  for (let t = 0; t < TABLES; t++) {
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

const dir = mkdtempSync(join(tmpdir(), 'bench-validate-'));
const first = join(dir, 'indexes.yaml');
const second = join(dir, 'indexes-2.yaml');
writeFileSync(first, manifest(1));
writeFileSync(second, manifest(2));

const ms = (start) => Math.round(performance.now() - start);
// CPU time too: on a busy machine wall-clock time mostly measures the other processes.
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const cpuMs = (start) => Math.round(cpuNow() - start);

const coldStart = performance.now();
const coldCpu = cpuNow();
const { checkManifestText } = await import('../dist/io/manifest/load.js');
const { loadSqlParser } = await import('../dist/core/fragments.js');
await loadSqlParser();
const loaded = ms(coldStart);
const cold = checkManifestText(readFileSync(first, 'utf8'), 'indexes.yaml');
const coldMs = ms(coldStart);
const coldCpuMs = cpuMs(coldCpu);

let start = performance.now();
let startCpu = cpuNow();
const warm = checkManifestText(readFileSync(second, 'utf8'), 'indexes-2.yaml');
const warmMs = ms(start);
const warmCpuMs = cpuMs(startCpu);

start = performance.now();
startCpu = cpuNow();
checkManifestText(readFileSync(first, 'utf8'), 'indexes.yaml');
const cachedMs = ms(start);
const cachedCpuMs = cpuMs(startCpu);

for (const check of [cold, warm]) {
  if (check.problems.length > 0 || check.indexCount !== TABLES * INDEXES_PER_TABLE) {
    console.error('the generated manifest is not valid:', check.problems.slice(0, 3));
    process.exit(1);
  }
}
console.log(
  `validate ${cold.indexCount} indexes on ${cold.tableCount} tables: ${coldMs} ms (cold, of which ${loaded} ms loading), ` +
    `${warmMs} ms (warm), ${cachedMs} ms (warm, same fragments)`,
);
console.log(`  CPU time: ${coldCpuMs} ms (cold), ${warmCpuMs} ms (warm), ${cachedCpuMs} ms (warm, same fragments)`);
