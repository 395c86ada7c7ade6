/*
 * --targets-cmd CMD: runs CMD through the shell and reads one JSON object per line of its output
 * (`{"name", "url", "labels"}`). A bad line is a problem at `--targets-cmd:LINE:1`, all reported at once.
 */
import { spawn } from 'node:child_process';
import { UserError, type Problem } from '../../core/errors.js';
import { targetFromCommandLine, type TargetSpec } from '../../core/fleet/targets-file.js';
import { oneLine, pluralise } from '../../core/text.js';

export const TARGETS_CMD_FILE = '--targets-cmd';

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, env, stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function targetsFromCommand(command: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<TargetSpec[]> {
  let ran: Ran;
  try {
    ran = await run(command, env, signal);
  } catch (error) {
    throw new UserError(`--targets-cmd could not run: ${error instanceof Error ? error.message : String(error)}.`, 'Check the command.');
  }
  if (ran.code !== 0) {
    const said = oneLine(ran.stderr, 500);
    throw new UserError(
      `--targets-cmd exited with ${ran.code === null ? 'a signal' : `code ${ran.code}`}${said ? `: ${said}` : ''}.`,
      'Run the command yourself to see what went wrong; it must print one JSON object per line.',
    );
  }
  const specs: TargetSpec[] = [];
  const problems: Problem[] = [];
  ran.stdout.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    const parsed = targetFromCommandLine(text, i + 1);
    if (parsed.ok) specs.push(parsed.spec);
    else problems.push({ file: TARGETS_CMD_FILE, line: i + 1, column: 1, path: '', message: parsed.message });
  });
  if (problems.length > 0) throw new UserError(`--targets-cmd printed ${pluralise(problems.length, 'bad line')}`, 'Each line is {"name": …, "url": …, "labels": {…}}.', problems);
  return specs;
}
