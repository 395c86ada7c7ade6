/*
 * The session settings every connection pins, and the SQL script sets: they decide which names get
 * schema-qualified and what literals mean (a timestamptz in a predicate depends on TimeZone), so
 * canonicalising, reading and building must all see the same ones.
 */
export const PINNED_SETTINGS: Readonly<Record<string, string>> = {
  // First, so that a script sets it before any other literal: fragments were checked by a parser that
  // reads string literals this way; a server or role with it off would read a backslash before a quote
  // as an escape, and a literal could end somewhere else.
  standard_conforming_strings: 'on',
  // Servers built with LLVM compile a large catalog read before running it: 1.9 s of a 2.3 s read of
  // 10,000 indexes. The tool's own statements gain nothing from JIT.
  jit: 'off',
  search_path: 'pg_catalog',
  TimeZone: 'UTC',
  DateStyle: 'ISO',
  IntervalStyle: 'postgres',
};

/**
 * Pinned settings that only concern the tool's own statements: a session that measures the
 * application's queries (`reconcile check`) leaves them at the role's, database's or server's value, so
 * the queries run as the application's would.
 */
export const OWN_STATEMENTS_ONLY: ReadonlySet<string> = new Set(['jit']);
