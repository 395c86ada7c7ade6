/*
 * A fleet apply as plain timestamped lines: each target's apply lines as one apply prints them, with
 * the target's name after the time; the fleet's own lines under `fleet`; the closing summary with one
 * line per target state.
 *
 *   2026-11-25T10:00:01Z  tenants/a  start     public.users idx_users_email (create, pid 4242)
 *   2026-11-25T10:00:09Z  tenants/a  applied   3 of 3 actions done in 8.1s, 2.1 MB built; in sync
 */
import type { FleetEvent } from '../core/fleet/events.js';
import { printableText } from '../core/printable.js';
import { createPlainFormatter, isoSeconds, type PlainFormatter } from './apply-plain.js';
import type { Palette } from './color.js';
import { fleetPlannedText, fleetSummaryLines, outcomeText, stateColor } from './fleet-words.js';

const WORD_WIDTH = 9;
const MAX_NAME_WIDTH = 32;

export type FleetPlainFormatter = (event: FleetEvent) => readonly string[];

export function createFleetPlainFormatter(colors: Palette): FleetPlainFormatter {
  const formatters = new Map<string, PlainFormatter>();
  let width = 'fleet'.length;
  const label = (name: string): string => printableText(name).padEnd(width);
  const line = (at: number, who: string, word: string, text: string, paint: (s: string) => string = (s) => s): string =>
    `${colors.dim(isoSeconds(at))}  ${label(who)}  ${paint(word.padEnd(WORD_WIDTH))} ${text}`;
  const formatterOf = (name: string): PlainFormatter => {
    let formatter = formatters.get(name);
    if (!formatter) formatters.set(name, (formatter = createPlainFormatter(colors, label(name))));
    return formatter;
  };

  return (event) => {
    switch (event.type) {
      case 'fleet-planned':
        width = Math.min(MAX_NAME_WIDTH, Math.max(width, ...event.targets.map((t) => printableText(t.name).length)));
        return [line(event.at, 'fleet', 'planned', fleetPlannedText(event), colors.bold)];
      case 'target-started':
        return [line(event.at, event.target, 'target', event.canary ? 'started (canary)' : 'started', colors.cyan)];
      case 'target-apply':
        return formatterOf(event.target)(event.event);
      case 'target-finished': {
        const { outcome } = event;
        formatters.delete(outcome.name);
        return [line(event.at, outcome.name, outcome.state, outcomeText(outcome), stateColor(outcome.state, colors))];
      }
      case 'fleet-stopping':
        return [line(event.at, 'fleet', 'stopping', printableText(event.reason), colors.yellow)];
      case 'fleet-summary':
        return fleetSummaryLines(event, colors);
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  };
}
