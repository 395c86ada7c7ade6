/*
 * Connections to Citus workers, for progress only: the coordinator's connection with the worker's host and
 * port, or `settings.citus.workerUrl` with {host} and {port} filled in. The password, when any, stays secret.
 */
import type { ConnectionTarget } from '../db.js';
import { connectionStringPasswords, isKeyValueConnection } from '../connection-string.js';
import { maskUrl } from '../db.js';

function quoteConninfo(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The coordinator's connection string, pointed at another host and port. */
function retarget(connectionString: string | undefined, host: string, port: number): string {
  if (connectionString === undefined) return `host=${quoteConninfo(host)} port=${port}`;
  if (isKeyValueConnection(connectionString)) {
    // Later keys win in libpq's key=value form.
    return `${connectionString} host=${quoteConninfo(host)} port=${port}`;
  }
  const url = new URL(connectionString);
  url.hostname = host.includes(':') ? `[${host}]` : host;
  url.port = String(port);
  // A host or port given as a query parameter would override the authority.
  url.searchParams.delete('host');
  url.searchParams.delete('hostaddr');
  url.searchParams.delete('port');
  return url.toString();
}

export function workerTarget(coordinator: ConnectionTarget, host: string, port: number, template?: string): ConnectionTarget {
  const connectionString =
    template === undefined ? retarget(coordinator.connectionString, host, port) : template.replaceAll('{host}', host).replaceAll('{port}', String(port));
  const own = template === undefined ? [] : connectionStringPasswords(template).flatMap((password) => [password, encodeURIComponent(password)]);
  return { connectionString, display: maskUrl(connectionString), secrets: [...coordinator.secrets, ...own] };
}
