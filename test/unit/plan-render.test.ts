import { describe, expect, it } from 'vitest';
import { palette, PLAIN } from '../../src/ui/color.js';
import { renderPlanMarkdown } from '../../src/ui/plan-markdown.js';
import { renderPlanSql } from '../../src/ui/plan-sql.js';
import { definitionLines, reindexText, renderPlanText } from '../../src/ui/plan-text.js';
import { hostilePlan, samplePlan } from '../helpers/sample-plan.js';

const TIMEOUTS = { lockTimeoutMs: 5000, buildLockTimeoutMs: 0 };

describe('plan renderers', () => {
  it('text: Terraform-like blocks, a legend for the symbols present, a diff for replace, the closing line', () => {
    expect(renderPlanText(samplePlan(), PLAIN)).toBe(
      [
        'Symbols: + create  ~ replace  → rename  ! rebuild invalid  ↻ reindex bloated  - drop  # comment  · skip',
        '',
        'public.users',
        '  + idx_users_email_lower  builds over 42.0 MB, ~1,234,567 rows',
        '      CREATE UNIQUE INDEX CONCURRENTLY idx_users_email_lower ON public.users USING btree (lower(email))',
        '  ~ idx_users_refresh  definition changed; builds over 42.0 MB, ~1,234,567 rows',
        '        CREATE INDEX idx_users_refresh ON public.users',
        '            USING btree (refresh_token)',
        '      +     WHERE (refresh_token IS NOT NULL)',
        '  → idx_users_role  renamed from users_role_idx: it has the declared definition',
        '  # idx_users_last_login  comment: "old" → "Activity"',
        '  ! idx_users_id  invalid: left by a failed concurrent build; builds over 42.0 MB, ~1,234,567 rows',
        '      CREATE UNIQUE INDEX idx_users_id ON public.users USING btree (id)',
        '  - users_legacy  not in indexes.yaml (prune is on)',
        '',
        'public.sessions',
        '  · sessions_user_ccnew  being built right now by pid 777 (building index: scanning table): left alone',
        '  + idx_sessions_user  builds over 8.0 kB, rows unknown: never analyzed',
        '      CREATE INDEX CONCURRENTLY idx_sessions_user ON public.sessions USING btree (user_id)',
        '',
        'public.events',
        '  ↻ idx_events_at  bloat 62 %, 1.3 GB → ~512.0 MB (estimated from statistics); needs ~512.0 MB free for the new copy while it builds',
        '      REINDEX INDEX CONCURRENTLY public.idx_events_at',
        '',
        'Unmanaged: 1 index not in indexes.yaml, kept (prune is off):',
        '  public.sessions  sessions_misc',
        '',
        'Plan: 2 to create, 1 to replace, 1 to rename, 1 to rebuild, 1 to reindex, 1 to drop, 1 to comment, 1 skipped.',
        '',
      ].join('\n'),
    );
  });

  it('text: no changes', () => {
    const plan = { ...samplePlan(), actions: [], unmanaged: [], changes: false };
    expect(renderPlanText(plan, PLAIN)).toBe('No changes. The indexes match indexes.yaml.\n');
  });

  it('text: colour only when enabled', () => {
    expect(renderPlanText(samplePlan(), PLAIN)).not.toMatch(/\u001b\[/);
    expect(renderPlanText(samplePlan(), palette(true))).toMatch(/\u001b\[32m\+ idx_users_email_lower/);
  });

  it('puts each clause of a definition on its own line for the diff', () => {
    expect(
      definitionLines(
        "CREATE UNIQUE INDEX i ON public.t USING btree (a) INCLUDE (b) NULLS NOT DISTINCT WITH (fillfactor='90') WHERE (a > 0)",
      ),
    ).toBe(
      [
        'CREATE UNIQUE INDEX i ON public.t',
        '    USING btree (a)',
        '    INCLUDE (b)',
        '    NULLS NOT DISTINCT',
        "    WITH (fillfactor='90')",
        '    WHERE (a > 0)',
      ].join('\n'),
    );
  });

  it('sql: statements outside transactions, a comment per action, lock timeouts as apply uses them', () => {
    const sql = renderPlanSql(samplePlan(), TIMEOUTS);
    expect(sql.split('\n').slice(0, 15)).toEqual([
      '-- Index plan for indexes.yaml (manifest sha256 aaaaaaaaaaaa), PostgreSQL 18.4',
      '-- Run with: psql -v ON_ERROR_STOP=1 -f this-file.sql  (no --single-transaction: CONCURRENTLY cannot run in one)',
      "SET standard_conforming_strings = 'on';",
      "SET jit = 'off';",
      'SET search_path = pg_catalog, public;',
      "SET TimeZone = 'UTC';",
      "SET DateStyle = 'ISO';",
      "SET IntervalStyle = 'postgres';",
      'SET statement_timeout = 0;',
      '',
      '-- create idx_users_email_lower on public.users: declared in indexes.yaml, missing from the database',
      "SET lock_timeout = '0ms';",
      'CREATE UNIQUE INDEX CONCURRENTLY idx_users_email_lower ON public.users USING btree (lower(email));',
      "SET lock_timeout = '5000ms';",
      'ANALYZE public.users;',
    ]);
    expect(sql).toContain(
      [
        'BEGIN;',
        'ALTER INDEX public.idx_users_refresh RENAME TO idx_users_refresh_reconcile_old;',
        'ALTER INDEX public.idx_users_refresh_reconcile_new RENAME TO idx_users_refresh;',
        'COMMIT;',
        'DROP INDEX CONCURRENTLY IF EXISTS public.idx_users_refresh_reconcile_old;',
      ].join('\n'),
    );
    expect(sql).toContain('-- skip public.sessions_user_ccnew: being built right now by pid 777');
    // A concurrent reindex waits for old snapshots as a build does: the builds' lock timeout.
    expect(sql).toContain(
      [
        "SET lock_timeout = '0ms';",
        'CREATE INDEX CONCURRENTLY idx_sessions_user ON public.sessions USING btree (user_id);',
        '',
        '-- reindex idx_events_at on public.events: bloated: 61.5 % of it is wasted space (maxBloat 40 %)',
        'REINDEX INDEX CONCURRENTLY public.idx_events_at;',
      ].join('\n'),
    );
    // Only the swap runs inside a transaction.
    expect(sql.match(/^BEGIN;$/gm)).toHaveLength(1);
  });

  it('sql: no changes', () => {
    const plan = { ...samplePlan(), actions: [], changes: false };
    expect(renderPlanSql(plan, TIMEOUTS)).toBe(
      '-- Index plan for indexes.yaml (manifest sha256 aaaaaaaaaaaa), PostgreSQL 18.4\n' +
        '-- Run with: psql -v ON_ERROR_STOP=1 -f this-file.sql  (no --single-transaction: CONCURRENTLY cannot run in one)\n' +
        '-- No changes.\n',
    );
  });

  it('markdown: marker line, summary outside the fold, SQL inside', () => {
    const markdown = renderPlanMarkdown(samplePlan(), TIMEOUTS);
    const lines = markdown.split('\n');
    expect(lines.slice(0, 8)).toEqual([
      '<!-- pg-index-reconciler plan: indexes.yaml -->',
      '### Index plan for `indexes.yaml`',
      '',
      '**Plan: 2 to create, 1 to replace, 1 to rename, 1 to rebuild, 1 to reindex, 1 to drop, 1 to comment, 1 skipped.**',
      '',
      '| | table | index | what | why |',
      '|---|---|---|---|---|',
      '| `+` | `public.users` | `idx_users_email_lower` | create (builds over 42.0 MB, ~1,234,567 rows) | declared in indexes.yaml, missing from the database |',
    ]);
    const fold = markdown.indexOf('<details><summary>SQL</summary>');
    expect(fold).toBeGreaterThan(markdown.indexOf('**Plan:'));
    expect(markdown.indexOf('CREATE UNIQUE INDEX CONCURRENTLY')).toBeGreaterThan(fold);
    expect(markdown.trimEnd().endsWith('</details>')).toBe(true);
  });

  it('markdown: no changes has no SQL fold', () => {
    const markdown = renderPlanMarkdown({ ...samplePlan(), actions: [], unmanaged: [], changes: false }, TIMEOUTS);
    expect(markdown).toBe(
      '<!-- pg-index-reconciler plan: indexes.yaml -->\n### Index plan for `indexes.yaml`\n\n**No changes. The indexes match `indexes.yaml`.**\n',
    );
  });
});

describe('names from the database with line breaks and escapes in them', () => {
  it('text: every name, definition and SQL line escaped, so no line is forged', () => {
    expect(renderPlanText(hostilePlan(), PLAIN)).toBe(
      [
        'Symbols: ~ replace  → rename  - drop',
        '',
        'public.docs',
        '  → docs_body  renamed from "body\\n+ docs_body": it has the declared definition',
        '  ~ docs_note  definition changed; builds over 8.0 kB, ~10 rows',
        '        CREATE INDEX docs_note ON public.docs',
        '            USING btree (note)',
        "      -     WHERE (note <> 'x\\n+ y'::text)",
        "      +     WHERE (note <> 'a'::text)",
        '  - "evil\\n+ idx_forged | `x`"  not in indexes.yaml (prune is on)',
        '',
        'Unmanaged: 1 index not in indexes.yaml, kept (prune is off):',
        '  public.logs  "\\x1b[2Jwipe"',
        '',
        'Plan: 1 to replace, 1 to rename, 1 to drop.',
        '',
      ].join('\n'),
    );
  });

  it('markdown: names escaped in the table, in code spans a backtick cannot end, and in the SQL fold', () => {
    const lines = renderPlanMarkdown(hostilePlan(), TIMEOUTS).split('\n');
    expect(lines.slice(5, 10)).toEqual([
      '| | table | index | what | why |',
      '|---|---|---|---|---|',
      '| `→` | `public.docs` | `docs_body` | rename from `"body\\n+ docs_body"` | it has the declared definition |',
      '| `~` | `public.docs` | `docs_note` | replace (builds over 8.0 kB, ~10 rows) | definition changed |',
      '| `-` | `public.docs` | `` "evil\\n+ idx_forged \\| `x`" `` | drop | not in indexes.yaml (prune is on) |',
    ]);
    expect(lines).toContain('ALTER INDEX public."body\\n+ docs_body" RENAME TO docs_body;');
    expect(lines).toContain('DROP INDEX CONCURRENTLY IF EXISTS public."evil\\n+ idx_forged | `x`";');
    expect(lines.filter((line) => line.startsWith('+'))).toEqual([]);
  });

  it('sql: statements exact, but a name cannot end the comment line that names its action', () => {
    const sql = renderPlanSql(hostilePlan(), TIMEOUTS);
    expect(sql).toContain(
      [
        '-- rename body\\n+ docs_body to docs_body on public.docs: it has the declared definition',
        "SET lock_timeout = '5000ms';",
        'ALTER INDEX public."body\n+ docs_body" RENAME TO docs_body;',
      ].join('\n'),
    );
    expect(sql).toContain(
      [
        '-- drop evil\\n+ idx_forged | `x` on public.docs: not in indexes.yaml (prune is on)',
        'DROP INDEX CONCURRENTLY IF EXISTS public."evil\n+ idx_forged | `x`";',
      ].join('\n'),
    );
  });
});

describe('the reindex line', () => {
  const figures = { method: 'estimated', ratio: 0.62, sizeBytes: 64 * 1024 ** 2, expectedBytes: 24 * 1024 ** 2, roomBytes: 24 * 1024 ** 2 } as const;

  it('says how the bloat was had and the room the new copy needs', () => {
    expect(reindexText(figures)).toBe('bloat 62 %, 64.0 MB → ~24.0 MB (estimated from statistics); needs ~24.0 MB free for the new copy while it builds');
  });

  it('says when the estimate may read low, and why', () => {
    expect(reindexText({ ...figures, caveat: 'deduplication not modelled: column 1: its operator class decides with my_equalimage' })).toBe(
      'bloat 62 %, 64.0 MB → ~24.0 MB (estimated from statistics, may read low: deduplication not modelled: column 1: its operator class decides with my_equalimage); needs ~24.0 MB free for the new copy while it builds',
    );
  });
});
