/*
 * Colour is decided once, here: --no-color and NO_COLOR turn it off, FORCE_COLOR turns it on,
 * otherwise it follows whether the stream is a terminal.
 */
import { styleText } from 'node:util';

export interface Palette {
  readonly enabled: boolean;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export interface ColorInputs {
  readonly noColorFlag?: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
}

export function colorEnabled({ noColorFlag, env, isTTY }: ColorInputs): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

type Style = Parameters<typeof styleText>[0];

export function palette(enabled: boolean): Palette {
  const style = (format: Style) => (text: string) => (enabled ? styleText(format, text) : text);
  return {
    enabled,
    green: style('green'),
    red: style('red'),
    yellow: style('yellow'),
    cyan: style('cyan'),
    magenta: style('magenta'),
    dim: style('dim'),
    bold: style('bold'),
  };
}

export const PLAIN: Palette = palette(false);
