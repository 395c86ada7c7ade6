/*
 * Reading a manifest file: its bytes, the SHA-256 of exactly those bytes (a saved plan records it), and a
 * strict UTF-8 decoding of them. Also the checks that tell a text file from something else.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Problem } from '../../core/errors.js';

export type ReadOutcome =
  /** The file's text and the SHA-256 (hex) of the bytes it was decoded from. */
  | { readonly kind: 'text'; readonly text: string; readonly sha256: string }
  /** The file cannot be read at all (missing, a directory, no permission): why, in a few words. */
  | { readonly kind: 'unreadable'; readonly reason: string }
  /** The file was read but is not UTF-8 text. */
  | { readonly kind: 'not-text'; readonly problem: Problem };

/** Reads the file once: the text that is checked and the hash that is recorded come from the same bytes. */
export async function readManifestText(file: string): Promise<ReadOutcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { kind: 'unreadable', reason: describeReadError(error) };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    // Decode strictly: a lenient decode would turn bad bytes into U+FFFD and report nonsense later.
    return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), sha256 };
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, at).toString('utf8');
    const { line, column } = lineAndColumn(before, before.length);
    const message = `not a text file: invalid UTF-8 at byte ${at}; a manifest is a YAML text file in UTF-8`;
    return { kind: 'not-text', problem: { file, line, column, path: '', message } };
  }
}

/** A NUL character means a binary file that happens to decode as UTF-8. */
export function nulProblem(text: string, file: string): Problem | undefined {
  const nul = text.indexOf('\u0000');
  if (nul === -1) return undefined;
  const { line, column } = lineAndColumn(text, nul);
  return { file, line, column, path: '', message: 'not a text file: it contains NUL bytes; a manifest is a YAML text file' };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Byte offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // Lead byte → sequence length and the range of the second byte (no overlongs, no surrogates).
    let length = 0;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    }
    if (length === 0 || i + length > bytes.length) return i;
    const second = bytes[i + 1] as number;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k] as number;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return i;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
