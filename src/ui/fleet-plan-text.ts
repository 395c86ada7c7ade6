/*
 * The fleet plan as a reviewer reads it: the targets in sync, each distinct plan once with the targets
 * it is for, the targets that failed or could not be reached with their (masked) errors, and a closing
 * line: `52 targets: 47 in sync, 3 with one plan (+ idx_orders_created on public.orders), 1 with its
 * own plan, 1 unreachable`.
 */
import type { Action } from '../core/actions.js';
import { formatProblem } from '../core/errors.js';
import { fleetCounts, type FleetPlan, type PlanGroup } from '../core/fleet/plan-groups.js';
import { printableName, printableText } from '../core/printable.js';
import { pluralise } from '../core/text.js';
import type { Palette } from './color.js';
import { countsText, renderPlanText, SYMBOLS } from './plan-text.js';

/** How a group's tables are named when its targets are tenants of different schemas. */
export const TENANT_SCHEMA = '<tenant>';

function tableOf(action: Action, group: PlanGroup): string {
  const schema = group.tenantSchema !== undefined && action.table.schema === group.tenantSchema ? TENANT_SCHEMA : printableName(action.table.schema);
  return `${schema}.${printableName(action.table.name)}`;
}

/** `+ idx_a on public.orders`, or counts when there are more than two actions. */
export function groupDescription(group: PlanGroup): string {
  const actions = group.document.actions.filter((a) => a.kind !== 'skip');
  if (actions.length <= 2) return actions.map((a) => `${SYMBOLS[a.kind]} ${printableName(a.index)} on ${tableOf(a, group)}`).join(', ');
  return countsText(group.summary, false);
}

export function fleetSummaryLine(plan: FleetPlan): string {
  const counts = fleetCounts(plan);
  const parts: string[] = [];
  if (counts.inSync > 0) parts.push(`${counts.inSync} in sync`);
  let shared = 0;
  for (const group of plan.groups) {
    if (group.targets.length < 2) continue;
    parts.push(`${group.targets.length} with ${shared === 0 ? 'one' : 'another'} plan (${groupDescription(group)})`);
    shared += 1;
  }
  const own = plan.groups.filter((g) => g.targets.length === 1).length;
  if (own > 0) parts.push(own === 1 ? '1 with its own plan' : `${own} with their own plans`);
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.unreachable > 0) parts.push(`${counts.unreachable} unreachable`);
  return `${pluralise(counts.targets, 'target')}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

function names(list: readonly string[]): string {
  return list.map(printableName).join(', ');
}

function indent(text: string, by: string): string[] {
  return text.replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : `${by}${line}`));
}

export function renderFleetPlanText(plan: FleetPlan, colors: Palette): string {
  const lines: string[] = [];
  const inSync = plan.targets.filter((t) => t.state === 'in-sync').map((t) => t.name);
  if (inSync.length > 0) lines.push(colors.bold(`In sync (${inSync.length}):`), `  ${names(inSync)}`, '');
  for (const group of plan.groups) {
    const shown = group.targets.length > 1 ? ` (shown for ${printableName(group.shownFor)}; sizes are its own)` : '';
    lines.push(colors.bold(`Plan ${group.id}: ${pluralise(group.targets.length, 'target')}${shown}`), `  ${names(group.targets)}`);
    if (group.tenantSchema !== undefined) {
      lines.push(colors.dim(`  each tenant's own schema in place of ${printableName(group.tenantSchema)}`));
    }
    lines.push('', ...indent(renderPlanText(group.document, colors), '    '), '');
  }
  const unreachable = plan.targets.filter((t) => t.state === 'unreachable');
  if (unreachable.length > 0) {
    lines.push(colors.bold(colors.red(`Unreachable (${unreachable.length}):`)));
    for (const target of unreachable) lines.push(`  ${printableName(target.name)}  ${printableText(target.error ?? '')}`);
    lines.push('');
  }
  const failed = plan.targets.filter((t) => t.state === 'failed');
  if (failed.length > 0) {
    lines.push(colors.bold(colors.red(`Failed (${failed.length}):`)));
    for (const target of failed) {
      lines.push(`  ${printableName(target.name)}  ${printableText(target.error ?? '')}`);
      for (const problem of target.problems ?? []) lines.push(`    ${formatProblem(problem)}`);
    }
    lines.push('');
  }
  lines.push(colors.bold(fleetSummaryLine(plan)));
  return `${lines.join('\n')}\n`;
}

