/*
 * The plan as a pull-request comment: the summary and a table of actions in view, the SQL folded away,
 * and a hidden marker line so a CI job can find and update its own comment.
 */
import { hasChanges, summarise } from '../core/actions.js';
import type { Settings } from '../core/model.js';
import type { PlanDocument } from '../core/plan-document.js';
import { printableName, printableQualified, printableText } from '../core/printable.js';
import { renderPlanSql } from './plan-sql.js';
import { costText, reindexText, summaryLine, SYMBOLS } from './plan-text.js';

export function planMarker(manifestFile: string): string {
  return `<!-- pg-index-reconciler plan: ${manifestFile.replace(/--/g, '- -')} -->`;
}

function cell(text: string): string {
  return printableText(text).replace(/\|/g, '\\|');
}

/** Inline code that a backtick in the text cannot end early. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  if (longest === 0) return `\`${text}\``;
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
}

export function renderPlanMarkdown(plan: PlanDocument, settings: Pick<Settings, 'lockTimeoutMs' | 'buildLockTimeoutMs'>): string {
  const summary = summaryLine(summarise(plan.actions), `\`${plan.manifest.file}\``, hasChanges(plan.actions));
  const lines = [planMarker(plan.manifest.file), `### Index plan for \`${plan.manifest.file}\``, '', `**${summary}**`, ''];
  for (const warning of plan.warnings) lines.push(`> **Warning:** ${printableText(warning)}`, '');
  if (plan.actions.length > 0) {
    lines.push('| | table | index | what | why |', '|---|---|---|---|---|');
    for (const action of plan.actions) {
      const what =
        action.kind === 'create' || action.kind === 'replace' || action.kind === 'rebuild'
          ? `${action.kind} (${costText(action.cost)})`
          : action.kind === 'reindex'
            ? `reindex (${reindexText(action.bloat)})`
            : action.kind === 'rename'
            ? `rename from ${code(printableName(action.from))}`
            : action.kind === 'drop' && action.locking
              ? 'drop (locks the table)'
              : action.kind;
      lines.push(
        `| \`${SYMBOLS[action.kind]}\` | ${cell(code(printableQualified(action.table.schema, action.table.name)))} | ${cell(code(printableName(action.index)))} | ${cell(what)} | ${cell(action.reason)} |`,
      );
    }
    lines.push('');
  }
  if (plan.unmanaged.length > 0) {
    lines.push(`${plan.unmanaged.length} unmanaged index${plan.unmanaged.length === 1 ? '' : 'es'} kept (not in \`${plan.manifest.file}\`, prune is off).`, '');
  }
  if (plan.changes) {
    lines.push('<details><summary>SQL</summary>', '', '```sql', renderPlanSql(plan, settings, { forDisplay: true }).trimEnd(), '```', '', '</details>', '');
  }
  return `${lines.join('\n')}`;
}
