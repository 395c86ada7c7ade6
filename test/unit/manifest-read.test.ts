import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifestFile } from '../../src/io/manifest/load.js';

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('loadManifestFile', () => {
  it('gives the SHA-256 of the bytes it parsed, byte-order mark and line ends included', async () => {
    const text = 'version: 1\r\ntables:\r\n  users:\r\n    indexes:\r\n      users_email:\r\n        columns: [email]\r\n';
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'manifest-read-')), 'indexes.yaml');
    await writeFile(file, bytes);
    const loaded = await loadManifestFile(file);
    expect(loaded.sha256).toBe(sha256(bytes));
    expect(loaded.sha256).not.toBe(sha256(text));
    expect(loaded.desired.tables.map((table) => table.indexes.map((index) => index.name))).toEqual([['users_email']]);
  });
});
