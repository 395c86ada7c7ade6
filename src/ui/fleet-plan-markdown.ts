/*
 * The fleet plan as one pull-request comment: the closing line in bold, a table of states, each
 * distinct plan folded with its targets and actions, the SQL of each plan folded further, and a hidden
 * marker so a CI job finds and updates its own comment.
 */
import type { Settings } from '../core/model.js';
import { formatProblem } from '../core/errors.js';
import { fleetCounts, type FleetPlan } from '../core/fleet/plan-groups.js';
import { printableName, printableText } from '../core/printable.js';
import { pluralise } from '../core/text.js';
import { groupDescription, fleetSummaryLine, TENANT_SCHEMA } from './fleet-plan-text.js';
import { renderPlanSql } from './plan-sql.js';
import { costText, SYMBOLS } from './plan-text.js';

export function fleetPlanMarker(targetsFile: string): string {
  return `<!-- pg-index-reconciler fleet plan: ${targetsFile.replace(/--/g, '- -')} -->`;
}

function cell(text: string): string {
  return printableText(text).replace(/\|/g, '\\|');
}

/** Text outside code: also no HTML (a `<tenant>` would vanish as an unknown tag). */
function prose(text: string): string {
  return cell(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest === 0 ? `\`${text}\`` : `${fence} ${text} ${fence}`;
}

function nameList(names: readonly string[]): string {
  return names.map((name) => code(printableName(name))).join(', ');
}

export function renderFleetPlanMarkdown(plan: FleetPlan, targetsFile: string, settings: Pick<Settings, 'lockTimeoutMs' | 'buildLockTimeoutMs'>): string {
  const counts = fleetCounts(plan);
  const lines = [fleetPlanMarker(targetsFile), `### Index plan for ${pluralise(counts.targets, 'target')} of \`${targetsFile}\``, '', `**${prose(fleetSummaryLine(plan))}**`, ''];
  lines.push('| state | targets |', '|---|---|');
  const inSync = plan.targets.filter((t) => t.state === 'in-sync').map((t) => t.name);
  if (inSync.length > 0) lines.push(`| in sync | ${cell(nameList(inSync))} |`);
  for (const group of plan.groups) lines.push(`| plan ${group.id}: ${cell(code(groupDescription(group)))} | ${cell(nameList(group.targets))} |`);
  for (const state of ['unreachable', 'failed'] as const) {
    const listed = plan.targets.filter((t) => t.state === state).map((t) => t.name);
    if (listed.length > 0) lines.push(`| ${state} | ${cell(nameList(listed))} |`);
  }
  lines.push('');
  for (const group of plan.groups) {
    lines.push(`<details><summary>Plan ${group.id}: ${pluralise(group.targets.length, 'target')}</summary>`, '');
    lines.push(`Shown for ${code(printableName(group.shownFor))} (sizes are its own).`);
    if (group.tenantSchema !== undefined) lines.push(`${code(TENANT_SCHEMA)} is each tenant's own schema.`);
    lines.push('', '| | table | index | what | why |', '|---|---|---|---|---|');
    for (const action of group.document.actions) {
      const what =
        action.kind === 'create' || action.kind === 'replace' || action.kind === 'rebuild'
          ? `${action.kind} (${costText(action.cost)})`
          : action.kind === 'rename'
            ? `rename from ${code(printableName(action.from))}`
            : action.kind;
      const schema = group.tenantSchema !== undefined && action.table.schema === group.tenantSchema ? TENANT_SCHEMA : printableName(action.table.schema);
      lines.push(
        `| \`${SYMBOLS[action.kind]}\` | ${cell(code(`${schema}.${printableName(action.table.name)}`))} | ${cell(code(printableName(action.index)))} | ${cell(what)} | ${prose(action.reason)} |`,
      );
    }
    lines.push('', '```sql', renderPlanSql(group.document, settings, { forDisplay: true }).trimEnd(), '```', '', '</details>', '');
  }
  const troubled = plan.targets.filter((t) => t.state === 'unreachable' || t.state === 'failed');
  if (troubled.length > 0) {
    lines.push('| target | state | error |', '|---|---|---|');
    for (const target of troubled) {
      const problems = (target.problems ?? []).map((p) => `<br>${code(formatProblem(p))}`).join('');
      lines.push(`| ${cell(code(printableName(target.name)))} | ${target.state} | ${prose(target.error ?? '')}${cell(problems)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
