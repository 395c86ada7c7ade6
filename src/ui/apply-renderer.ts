/*
 * The three ways to show an apply: the live Ink screen (tui), timestamped lines (plain) and NDJSON
 * (json). Each takes the executor's events one by one; finish() flushes and, for the screen, waits
 * until Ink has written its last frame.
 */
import type { ApplyEvent } from '../core/events.js';
import { applyEventJson, applyJsonVersionLine } from './apply-json.js';
import { createPlainFormatter } from './apply-plain.js';
import { INITIAL_APPLY_VIEW, reduceApply } from './apply-state.js';
import { ApplyApp } from './apply-tui.js';
import type { Palette } from './color.js';
import { liveScreen } from './live-screen.js';

export interface ApplyRenderer {
  onEvent(event: ApplyEvent): void;
  finish(): Promise<void>;
}

export type ApplyRendererKind = 'tui' | 'plain' | 'json';

/** Where a renderer writes: stdout, or a test's capture. */
export interface RendererStream {
  write(text: string): void;
  /** Terminal width; else the stream's; else 80. The tui follows the stream's resize events. */
  columns?: number;
  isTTY: boolean;
  /** The terminal the live screen draws on (required for `tui`). */
  stream?: NodeJS.WriteStream;
}

export function createApplyRenderer(kind: ApplyRendererKind, out: RendererStream, colors: Palette, now: () => number = Date.now): ApplyRenderer {
  switch (kind) {
    case 'plain':
      return plainRenderer(out, colors);
    case 'json':
      return jsonRenderer(out);
    case 'tui':
      return tuiRenderer(out, colors, now);
    default: {
      const unhandled: never = kind;
      throw new Error(`unknown apply renderer: ${String(unhandled)}`);
    }
  }
}

function plainRenderer(out: RendererStream, colors: Palette): ApplyRenderer {
  const format = createPlainFormatter(colors);
  return {
    onEvent(event) {
      const lines = format(event);
      if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
    },
    finish: () => Promise.resolve(),
  };
}

function jsonRenderer(out: RendererStream): ApplyRenderer {
  let started = false;
  // The version line comes first even when no event ever does.
  const start = () => {
    if (!started) out.write(`${applyJsonVersionLine()}\n`);
    started = true;
  };
  return {
    onEvent(event) {
      start();
      out.write(`${applyEventJson(event)}\n`);
    },
    finish() {
      start();
      return Promise.resolve();
    },
  };
}

function tuiRenderer(out: RendererStream, colors: Palette, now: () => number): ApplyRenderer {
  const stream = out.stream;
  if (stream === undefined) throw new Error('the tui apply renderer needs a terminal stream (out.stream)');
  return liveScreen({ stream, ...(out.columns ? { columns: out.columns } : {}), colors, now, initial: INITIAL_APPLY_VIEW, reduce: reduceApply, component: ApplyApp });
}
