/*
 * Colour is decided once, here: --no-color and NO_COLOR turn it off, FORCE_COLOR turns it on,
 * otherwise it follows whether the stream is a terminal.
 */
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

// SGR codes written out: util.styleText checks the stream itself, and the decision is ours to make.
const SGR = { green: [32, 39], red: [31, 39], yellow: [33, 39], cyan: [36, 39], magenta: [35, 39], dim: [2, 22], bold: [1, 22] } as const;

export function palette(enabled: boolean): Palette {
  const style = (name: keyof typeof SGR) => (text: string) => (enabled ? `\u001b[${SGR[name][0]}m${text}\u001b[${SGR[name][1]}m` : text);
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
