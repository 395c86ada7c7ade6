/* Runs the CLI's main() in this process with captured output, for tests that need no child process. */
import type { CommandContext } from '../../src/commands/context.js';
import { main } from '../../src/main.js';

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command context with no terminal, whose output is kept for the test to read. */
export function captureContext(env: NodeJS.ProcessEnv = {}): { context: CommandContext; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const context: CommandContext = {
    stdout: { write: (text) => void (out += text), isTTY: false },
    stderr: { write: (text) => void (err += text), isTTY: false },
    env,
    stdinIsTTY: false,
    prompt: async () => '',
    signal: new AbortController().signal,
  };
  return { context, out: () => out, err: () => err };
}

export async function runInProcess(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<InProcessResult> {
  const { context, out, err } = captureContext({ NO_COLOR: '1', CI: 'true', ...env });
  const code = await main(argv, context);
  return { code, stdout: out(), stderr: err() };
}
