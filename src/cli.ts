#!/usr/bin/env node
/* The `reconcile` bin: the real process's streams, signals and exit code around main(). */
import { getEventListeners } from 'node:events';
import { createInterface } from 'node:readline/promises';
import type { CommandContext, Output } from './commands/context.js';
import { EXIT, main } from './main.js';

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

const controller = new AbortController();
let interrupts = 0;
function onSignal(signal: NodeJS.Signals): void {
  interrupts += 1;
  // A command that cleans up on interrupt listens to the signal; a second Ctrl-C, or nobody listening, exits now.
  if (interrupts > 1 || getEventListeners(controller.signal, 'abort').length === 0) {
    process.stderr.write(interrupts > 1 ? '\nInterrupted again: exiting now.\n' : '\nInterrupted.\n');
    process.exit(EXIT.interrupted);
  }
  controller.abort(signal);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const context: CommandContext = {
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

const code = await main(process.argv.slice(2), context);
process.exitCode = code;
// Open handles (an idle pool timer, a stuck socket) must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();
