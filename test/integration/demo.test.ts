/* `npm start` as CI runs it: no terminal, plain output, a small scale; the server must be gone afterwards. */
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function runDemo(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', NO_COLOR: '1', DEMO_SCALE: '0.02' };
    execFile('node', ['dist/demo.js'], { cwd: ROOT, env, maxBuffer: 32 << 20, timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start (the demo)', () => {
  it('loads the example, plans, applies, plans again to no changes, shows status, and stops its server', async () => {
    const { code, stdout, stderr } = await runDemo();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Starting an embedded PostgreSQL (real binaries from npm; nothing is installed on this machine)…');
    expect(lines[1]).toMatch(/^PostgreSQL 1[3-8] is running on port \d+\.$/);
    expect(lines[2]).toMatch(/^Loaded the openlearn schema and data \(scale 0\.02\) in [\d.]+m?s\.$/);
    const headings = lines.filter((line) => line.startsWith('== '));
    expect(headings).toEqual([
      '== reconcile plan: what indexes.yaml asks for',
      '== reconcile apply --yes: build them online',
      '== reconcile plan: again',
      '== reconcile status: index health',
    ]);
    expect(lines.filter((line) => line.startsWith('Plan: '))).toEqual(['Plan: 59 to create.', 'Plan: 59 to create.']);
    expect(lines.filter((line) => /^\S+Z {2}(done|failed) /.test(line))).toHaveLength(59);
    expect(lines.some((line) => /^\S+Z {2}summary {3}Applied 59 actions in .+: 59 done\.$/.test(line))).toBe(true);
    expect(lines.some((line) => /^\S+Z {2}verified {2}In sync: the database matches the manifest\.$/.test(line))).toBe(true);
    const again = lines.indexOf('== reconcile plan: again');
    expect(lines[again + 2]).toBe('No changes. The indexes match indexes.yaml.');
    expect(lines.some((line) => /^8 tables, 67 indexes: 0 invalid, /.test(line))).toBe(true);
    expect(lines.at(-2)).toBe('The demo is done; stopping the embedded PostgreSQL.');

    const port = Number(/on port (\d+)/.exec(lines[1]!)![1]);
    expect(await portOpen(port)).toBe(false);
  }, 300_000);
});
