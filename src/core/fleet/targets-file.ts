/*
 * A targets file (already valid against schema/targets.schema.json) as plain specs: named targets and
 * discover entries, with their place in the file, before anything is read from the environment or a
 * server. Also the JSON lines of --targets-cmd.
 */
import type { ManifestPath } from '../manifest-path.js';

/** Where a URL comes from: `env:NAME` or the text itself. */
export type UrlSource = { readonly kind: 'env'; readonly variable: string } | { readonly kind: 'literal'; readonly url: string };

export interface TargetSpec {
  readonly kind: 'target';
  readonly name: string;
  readonly url: UrlSource;
  readonly labels: Readonly<Record<string, string>>;
  readonly manifest?: string;
  /** Where it is written: `targets[2]`. */
  readonly path: ManifestPath;
}

export interface DiscoverSpec {
  readonly kind: 'discover';
  readonly name?: string;
  readonly server: UrlSource;
  /** What is discovered and the LIKE pattern its names match. */
  readonly find: { readonly kind: 'databases' | 'schemas'; readonly pattern: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly manifest?: string;
  readonly path: ManifestPath;
}

export interface TargetsFileSpec {
  readonly manifest?: string;
  readonly targets: readonly TargetSpec[];
  readonly discover: readonly DiscoverSpec[];
}

export function urlSource(text: string): UrlSource {
  return text.startsWith('env:') ? { kind: 'env', variable: text.slice(4) } : { kind: 'literal', url: text };
}

/** Label values as text: `canary: true` and `canary: "true"` select alike. */
export function labelsOf(value: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  if (value === null || typeof value !== 'object') return labels;
  for (const [key, label] of Object.entries(value)) labels[key] = String(label);
  return labels;
}

interface TargetInput {
  readonly name: string;
  readonly url: string;
  readonly labels?: unknown;
  readonly manifest?: string;
}

interface DiscoverInput {
  readonly name?: string;
  readonly server: string;
  readonly databases?: string;
  readonly schemas?: string;
  readonly labels?: unknown;
  readonly manifest?: string;
}

/** The file's data, valid against the schema, as specs. */
export function targetsFileSpec(data: { manifest?: string; targets?: readonly TargetInput[]; discover?: readonly DiscoverInput[] }): TargetsFileSpec {
  const targets = (data.targets ?? []).map(
    (t, i): TargetSpec => ({
      kind: 'target',
      name: t.name,
      url: urlSource(t.url),
      labels: labelsOf(t.labels),
      ...(t.manifest === undefined ? {} : { manifest: t.manifest }),
      path: ['targets', i],
    }),
  );
  const discover = (data.discover ?? []).map(
    (d, i): DiscoverSpec => ({
      kind: 'discover',
      ...(d.name === undefined ? {} : { name: d.name }),
      server: urlSource(d.server),
      find: d.databases !== undefined ? { kind: 'databases', pattern: d.databases } : { kind: 'schemas', pattern: d.schemas ?? '' },
      labels: labelsOf(d.labels),
      ...(d.manifest === undefined ? {} : { manifest: d.manifest }),
      path: ['discover', i],
    }),
  );
  return { ...(data.manifest === undefined ? {} : { manifest: data.manifest }), targets, discover };
}

export type CommandLine =
  | { readonly ok: true; readonly spec: TargetSpec }
  | { readonly ok: false; readonly message: string };

/** One line of --targets-cmd output: `{"name": …, "url": …, "labels": {…}}`; `line` counts from 1. */
export function targetFromCommandLine(text: string, line: number): CommandLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not a JSON object: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'not a JSON object: each line is {"name", "url", "labels"}' };
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !['name', 'url', 'labels', 'manifest'].includes(key));
  if (unknown.length > 0) return { ok: false, message: `unknown field ${JSON.stringify(unknown[0])}: a line has "name", "url" and optionally "labels" and "manifest"` };
  const { name, url, labels, manifest } = record;
  if (typeof name !== 'string' || name.trim() === '' || /[\s=,]/.test(name)) return { ok: false, message: '"name" must be a text without spaces, "=" or ","' };
  if (typeof url !== 'string' || url === '') return { ok: false, message: '"url" must be a connection URL or env:NAME' };
  if (labels !== undefined) {
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return { ok: false, message: '"labels" must be an object of label names and values' };
    const bad = Object.entries(labels).find(([key, v]) => /[\s=,]/.test(key) || key === '' || !['string', 'number', 'boolean'].includes(typeof v));
    if (bad) return { ok: false, message: `label ${JSON.stringify(bad[0])}: a label name has no spaces, "=" or ",", and its value is a text, number or boolean` };
  }
  if (manifest !== undefined && (typeof manifest !== 'string' || manifest === '')) return { ok: false, message: '"manifest" must be a file path' };
  return {
    ok: true,
    spec: {
      kind: 'target',
      name,
      url: urlSource(url),
      labels: labelsOf(labels),
      ...(typeof manifest === 'string' ? { manifest } : {}),
      path: [line],
    },
  };
}
