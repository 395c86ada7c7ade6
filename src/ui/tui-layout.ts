/*
 * Lines for a live terminal screen, laid out and cut to the width given before they are coloured, so a
 * narrow terminal gets shorter lines rather than wrapped garbage.
 */
import type { Palette } from './color.js';

export type Paint = (text: string) => string;
/** A piece of a line: text (cut when it overflows) or a progress bar (dropped when it does not fit). */
export type Segment = { readonly text: string; readonly paint?: Paint } | { readonly bar: number; readonly fraction: number };

export const text = (value: string, paint?: Paint): Segment => (paint === undefined ? { text: value } : { text: value, paint });
export const bar = (fraction: number, width: number): Segment => ({ bar: width, fraction });

export function length(value: string): number {
  return Array.from(value).length;
}

export function segmentWidth(segment: Segment): number {
  return 'bar' in segment ? segment.bar : length(segment.text);
}

/** Cuts text to `width` characters, marking the cut with `…`. */
export function fit(value: string, width: number): string {
  if (width <= 0) return '';
  const chars = Array.from(value);
  return chars.length <= width ? value : `${chars.slice(0, width - 1).join('')}…`;
}

/** A bar of `width` cells: the filled part grows with the fraction. */
export function progressBar(fraction: number, width: number, colors: Palette): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${colors.cyan('█'.repeat(filled))}${colors.dim('░'.repeat(width - filled))}`;
}

/**
 * Lays segments out left to right within `width`, then paints them. The text that overflows is cut
 * and ends the line (what followed would read as its continuation).
 */
export function layout(segments: readonly Segment[], width: number, colors: Palette): string {
  let room = width;
  let out = '';
  for (const segment of segments) {
    if (room <= 0) break;
    if ('bar' in segment) {
      if (segment.bar > room) break;
      out += progressBar(segment.fraction, segment.bar, colors);
      room -= segment.bar;
      continue;
    }
    const part = fit(segment.text, room);
    room -= length(part);
    out += segment.paint === undefined ? part : segment.paint(part);
    if (part !== segment.text) break;
  }
  return out;
}

/** `left` and `right` on one line, `right` flush with the edge; `left` is cut first. */
export function spread(left: readonly Segment[], right: readonly Segment[], width: number, colors: Palette): string {
  const rightWidth = right.reduce((sum, s) => sum + segmentWidth(s), 0);
  if (rightWidth === 0 || rightWidth + 2 > width) return layout(left, width, colors);
  const leftWidth = Math.min(width - rightWidth - 1, left.reduce((sum, s) => sum + segmentWidth(s), 0));
  return `${layout(left, leftWidth, colors)}${' '.repeat(width - rightWidth - leftWidth)}${layout(right, rightWidth, colors)}`;
}
