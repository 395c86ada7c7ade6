#!/usr/bin/env node
/* The `reconcile` bin: main() on the real process. */
import { main } from './main.js';
import { processContext } from './process-context.js';

const code = await main(process.argv.slice(2), processContext());
process.exitCode = code;
// Open handles (an idle timer, a stuck socket) must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();
