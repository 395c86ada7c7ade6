/*
 * The plan as a script `psql -v ON_ERROR_STOP=1 -f plan.sql` can run: statements outside transactions
 * (CONCURRENTLY refuses to run in one), in plan order, each action named in a comment, with the same
 * lock timeouts apply would use.
 */
import type { Step } from '../core/actions.js';
import type { Settings } from '../core/model.js';
import { searchPathSql } from '../core/search-path.js';
import { PINNED_SETTINGS } from '../core/session-settings.js';
import type { PlanDocument } from '../core/plan-document.js';
import { describeAction } from '../core/plan.js';
import { printableSql, printableText } from '../core/printable.js';

function timeoutLiteral(ms: number): string {
  return `'${ms}ms'`;
}

export interface PlanSqlOptions {
  /**
   * For reading rather than running (the markdown comment): statements on one line each, with line
   * breaks and other control characters inside names and literals escaped.
   */
  readonly forDisplay?: boolean;
}

function stepLines(
  step: Step,
  settings: Pick<Settings, 'lockTimeoutMs' | 'buildLockTimeoutMs'>,
  current: { lockTimeout?: number },
  show: (sql: string) => string,
): string[] {
  const lines: string[] = [];
  // A concurrent reindex waits for old snapshots as a build does: it gets the builds' lock timeout.
  const wanted = step.kind === 'build' || step.kind === 'reindex' ? settings.buildLockTimeoutMs : settings.lockTimeoutMs;
  if (current.lockTimeout !== wanted) {
    lines.push(`SET lock_timeout = ${timeoutLiteral(wanted)};`);
    current.lockTimeout = wanted;
  }
  if (step.sql.length > 1) {
    lines.push('BEGIN;', ...step.sql.map((sql) => `${show(sql)};`), 'COMMIT;');
  } else {
    lines.push(...step.sql.map((sql) => `${show(sql)};`));
  }
  return lines;
}

export function renderPlanSql(
  plan: PlanDocument,
  settings: Pick<Settings, 'lockTimeoutMs' | 'buildLockTimeoutMs'>,
  options: PlanSqlOptions = {},
): string {
  const show = options.forDisplay ? printableSql : (sql: string): string => sql;
  // A name in a comment line must not end the comment: a line break there would make the rest of the
  // name a statement of the script.
  const comment = (text: string): string => `-- ${printableText(text)}`;
  const lines = [
    comment(`Index plan for ${plan.manifest.file} (manifest sha256 ${plan.manifest.sha256.slice(0, 12)}), PostgreSQL ${plan.database.serverVersion}`),
    '-- Run with: psql -v ON_ERROR_STOP=1 -f this-file.sql  (no --single-transaction: CONCURRENTLY cannot run in one)',
  ];
  if (!plan.changes) {
    lines.push('-- No changes.');
    return `${lines.join('\n')}\n`;
  }
  // The same settings apply uses: a predicate's timestamptz literal means what it meant when planned.
  for (const [name, value] of Object.entries(PINNED_SETTINGS)) {
    // The builds are the statements canonicalised under the path the manifest's names resolved through.
    if (name === 'search_path' && plan.database.searchPath) lines.push(`SET search_path = ${searchPathSql(plan.database.searchPath)};`);
    else lines.push(`SET ${name} = '${value}';`);
  }
  lines.push('SET statement_timeout = 0;');
  const current: { lockTimeout?: number } = {};
  for (const action of plan.actions) {
    if (action.kind === 'skip') {
      lines.push('', comment(`skip ${action.table.schema}.${action.index}: ${action.reason}`));
      continue;
    }
    lines.push('', comment(`${describeAction(action)} on ${action.table.schema}.${action.table.name}: ${action.reason}`));
    for (const step of action.steps) lines.push(...stepLines(step, settings, current, show));
  }
  return `${lines.join('\n')}\n`;
}
