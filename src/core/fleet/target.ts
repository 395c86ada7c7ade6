/*
 * One database of a fleet, resolved: where it is, what it is called, and which manifest it follows.
 * Targets come from a targets file (§8 of the spec) or a --targets-cmd; everything that runs across a
 * fleet (plan, apply, status, check) works on this shape only.
 */

export interface FleetTarget {
  /** Unique within the fleet: the targets file's name, or `<discover name>/<database or schema>`. */
  readonly name: string;
  /** Passed to pg; may hold a password, never printed. */
  readonly connectionString: string;
  /** The URL with its password masked: what messages show. */
  readonly display: string;
  /** Secrets to scrub from anything printed about this target. */
  readonly secrets: readonly string[];
  /** `host:port` of the server: the unit `--per-host` limits. */
  readonly server: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Absolute path of the manifest this target follows. */
  readonly manifestPath: string;
  /**
   * Schema per tenant: the tenant's schema takes the place of the manifest's defaults.schema and comes
   * first on the search path that resolves the manifest's names.
   */
  readonly tenantSchema?: string;
  /**
   * Set when the target could not even be listed: a `discover:` entry whose server did not answer stands
   * for what it would have found, under the entry's name. The masked reason; never connect to it.
   */
  readonly unreachable?: string;
  /** Position in the fleet's declared order (file order, then discovery order): canaries are the first. */
  readonly ordinal: number;
}
