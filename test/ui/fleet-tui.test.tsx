import { stripVTControlCharacters } from 'node:util';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetEvent } from '../../src/core/fleet/events.js';
import { PLAIN } from '../../src/ui/color.js';
import { INITIAL_FLEET_VIEW, reduceFleet } from '../../src/ui/fleet-state.js';
import { FleetApp } from '../../src/ui/fleet-tui.js';
import { at, endEvents, runningEvents } from '../helpers/fleet-events.js';

function frame(lastFrame: () => string | undefined): string {
  return stripVTControlCharacters(lastFrame() ?? '')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

function edge(left: string, right: string, width = 100): string {
  return `${left}${' '.repeat(width - Array.from(left).length - Array.from(right).length)}${right}`;
}

function show(events: readonly FleetEvent[], now: number) {
  return render(<FleetApp view={events.reduce(reduceFleet, INITIAL_FLEET_VIEW)} now={now} columns={100} colors={PLAIN} />);
}

afterEach(() => {
  cleanup();
});

describe('fleet screen', () => {
  it('shows finished targets above, a row per running target with its build and actions, and the overall line', () => {
    const { lastFrame } = show(runningEvents, at(5));
    expect(frame(lastFrame)).toBe(
      [
        '✓ eu-main       applied     1 of 1 action done in 2.0s, 2.0 MB built; in sync',
        '⊘ tenants/zeta  busy        Another reconcile apply is running on app: pid 77 (application_name "re…',
        edge('● tenants/acme', '████████░░░░░░░░░░░░  42%   actions 0/2   3.0s'),
        '    items_v: building index: scanning table',
        'Fleet: 1 running, 0 waiting · 1 applied, 1 busy · 2.0 MB built · 5.0s',
      ].join('\n'),
    );
  });

  it('says what a target waits for, and ends with one line per state', () => {
    const waiting: FleetEvent = {
      type: 'target-apply',
      target: 'tenants/acme',
      event: { type: 'waiting', at: at(5), actionId: 0, what: 'replica lag: 410 MB > 256 MB on standby-1', blockers: [] },
    };
    const { lastFrame, rerender } = show([...runningEvents, waiting], at(6));
    expect(frame(lastFrame)).toContain('\n    items_v: waiting for replica lag: 410 MB > 256 MB on standby-1\n');
    const all = [...runningEvents, waiting, ...endEvents].reduce(reduceFleet, INITIAL_FLEET_VIEW);
    rerender(<FleetApp view={all} now={at(10)} columns={100} colors={PLAIN} />);
    expect(frame(lastFrame)).toBe(
      [
        '✓ eu-main       applied     1 of 1 action done in 2.0s, 2.0 MB built; in sync',
        '⊘ tenants/zeta  busy        Another reconcile apply is running on app: pid 77 (application_name "re…',
        '✓ tenants/acme  applied     2 of 2 actions done in 7.0s, 2.0 MB built; in sync',
        'Fleet: 3 targets in 9.0s, 4.0 MB built.',
        '  applied        2  eu-main, tenants/acme',
        '  in-sync        0',
        '  failed         0',
        '  unreachable    0',
        '  busy           1  tenants/zeta',
        '  not-run        0',
      ].join('\n'),
    );
  });
});
