/*
 * `reconcile apply --targets` as users run it: a targets file, plain lines with each target's name, the
 * report, exit codes; SIGINT during the builds exits 130 and leaves nothing invalid; a rerun resumes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { lines, runCli, SLOW, startCli, workdir } from '../helpers/cli.js';
import { fleetDatabase, type FleetDatabase } from '../helpers/fleet.js';

let dir: string;
let fleet: FleetDatabase[];
let password: string;

beforeAll(async () => {
  dir = await workdir();
  const manifest = path.join(dir, 'indexes.yaml');
  await writeFile(manifest, ['version: 1', 'settings: { concurrency: 1 }', 'tables:', '  items:', '    indexes:', '      items_v: { columns: [v] }', '      items_w: { columns: [w] }', ''].join('\n'));
  const server = { adminUrl: inject('pgAdminUrl') };
  const sql = `CREATE TABLE items (id int, v int, w text); INSERT INTO items SELECT g, g % 97, md5(g::text) FROM generate_series(1, 2000) g;`;
  fleet = [await fleetDatabase(server, 'alpha', 0, manifest, sql), await fleetDatabase(server, 'beta', 1, manifest, sql)];
  password = decodeURIComponent(new URL(fleet[0]!.url).password);
  await writeFile(
    path.join(dir, 'targets.yaml'),
    ['version: 1', 'manifest: indexes.yaml', 'targets:', ...fleet.flatMap((db) => [`  - name: ${db.target.name}`, `    url: ${db.url}`]), ''].join('\n'),
  );
});

async function invalid(db: FleetDatabase): Promise<string[]> {
  return (await db.query<{ name: string }>(`SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid`)).map((r) => r.name);
}

describe('apply --targets', () => {
  it(
    'stops cleanly on SIGINT (exit 130, nothing invalid, locks released), and a rerun resumes and then says in sync',
    async () => {
      // An old snapshot holds alpha's first build in "waiting for old snapshots".
      const holder = await fleet[0]!.connect();
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query('SELECT count(*) FROM pg_class');
      const running = startCli(['apply', '--targets', 'targets.yaml', '--yes', '--output', 'plain'], { cwd: dir });
      await running.waitForOutput(/alpha +waiting +public\.items items_v for /);
      running.child.kill('SIGINT');
      const interrupted = await running.result;
      await holder.query('ROLLBACK');
      expect(interrupted.code).toBe(130);
      expect(interrupted.stdout).toMatch(/Z {2}fleet {2}stopping {2}interrupted: no new target starts, running builds are cancelled\n/);
      expect(interrupted.stdout).toMatch(/Z {2}alpha {2}failed {4}interrupted: running builds were cancelled and what they left was dropped\n/);
      expect(lines(interrupted.stdout).slice(-8)).toEqual([
        expect.stringMatching(/^Fleet interrupted: 2 targets in .+, 0 bytes built\.$/),
        '  applied        0',
        '  in-sync        0',
        '  failed         1  alpha',
        '  unreachable    0',
        '  busy           0',
        '  not-run        1  beta',
        'Stopped: interrupted: no new target starts, running builds are cancelled.',
      ]);
      for (const db of fleet) {
        expect(await invalid(db)).toEqual([]);
        expect(await db.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).toEqual([]);
      }

      const resumed = await runCli(['apply', '--targets', 'targets.yaml', '--yes', '--output', 'plain', '--report', 'report.json'], { cwd: dir });
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      // Every line of a target's apply carries its name.
      for (const line of lines(resumed.stdout).filter((l) => /^\d{4}-/.test(l))) expect(line).toMatch(/^\S+Z {2}(alpha|beta|fleet) /);
      expect(resumed.stdout).toMatch(/Z {2}alpha {2}applied {3}2 of 2 actions done in .+ built; in sync\n/);
      expect(resumed.stdout).not.toContain(password);
      const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'));
      expect(report.targets.map((t: { name: string; state: string; actions: { index: string; status: string }[] }) => [t.name, t.state, t.actions.map((a) => `${a.index} ${a.status}`)])).toEqual([
        ['alpha', 'applied', ['items_v done', 'items_w done']],
        ['beta', 'applied', ['items_v done', 'items_w done']],
      ]);
      expect(JSON.stringify(report)).not.toContain(password);

      const again = await runCli(['apply', '--targets', 'targets.yaml', '--yes', '--output', 'json'], { cwd: dir });
      expect(again.code).toBe(0);
      const events = lines(again.stdout).map((line) => JSON.parse(line));
      expect(events.filter((e) => e.type === 'target-finished').map((e) => [e.target, e.state])).toEqual([
        ['alpha', 'in-sync'],
        ['beta', 'in-sync'],
      ]);
    },
    SLOW,
  );
});
