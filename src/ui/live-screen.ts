/*
 * A live Ink screen over a stream of events: a view folded from them by a pure reducer, redrawn on each
 * event, on a tick (so that elapsed times move) and when the terminal is resized. The apply screen and
 * the fleet screen are both this, with their own reducer and component.
 */
import { createElement, type FunctionComponent } from 'react';
import { render, type Instance } from 'ink';
import type { Palette } from './color.js';

/** How often the live screen redraws without events, so that elapsed times move. */
export const TICK_MS = 1_000;

export interface LiveScreen<E> {
  onEvent(event: E): void;
  finish(): Promise<void>;
}

/** What every live screen's component is given; `rows` only when the terminal tells its height. */
export interface ScreenProps<V> {
  readonly view: V;
  readonly now: number;
  readonly columns: number;
  readonly colors: Palette;
  readonly rows?: number;
}

export interface LiveScreenOptions<V, E> {
  readonly stream: NodeJS.WriteStream;
  /** Terminal width when known better than the stream's; else the stream's; else 80. */
  readonly columns?: number;
  readonly colors: Palette;
  readonly now: () => number;
  readonly initial: V;
  readonly reduce: (view: V, event: E) => V;
  readonly component: FunctionComponent<ScreenProps<V>>;
}

export function liveScreen<V, E>({ stream, columns: given, colors, now, initial, reduce, component }: LiveScreenOptions<V, E>): LiveScreen<E> {
  let view = initial;
  let columns = given || stream.columns || 80;
  const app = () => createElement(component, { view, now: now(), columns, colors, ...(stream.rows ? { rows: stream.rows } : {}) });
  // apply handles Ctrl-C itself (cancel builds, drop leftovers): Ink must not exit on it.
  const instance: Instance = render(app(), { stdout: stream, patchConsole: false, exitOnCtrlC: false });
  // Ink resolves only a promise asked for before unmount.
  const exited = instance.waitUntilExit();
  const redraw = () => instance.rerender(app());
  const timer = setInterval(redraw, TICK_MS);
  timer.unref();
  const resized = () => {
    columns = stream.columns || columns;
    redraw();
  };
  stream.on('resize', resized);
  let finished: Promise<void> | undefined;
  return {
    onEvent(event) {
      if (finished !== undefined) return;
      view = reduce(view, event);
      redraw();
    },
    finish() {
      finished ??= (async () => {
        clearInterval(timer);
        stream.off('resize', resized);
        redraw();
        instance.unmount();
        await exited;
      })();
      return finished;
    },
  };
}
