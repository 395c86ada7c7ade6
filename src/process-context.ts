/* The real process as a CommandContext: its streams, environment, terminal prompt and signals. */
import { getEventListeners } from 'node:events';
import { createInterface } from 'node:readline/promises';
import type { CommandContext, Output } from './commands/context.js';

const EXIT_INTERRUPTED = 130;

function output(stream: NodeJS.WriteStream): Output {
  // A reader that goes away (`| head`) must not kill an apply half-way: stop writing, keep working.
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return {
    write: (text) => {
      if (!closed) stream.write(text);
    },
    isTTY: Boolean(stream.isTTY),
    get columns() {
      return stream.columns;
    },
    stream,
  };
}

/**
 * Ctrl-C / SIGTERM abort the returned context's signal. A command that cleans up on interrupt listens
 * to it; when nobody listens, or on a second interrupt, the process exits 130 at once.
 */
export function processContext(): CommandContext {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1 || getEventListeners(controller.signal, 'abort').length === 0) {
      process.stderr.write(interrupts > 1 ? '\nInterrupted again: exiting now.\n' : '\nInterrupted.\n');
      process.exit(EXIT_INTERRUPTED);
    }
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stdout: output(process.stdout),
    stderr: output(process.stderr),
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    signal: controller.signal,
    prompt: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
