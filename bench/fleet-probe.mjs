// Loaded with `node --import ./bench/fleet-probe.mjs dist/cli.js …` by bench/fleet.mjs: counts the
// queries the process sends (each pg.Client#query call is one round trip; connection start-up is not
// counted) and, at exit, writes them with the process's peak RSS to the file FLEET_PROBE_OUT names.
import { appendFileSync } from 'node:fs';
import pg from 'pg';

let queries = 0;
let connections = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(...args) {
  queries += 1;
  return query.apply(this, args);
};
const connect = pg.Client.prototype.connect;
pg.Client.prototype.connect = function countedConnect(...args) {
  connections += 1;
  return connect.apply(this, args);
};
process.on('exit', () => {
  if (!process.env.FLEET_PROBE_OUT) return;
  appendFileSync(process.env.FLEET_PROBE_OUT, `${JSON.stringify({ queries, connections, maxRssKb: process.resourceUsage().maxRSS })}\n`);
});
