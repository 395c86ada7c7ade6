import { describe, expect, it } from 'vitest';
import { fleetPolicy } from '../../src/commands/fleet-apply.js';
import { runInProcess } from '../helpers/in-process.js';

describe('apply --targets flags', () => {
  it.each([
    [['apply', '--per-host', '2'], 'Error: --per-host works with a fleet only.\nAdd --targets FILE or --targets-cmd CMD.\n'],
    [['apply', '--report', 'r.json', '--yes'], 'Error: --report works with a fleet only.\nAdd --targets FILE or --targets-cmd CMD.\n'],
    [['apply', '--targets', 't.yaml', '--database-url', 'postgres://u:pw@h/db'], 'Error: --database-url and --targets cannot be used together.\nA fleet names its databases in the targets file.\n'],
    [['apply', 'plan.json', '--targets', 't.yaml'], 'Error: A saved plan is for one database, not for --targets.\nLeave out the plan file: each target is planned when its turn comes.\n'],
    [
      ['apply', '--targets', 't.yaml'],
      'Error: apply --targets needs --yes: a fleet is not approved target by target.\nReview what would change with reconcile plan --targets … first, then run apply --targets … --yes.\n',
    ],
    [
      ['apply', '--targets', 't.yaml', '--yes', '--on-error', 'stop', '--max-failures', '2'],
      'Error: --max-failures works with --on-error continue, not with --on-error stop.\nLeave out --on-error stop: --max-failures N goes on until N targets failed.\n',
    ],
  ])('%j is refused, saying why', async (argv, stderr) => {
    const result = await runInProcess(argv);
    expect(result).toEqual({ code: 1, stdout: '', stderr });
  });

  it('reads --max-failures alone as --on-error continue', () => {
    expect(fleetPolicy({ maxFailures: 3 })).toEqual({ canary: 1, parallel: 4, perHost: 1, onError: 'continue', maxFailures: 3 });
    expect(fleetPolicy({})).toEqual({ canary: 1, parallel: 4, perHost: 1, onError: 'stop', maxFailures: Number.POSITIVE_INFINITY });
    expect(fleetPolicy({ canary: 0, parallel: 8, perHost: 2, onError: 'continue' })).toMatchObject({ canary: 0, parallel: 8, perHost: 2, maxFailures: Number.POSITIVE_INFINITY });
  });

  it('refuses a --canary below 0 and a --per-host below 1', async () => {
    expect((await runInProcess(['apply', '--targets', 't.yaml', '--canary', '-1'])).stderr).toContain("option '--canary <n>' argument '-1' is invalid. must be a whole number of at least 0.");
    expect((await runInProcess(['apply', '--targets', 't.yaml', '--per-host', '0'])).stderr).toContain("option '--per-host <n>' argument '0' is invalid. must be a whole number of at least 1.");
  });
});
