/* Runs the CLI's main() in this process with captured output, for tests that need no child process. */
import type { CommandContext, Output } from '../../src/commands/context.js';
import { main } from '../../src/main.js';

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function capture(): Output & { text: () => string } {
  let text = '';
  return { write: (chunk: string) => void (text += chunk), isTTY: false, text: () => text };
}

export async function runInProcess(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<InProcessResult> {
  const stdout = capture();
  const stderr = capture();
  const context: CommandContext = {
    stdout,
    stderr,
    env: { NO_COLOR: '1', CI: 'true', ...env },
    stdinIsTTY: false,
    prompt: async () => '',
    signal: new AbortController().signal,
  };
  const code = await main(argv, context);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
