/*
 * A fleet apply's wording, shared by the live screen and the plain lines: what a finished target
 * says, and the closing summary with one line per target state.
 */
import type { FleetEvent, TargetOutcome } from '../core/fleet/events.js';
import { TARGET_STATES, type FleetPolicy, type TargetState } from '../core/fleet/schedule.js';
import { printableText } from '../core/printable.js';
import { pluralise } from '../core/text.js';
import { errorText } from './apply-plain.js';
import type { Palette } from './color.js';
import { formatBytes, formatDuration } from './units.js';

export type FleetSummaryEvent = Extract<FleetEvent, { type: 'fleet-summary' }>;

const MAX_NAMES = 8;

/** `3 of 3 actions done in 1.2s, 2.1 MB built` / the error of a failed, busy or unreachable target. */
export function outcomeText(outcome: TargetOutcome): string {
  const done = outcome.actions.filter((a) => a.status === 'done').length;
  const took = outcome.durationMs === undefined ? '' : ` in ${formatDuration(outcome.durationMs)}`;
  switch (outcome.state) {
    case 'in-sync':
      return `in sync: nothing to change${took}`;
    case 'applied':
      return `${done} of ${pluralise(outcome.actions.length, 'action')} done${took}${outcome.bytesBuilt > 0 ? `, ${formatBytes(outcome.bytesBuilt)} built` : ''}; in sync`;
    case 'failed':
    case 'unreachable':
    case 'busy':
      return outcome.error === undefined ? outcome.state : errorText(outcome.error);
    case 'not-run':
      return 'not run';
    default: {
      const unhandled: never = outcome.state;
      return unhandled;
    }
  }
}

export function stateColor(state: TargetState, colors: Palette): (text: string) => string {
  if (state === 'applied' || state === 'in-sync') return colors.green;
  if (state === 'failed' || state === 'unreachable') return colors.red;
  return colors.yellow;
}

/** `6 targets on 2 servers: canary a1 alone, then 4 at a time, 1 per server, stop at the first failure` */
export function fleetPlannedText(event: Extract<FleetEvent, { type: 'fleet-planned' }>): string {
  const servers = new Set(event.targets.map((t) => t.server)).size;
  const canaries = event.targets.filter((t) => t.canary).map((t) => printableText(t.name));
  const policy: FleetPolicy = event.policy;
  const onError =
    policy.onError === 'stop' ? 'stop at the first failure' : Number.isFinite(policy.maxFailures) ? `stop after ${pluralise(policy.maxFailures, 'failure')}` : 'go on after failures';
  const first = canaries.length === 0 ? '' : `canary ${canaries.join(', ')} alone, then `;
  return `${pluralise(event.targets.length, 'target')} on ${pluralise(servers, 'server')}: ${first}${policy.parallel} at a time, ${policy.perHost} per server, ${onError}`;
}

/** The closing summary: a head line, then one line per state with its count and targets. */
export function fleetSummaryLines(summary: FleetSummaryEvent, colors: Palette): string[] {
  const total = TARGET_STATES.reduce((sum, state) => sum + summary.counts[state], 0);
  const head = `${summary.interrupted ? 'Fleet interrupted' : 'Fleet'}: ${pluralise(total, 'target')} in ${formatDuration(summary.durationMs)}, ${formatBytes(summary.bytesBuilt)} built.`;
  const bad = summary.interrupted || summary.counts.failed + summary.counts.unreachable + summary.counts.busy + summary.counts['not-run'] > 0;
  const lines = [(bad ? colors.red : colors.green)(head)];
  for (const state of TARGET_STATES) {
    const names = summary.targets[state].map(printableText);
    const shown = names.length > MAX_NAMES ? [...names.slice(0, MAX_NAMES), `… and ${names.length - MAX_NAMES} more`] : names;
    const count = String(summary.counts[state]).padStart(4);
    const row = `  ${state.padEnd(12)}${count}${shown.length === 0 ? '' : `  ${shown.join(', ')}`}`;
    lines.push(summary.counts[state] === 0 ? colors.dim(row) : stateColor(state, colors)(row));
  }
  if (summary.stopped !== undefined) lines.push(colors.yellow(`Stopped: ${summary.stopped}.`));
  return lines;
}
