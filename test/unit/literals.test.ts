import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../../src/core/parse-tree.js';
import { unambiguousLiterals } from '../../src/core/literals.js';

describe('unambiguousLiterals', () => {
  beforeAll(() => loadSqlParser());

  it.each([
    ['no backslash: unchanged', `status = 'a''b'`, `status = 'a''b'`],
    ['a plain literal with a backslash becomes an escape string', String.raw`path = 'C:\dir'`, String.raw`path = E'C:\\dir'`],
    ['a backslash before the closing quote', String.raw`'a\' = 'b'`, String.raw`E'a\\' = 'b'`],
    ['escape strings stay as written', String.raw`x = E'a\'b' AND y = 'c\'`, String.raw`x = E'a\'b' AND y = E'c\\'`],
    ['dollar quotes stay as written', String.raw`x = $$a\$$`, String.raw`x = $$a\$$`],
    ['a continued literal: one escape string', "x = 'a'\n'b\\'", "x = E'a'\n'b\\\\'"],
    ['multibyte text before and after', String.raw`título = 'é\' || 'ñ'`, String.raw`título = E'é\\' || 'ñ'`],
    ['a backslash outside literals (an operator) is left alone', String.raw`a \ b`, String.raw`a \ b`],
  ])('%s', (_, fragment, expected) => {
    expect(unambiguousLiterals(fragment)).toBe(expected);
  });
});
