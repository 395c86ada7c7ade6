/*
 * Reading how far each streaming replica is behind, on the primary, in one autocommit statement.
 *
 * The lag is pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn): all the WAL a replica has yet to
 * replay, including WAL the primary has not sent yet. sent_lsn - replay_lsn would leave out the
 * backlog a slow link keeps on the primary, which is where an index build's burst of WAL piles up;
 * and the current position is what monitoring dashboards measure replication lag against.
 *
 * Only physical replicas count (their walsender has no database); logical subscribers and
 * pg_receivewal (which never replays: replay_lsn is null) do not hold a failover back.
 */
import { UserError } from '../core/errors.js';
import type { ReplicaLag } from '../core/replica-lag.js';
import type { Session } from './db.js';

interface ReplicaRow {
  pid: number;
  application_name: string | null;
  client_addr: string | null;
  /** Null when the role may not see the positions (no pg_read_all_stats / pg_monitor). */
  state: string | null;
  lag: string | null;
}

const REPLICAS_SQL = `
SELECT r.pid, r.application_name, host(r.client_addr) AS client_addr, r.state,
       pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END, r.replay_lsn)::text AS lag
  FROM pg_stat_replication r
  LEFT JOIN pg_stat_activity a ON a.pid = r.pid
 WHERE a.datid IS NULL
 ORDER BY r.application_name, r.pid`;

function replicaName(row: ReplicaRow): string {
  if (row.application_name) return row.application_name;
  if (row.client_addr) return row.client_addr;
  return `walsender pid ${row.pid}`;
}

/** The replicas of the session's server and their lag; throws a UserError when the role may not read them. */
export async function readReplicaLag(session: Session): Promise<ReplicaLag[]> {
  const { rows } = await session.query<ReplicaRow>(REPLICAS_SQL);
  if (rows.some((row) => row.state === null)) {
    throw new UserError(
      'cannot read how far the replicas are behind: the role may not see their positions in pg_stat_replication.',
      'GRANT pg_monitor (or pg_read_all_stats) to the role that applies, or set settings.maxReplicaLag to 0 to build without the replica-lag gate.',
    );
  }
  return rows.flatMap((row) => (row.lag === null ? [] : [{ name: replicaName(row), lagBytes: Math.max(0, Number(row.lag)) }]));
}
