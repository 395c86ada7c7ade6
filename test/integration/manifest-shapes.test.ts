/*
 * Manifest shapes against a real server: operator class parameters, already-quoted opclass and
 * collation names, and names with line breaks in them made by SQL, as plan, apply and status print them.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { expectLines, re } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await freshDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'manifest-shapes-'));
  await db.query(`
    CREATE EXTENSION pg_trgm;
    CREATE TABLE docs (id int, title text, body text);
    INSERT INTO docs SELECT g, 'title ' || g, 'body ' || g FROM generate_series(1, 200) g;
    ANALYZE docs;

    CREATE TABLE names (id int, name text, code text);
    CREATE INDEX names_name_c ON names (name COLLATE "C");
    CREATE SCHEMA "My.Schema";
    CREATE OPERATOR CLASS "My.Schema"."Text_Ops" FOR TYPE text USING btree AS
      OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 bttextcmp(text, text);
    CREATE INDEX names_code_ops ON names (code "My.Schema"."Text_Ops");

    CREATE TABLE victims (id int, note text);
  `);
});

async function manifest(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

const docsManifest = (siglen: number): string =>
  [
    'version: 1',
    'tables:',
    '  docs:',
    '    indexes:',
    '      docs_title_trgm:',
    '        method: gist',
    '        columns:',
    `          - { column: title, opclass: public.gist_trgm_ops, opclassParams: { siglen: ${siglen} } }`,
    '',
  ].join('\n');

describe('opclassParams', () => {
  it('plans a create with the parameters, applies it, then plans no changes', async () => {
    const file = await manifest('trgm.yaml', docsManifest(32));
    const planned = await runInProcess(['plan', '-f', file, '--database-url', db.url]);
    expect(planned.stderr).toBe('');
    expectLines(planned.stdout, [
      'Symbols: + create',
      '',
      'public.docs',
      /^ {2}\+ docs_title_trgm {2}builds over \d+(\.\d)? kB, ~200 rows$/,
      "      CREATE INDEX CONCURRENTLY docs_title_trgm ON public.docs USING gist (title public.gist_trgm_ops (siglen='32'))",
      '',
      'Plan: 1 to create.',
    ]);

    const applied = await runInProcess(['apply', '-f', file, '--database-url', db.url, '--yes', '--output', 'plain']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const client = await db.connect();
    await client.query('SET search_path = pg_catalog');
    const live = await client.query<{ def: string }>(`SELECT pg_get_indexdef('public.docs_title_trgm'::regclass) AS def`);
    expect(live.rows[0]?.def).toBe(
      "CREATE INDEX docs_title_trgm ON public.docs USING gist (title public.gist_trgm_ops (siglen='32'))",
    );

    const again = await runInProcess(['plan', '-f', file, '--database-url', db.url, '--detailed-exitcode']);
    expect(again.stdout).toBe(`No changes. The indexes match ${file}.\n`);
    expect(again.code).toBe(0);
  });

  it('replaces the index when the parameter differs from the live one', async () => {
    const file = await manifest('trgm-64.yaml', docsManifest(64));
    const planned = await runInProcess(['plan', '-f', file, '--database-url', db.url, '--detailed-exitcode']);
    expect(planned.stderr).toBe('');
    expectLines(planned.stdout, [
      'Symbols: ~ replace',
      '',
      'public.docs',
      /^ {2}~ docs_title_trgm {2}definition changed; builds over \d+(\.\d)? kB, ~200 rows$/,
      '        CREATE INDEX docs_title_trgm ON public.docs',
      "      -     USING gist (title public.gist_trgm_ops (siglen='32'))",
      "      +     USING gist (title public.gist_trgm_ops (siglen='64'))",
      '',
      'Plan: 1 to replace.',
    ]);
    expect(planned.code).toBe(2);
  });
});

describe('already-quoted names', () => {
  it('takes pg_catalog."C" and "My.Schema"."Text_Ops" for the collation and opclass the indexes were made with', async () => {
    const file = await manifest(
      'quoted.yaml',
      [
        'version: 1',
        'tables:',
        '  names:',
        '    indexes:',
        '      names_name_c:',
        '        columns: [{ column: name, collation: pg_catalog."C" }]',
        '      names_code_ops:',
        `        columns: [{ column: code, opclass: '"My.Schema"."Text_Ops"' }]`,
        '',
      ].join('\n'),
    );
    const planned = await runInProcess(['plan', '-f', file, '--database-url', db.url, '--detailed-exitcode']);
    expect(planned.stderr).toBe('');
    expect(planned.stdout).toBe(`No changes. The indexes match ${file}.\n`);
    expect(planned.code).toBe(0);
  });
});

describe('names with line breaks made by SQL', () => {
  // A name (at most 63 bytes) that, printed raw, would add a line claiming a create to the plan and a
  // finished action to the log.
  const EVIL = 'v\n  + idx_forged\n2030-01-01T00:00:00Z  done      public.v';
  const PRINTED = '"v\\n  + idx_forged\\n2030-01-01T00:00:00Z  done      public.v"';

  beforeAll(async () => {
    await db.query(`CREATE INDEX "${EVIL}" ON victims (note)`);
  });

  const victimsManifest = (prune: boolean): string =>
    ['version: 1', 'tables:', '  victims:', `    prune: ${prune}`, '    indexes:', '      victims_id:', '        columns: [id]', ''].join('\n');

  it('prints them escaped in the plan, in text and markdown', async () => {
    const file = await manifest('victims.yaml', victimsManifest(false));
    const text = await runInProcess(['plan', '-f', file, '--database-url', db.url]);
    expect(text.stderr).toBe('');
    expectLines(text.stdout, [
      'Symbols: + create',
      '',
      'public.victims',
      /^ {2}\+ victims_id {2}builds over 0 bytes, /,
      '      CREATE INDEX CONCURRENTLY victims_id ON public.victims USING btree (id)',
      '',
      `Unmanaged: 1 index not in ${file}, kept (prune is off):`,
      `  public.victims  ${PRINTED}`,
      '',
      'Plan: 1 to create.',
    ]);

    const pruning = await manifest('victims-prune.yaml', victimsManifest(true));
    const markdown = await runInProcess(['plan', '-f', pruning, '--database-url', db.url, '--format', 'markdown']);
    expect(markdown.stdout.split('\n')).toContain(`| \`-\` | \`public.victims\` | \`${PRINTED}\` | drop | not in victims-prune.yaml (prune is on) |`);
    expect(markdown.stdout.split('\n')).toContain(`DROP INDEX CONCURRENTLY IF EXISTS public.${PRINTED};`);
    expect(markdown.stdout).not.toContain('\n  + idx_forged');
  });

  it('prints them escaped in status, and in the plain lines of the apply that drops the index', async () => {
    const file = await manifest('victims-status.yaml', victimsManifest(false));
    const status = await runInProcess(['status', '-f', file, '--database-url', db.url]);
    expect(status.stderr).toBe('');
    const rows = status.stdout.split('\n').filter((line) => line.includes('idx_forged'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^  ${re(PRINTED)}  yes .* unused, unmanaged$`));

    const pruning = await manifest('victims-apply.yaml', victimsManifest(true));
    const applied = await runInProcess(['apply', '-f', pruning, '--database-url', db.url, '--yes', '--output', 'plain']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const logLines = applied.stdout.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
    // Every log line is one of the tool's own: the forged "done" line is inside a quoted name, never a line.
    expect(logLines.filter((line) => line.startsWith('2030-'))).toEqual([]);
    const ours = logLines
      .filter((line) => line.includes('idx_forged'))
      .map((line) => line.slice(22).replace(/pid \d+/, 'pid N').replace(/ in [\d.]+m?s$/, ' in T'));
    expect(ours).toEqual([
      `start     public.victims ${PRINTED} (drop, pid N)`,
      `step      public.victims ${PRINTED} 1/1 drop: DROP INDEX CONCURRENTLY IF EXISTS public.${PRINTED}`,
      `done      public.victims ${PRINTED} in T`,
    ]);
    const left = await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_class WHERE relname = $1`, [EVIL]);
    expect(left.rows[0]?.n).toBe('0');
  });
});

describe('control characters in fragments', () => {
  it('are a validate error at their position, not a failure at plan time', async () => {
    const file = await manifest(
      'nul.yaml',
      ['version: 1', 'tables:', '  victims:', '    indexes:', '      victims_note:', '        columns: [note]', '        where: "note <> \'x\\0\'"', ''].join('\n'),
    );
    const validated = await runInProcess(['validate', '-f', file]);
    expect(validated.code).toBe(1);
    expect(validated.stderr).toContain(
      `${file}:7:27  tables.victims.indexes.victims_note.where  the condition contains a NUL character (U+0000), which PostgreSQL text cannot hold; look for a \\0 escape in a double-quoted YAML string\n`,
    );
    const planned = await runInProcess(['plan', '-f', file, '--database-url', db.url]);
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain(`${file}:7:27  tables.victims.indexes.victims_note.where  the condition contains a NUL character`);
  });
});
