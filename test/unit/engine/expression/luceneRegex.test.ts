/**
 * Lucene regular expressions as Elasticsearch's `regexp` query runs them (EQL `regex`, `regex~`).
 * Expected values follow the Elasticsearch reference page "Regular expression syntax" (examples
 * quoted per operator) and Lucene's `RegExp` grammar for what the page leaves implicit (anchoring,
 * `^`/`$` being ordinary characters, predefined classes).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EqlCompileError } from '../../../../server/src/engine/errors';
import { compileLuceneRegex } from '../../../../server/src/engine/luceneRegex';

const m = (pattern: string, s: string, ci = false) => compileLuceneRegex(pattern, ci).test(s);

describe('standard operators ("Regular expression syntax")', () => {
  it('the whole value must match (no anchors needed)', () => {
    assert.equal(m('abc', 'abc'), true);
    assert.equal(m('abc', 'xabc'), false);
    assert.equal(m('b', 'abc'), false);
  });
  it('. matches any character', () => {
    assert.equal(m('ab.', 'abc'), true);
    assert.equal(m('ab.', 'ab1'), true);
    assert.equal(m('ab.', 'ab'), false);
    assert.equal(m('a.c', 'a\nc'), true);
    assert.equal(m('a.c', 'a😀c'), true);
  });
  it('? + * repeat the preceding item', () => {
    assert.equal(m('abc?', 'ab'), true);
    assert.equal(m('abc?', 'abc'), true);
    assert.equal(m('ab+', 'abbb'), true);
    assert.equal(m('ab+', 'a'), false);
    assert.equal(m('ab*', 'a'), true);
    assert.equal(m('ab*', 'abb'), true);
  });
  it('{n}, {n,m}, {n,}', () => {
    assert.equal(m('a{2}', 'aa'), true);
    assert.equal(m('a{2}', 'aaa'), false);
    assert.equal(m('a{2,4}', 'aaaa'), true);
    assert.equal(m('a{2,4}', 'aaaaa'), false);
    assert.equal(m('a{2,}', 'aaaaaaa'), true);
    assert.equal(m('a{2,}', 'a'), false);
  });
  it('| alternation and ( ) grouping', () => {
    assert.equal(m('abc|xyz', 'xyz'), true);
    assert.equal(m('abc(def)?', 'abc'), true);
    assert.equal(m('abc(def)?', 'abcdef'), true);
    assert.equal(m('abc(def)?', 'abcd'), false);
  });
  it('[ ] classes, ranges, negation and literal -', () => {
    assert.equal(m('[abc]', 'b'), true);
    assert.equal(m('[abc]', 'd'), false);
    assert.equal(m('[-abc]', '-'), true);
    assert.equal(m('[abc\\-]', '-'), true);
    assert.equal(m('[a-c]', 'b'), true);
    assert.equal(m('[^abc]', 'd'), true);
    assert.equal(m('[^abc]', 'a'), false);
    assert.equal(m('[^a-c]', 'b'), false);
  });
  it('"…" is a literal string and \\ escapes one character', () => {
    assert.equal(m('"a.b"', 'a.b'), true);
    assert.equal(m('"a.b"', 'axb'), false);
    assert.equal(m('a\\.b', 'a.b'), true);
    assert.equal(m('a\\.b', 'axb'), false);
    assert.equal(m('C:\\\\Windows', 'C:\\Windows'), true);
  });
  it('an operator with nothing to repeat is read literally (Lucene RegExp.parseSimpleExp)', () => {
    assert.equal(m('*a', '*a'), true);
    assert.equal(m('(|a)', '|a'), true);
  });
  it('^ and $ are ordinary characters (Lucene has no anchors)', () => {
    assert.equal(m('^a', '^a'), true);
    assert.equal(m('^a', 'a'), false);
    assert.equal(m('a$', 'a$'), true);
  });
  it('predefined classes \\d \\s \\w (Lucene RegExp)', () => {
    assert.equal(m('net1\\s+\\w{4,15}\\s+.*', 'net1  localgroup admins'), true);
    assert.equal(m('\\d+', '123'), true);
    assert.equal(m('\\d+', '12a'), false);
    assert.equal(m('[\\d]+x', '12x'), true);
    assert.equal(m('\\D', '1'), false);
  });
  it('.*? (written for non-greedy engines) still matches: ? makes .* optional', () => {
    assert.equal(m('.*?net[1]?  localgroup.*?', 'c:\\net1  localgroup x'), true);
  });
});

describe('optional operators enabled by the regexp query (flags ALL)', () => {
  it('<n-m> numeric intervals ("foo<1-100>" matches foo1 … foo100)', () => {
    assert.equal(m('foo<1-100>', 'foo1'), true);
    assert.equal(m('foo<1-100>', 'foo100'), true);
    assert.equal(m('foo<1-100>', 'foo101'), false);
    assert.equal(m('foo<1-100>', 'foo0'), false);
    // Different bound widths: any number of leading zeros (Lucene makeDecimalInterval, digits = 0).
    assert.equal(m('foo<1-100>', 'foo007'), true);
    // Equal bound widths: exactly that many digits.
    assert.equal(m('<01-10>', '05'), true);
    assert.equal(m('<01-10>', '5'), false);
    assert.equal(m('<10-250>', '249'), true);
    assert.equal(m('<10-250>', '251'), false);
  });
  it('@ matches any string; # matches nothing', () => {
    assert.equal(m('ab@', 'abxyz'), true);
    assert.equal(m('ab#', 'ab'), false);
  });
  it('& (intersection) and ~ (complement) have no linear-time translation: clear error', () => {
    assert.throws(() => compileLuceneRegex('aaa.+&.+bbb', false), EqlCompileError);
    assert.throws(() => compileLuceneRegex('a~bc', false), /complement/);
    // Escaped, they are ordinary characters (e.g. Windows short names such as PROGRA~1).
    assert.equal(m('.*PROGRA\\~1.*', 'C:\\PROGRA~1\\x.exe'), true);
    assert.equal(m('a\\&b', 'a&b'), true);
  });
});

describe('regex~: ASCII case-insensitive (RegExp.ASCII_CASE_INSENSITIVE)', () => {
  it('letters match either case', () => {
    assert.equal(m('.*system32.*', 'C:\\Windows\\System32\\x', true), true);
    assert.equal(m('"ABC"', 'abc', true), true);
    assert.equal(m('[a]b', 'AB', true), true);
    assert.equal(m('abc', 'ABD', true), false);
  });
});

describe('pattern analysis used by the optimizer (ReplaceRegexMatch)', () => {
  it('matchesAll for patterns accepting every string', () => {
    assert.equal(compileLuceneRegex('.*', false).matchesAll, true);
    assert.equal(compileLuceneRegex('@', false).matchesAll, true);
    assert.equal(compileLuceneRegex('.+', false).matchesAll, false);
  });
  it('exact for patterns accepting one string', () => {
    assert.equal(compileLuceneRegex('abc', false).exact, 'abc');
    assert.equal(compileLuceneRegex('a\\.b', false).exact, 'a.b');
    assert.equal(compileLuceneRegex('"x.y"z', false).exact, 'x.yz');
    assert.equal(compileLuceneRegex('a.c', false).exact, undefined);
  });
});

describe('invalid patterns', () => {
  it('report the problem as EqlCompileError', () => {
    for (const p of ['(ab', 'a{2', '[abc', '"abc', 'a)', 'a{3,1}', 'a\\']) {
      assert.throws(() => compileLuceneRegex(p, false), EqlCompileError, p);
    }
  });
});
