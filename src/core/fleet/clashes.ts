/*
 * A fleet's targets must be told apart: two with one name, or two that resolve to the same database and
 * schema (they would be planned and applied twice, by two runs racing each other), are errors naming both.
 */

export interface Candidate<W> {
  readonly name: string;
  /** The database (and, for a schema per tenant, the schema) it resolves to; undefined when unknown. */
  readonly identity?: { readonly key: string; readonly text: string; readonly schema: boolean };
  /** Where the target comes from, for the message. */
  readonly where: W;
}

export interface Clash<W> {
  readonly where: W;
  readonly message: string;
}

/**
 * Clashes, reported at the later of the two; `describe` says where the first one is (`targets[0] at line 4`).
 */
export function findClashes<W>(candidates: readonly Candidate<W>[], describe: (where: W) => string): Clash<W>[] {
  const clashes: Clash<W>[] = [];
  const byName = new Map<string, Candidate<W>>();
  const byIdentity = new Map<string, Candidate<W>>();
  for (const candidate of candidates) {
    const named = byName.get(candidate.name);
    if (named) {
      clashes.push({
        where: candidate.where,
        message: `target name "${candidate.name}" is already used by ${describe(named.where)}: each target has its own name`,
      });
    } else {
      byName.set(candidate.name, candidate);
    }
    if (candidate.identity === undefined) continue;
    const same = byIdentity.get(candidate.identity.key);
    if (same) {
      clashes.push({
        where: candidate.where,
        message: `targets "${same.name}" (${describe(same.where)}) and "${candidate.name}" are the same database${candidate.identity.schema ? ' and schema' : ''} (${candidate.identity.text}): list each once`,
      });
    } else {
      byIdentity.set(candidate.identity.key, candidate);
    }
  }
  return clashes;
}
