/**
 * Wildcard patterns. EQL `:`/`like` patterns (Elasticsearch EQL `StringUtils.toLikePattern`: only
 * `*` and `?` are special, no escape) and Lucene `wildcard` query text (Lucene `WildcardQuery`:
 * `\` escapes the next character), hand-worked.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileLuceneWildcard, compileScriptWildcard, compileWildcard, hasWildcard } from '../../../../server/src/engine/wildcard';

describe('EQL wildcard patterns', () => {
  it('* matches any run, including none', () => {
    const p = compileWildcard('a*c', false);
    assert.equal(p('ac'), true);
    assert.equal(p('abbbc'), true);
    assert.equal(p('abcd'), false);
  });
  it('? matches exactly one character, a surrogate pair counting as one', () => {
    const p = compileWildcard('a?c', false);
    assert.equal(p('abc'), true);
    assert.equal(p('ac'), false);
    assert.equal(p('a😀c'), true);
  });
  it('several stars and question marks', () => {
    assert.equal(compileWildcard('*a*b?c*', false)('xxaxxbycxx'), true);
    assert.equal(compileWildcard('*a*b?c*', false)('xxaxxbcxx'), false);
    assert.equal(compileWildcard('a*a*a*a*b', false)('a'.repeat(2000)), false);
  });
  it('a backslash is an ordinary character', () => {
    assert.equal(compileWildcard('C:\\*', false)('C:\\Windows'), true);
    assert.equal(compileWildcard('a\\*', false)('a\\bc'), true);
  });
  it('case-insensitive matching folds both sides', () => {
    assert.equal(compileWildcard('*.EXE', true)('cmd.exe'), true);
    assert.equal(compileWildcard('*.EXE', false)('cmd.exe'), false);
  });
  it('hasWildcard (Optimizer.ReplaceWildcards)', () => {
    assert.equal(hasWildcard('a*'), true);
    assert.equal(hasWildcard('a?'), true);
    assert.equal(hasWildcard('a'), false);
  });
});

describe('Lucene wildcard query text', () => {
  it('\\ escapes * and ?', () => {
    assert.equal(compileLuceneWildcard('a\\*', false)('a*'), true);
    assert.equal(compileLuceneWildcard('a\\*', false)('ab'), false);
    assert.equal(compileLuceneWildcard('*\\cmd.exe', false)('C:\\xcmd.exe'), true);
  });
  it('a trailing lone backslash is literal', () => {
    assert.equal(compileLuceneWildcard('a\\', false)('a\\'), true);
  });
});

describe('wildcards inside scripts (LikePattern.asJavaRegex + java.util.regex)', () => {
  it('* and ? do not cross line terminators (Java `.` without DOTALL)', () => {
    assert.equal(compileScriptWildcard('a*c', false)('abbc'), true);
    assert.equal(compileScriptWildcard('a*c', false)('a\nc'), false);
    assert.equal(compileScriptWildcard('a?c', false)('a\rc'), false);
    assert.equal(compileWildcard('a*c', false)('a\nc'), true); // a wildcard query on a field does cross them
  });
  it('case-insensitive matching folds ASCII letters only (Pattern.CASE_INSENSITIVE)', () => {
    assert.equal(compileScriptWildcard('*.EXE', true)('cmd.exe'), true);
    assert.equal(compileScriptWildcard('É*', true)('école'), false);
    assert.equal(compileWildcard('É*', true)('école'), true);
  });
  it('regex metacharacters in the pattern are literal', () => {
    assert.equal(compileScriptWildcard('a.b(c)*', false)('a.b(c)xyz'), true);
    assert.equal(compileScriptWildcard('a.b*', false)('axb'), false);
  });
});
