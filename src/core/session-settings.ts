/*
 * The session settings every connection pins, and the SQL script sets: they decide which names get
 * schema-qualified and what literals mean (a timestamptz in a predicate depends on TimeZone), so
 * canonicalising, reading and building must all see the same ones.
 */
export const PINNED_SETTINGS: Readonly<Record<string, string>> = {
  search_path: 'pg_catalog',
  TimeZone: 'UTC',
  DateStyle: 'ISO',
  IntervalStyle: 'postgres',
};
