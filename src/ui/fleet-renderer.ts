/*
 * The three ways to show a fleet apply, as for one apply: the live Ink screen (tui), timestamped lines
 * (plain) and NDJSON (json). Each takes the fleet's events one by one; finish() flushes and, for the
 * screen, waits until Ink has written its last frame.
 */
import type { FleetEvent } from '../core/fleet/events.js';
import { applyJsonVersionLine } from './apply-json.js';
import type { ApplyRendererKind, RendererStream } from './apply-renderer.js';
import type { Palette } from './color.js';
import { fleetEventJson } from './fleet-json.js';
import { createFleetPlainFormatter } from './fleet-plain.js';
import { INITIAL_FLEET_VIEW, reduceFleet } from './fleet-state.js';
import { FleetApp } from './fleet-tui.js';
import { liveScreen } from './live-screen.js';

export interface FleetRenderer {
  onEvent(event: FleetEvent): void;
  finish(): Promise<void>;
}

export function createFleetRenderer(kind: ApplyRendererKind, out: RendererStream, colors: Palette, now: () => number = Date.now): FleetRenderer {
  switch (kind) {
    case 'plain': {
      const format = createFleetPlainFormatter(colors);
      return {
        onEvent(event) {
          const lines = format(event);
          if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
        },
        finish: () => Promise.resolve(),
      };
    }
    case 'json': {
      out.write(`${applyJsonVersionLine()}\n`);
      return {
        onEvent: (event) => out.write(`${fleetEventJson(event)}\n`),
        finish: () => Promise.resolve(),
      };
    }
    case 'tui':
      return tuiRenderer(out, colors, now);
    default: {
      const unhandled: never = kind;
      throw new Error(`unknown fleet renderer: ${String(unhandled)}`);
    }
  }
}

function tuiRenderer(out: RendererStream, colors: Palette, now: () => number): FleetRenderer {
  const stream = out.stream;
  if (stream === undefined) throw new Error('the tui fleet renderer needs a terminal stream (out.stream)');
  return liveScreen({ stream, ...(out.columns ? { columns: out.columns } : {}), colors, now, initial: INITIAL_FLEET_VIEW, reduce: reduceFleet, component: FleetApp });
}
