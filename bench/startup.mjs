// `reconcile --help` start-up time beside a bare `node` start, the floor it cannot go under.
// Run after `npx tsc -p .`: node bench/startup.mjs [runs]
// BASELINE_CLI=path/to/an/older/dist/cli.js adds that build's figure beside this one's.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 15);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function median(command, args) {
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    execFileSync(command, args, { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const bare = median(process.execPath, ['-e', '0']);
const help = median(process.execPath, [cli, '--help']);
const baseline = process.env.BASELINE_CLI ? median(process.execPath, [process.env.BASELINE_CLI, '--help']) : undefined;
console.log(`runs: ${runs} each, median wall time`);
console.log(`node -e 0           ${bare.toFixed(0).padStart(5)} ms`);
console.log(`reconcile --help    ${help.toFixed(0).padStart(5)} ms   (${(help / bare).toFixed(2)}× a bare node start; +${(help - bare).toFixed(0)} ms)`);
if (baseline !== undefined) {
  console.log(`baseline --help     ${baseline.toFixed(0).padStart(5)} ms   (this build takes ${(help / baseline).toFixed(2)}× the baseline's time)`);
}
