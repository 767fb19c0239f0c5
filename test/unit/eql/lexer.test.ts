/**
 * Lexer cases worked by hand from Elasticsearch's lexer rules (`x-pack/plugin/eql/src/main/antlr/EqlBase.g4`)
 * and the "EQL syntax reference" (Strings, Escape characters, Raw strings, Comments sections).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lex } from '../../../server/src/eql/lexer';

const kinds = (s: string) => lex(s).tokens.map((t) => `${t.kind}:${t.text}`);

describe('lexer', () => {
  // EqlBase.g4: keywords are lower-case literals; `in~` etc. are single tokens; IDENTIFIER may start with `@`.
  it('splits keywords, identifiers, tilde forms and operators', () => {
    assert.deepEqual(kinds('process where @timestamp in~ (1) and startsWith~(x)'), [
      'identifier:process',
      'keyword:where',
      'identifier:@timestamp',
      'keyword:in~',
      'operator:(',
      'integer:1',
      'operator:)',
      'keyword:and',
      'tildeIdentifier:startsWith~',
      'operator:(',
      'identifier:x',
      'operator:)',
      'eof:',
    ]);
  });

  // EqlBase.g4 INTEGER_VALUE / DECIMAL_VALUE: `1.`, `.5`, `2e3` are decimals; `30s` is 30 then `s`.
  it('reads integers, decimals and exponents', () => {
    assert.deepEqual(kinds('1 1. .5 2e3 1.5E-2 30s'), [
      'integer:1', 'decimal:1.', 'decimal:.5', 'decimal:2e3', 'decimal:1.5E-2', 'integer:30', 'identifier:s', 'eof:',
    ]);
    assert.equal(lex('1.5E-2').tokens[0].value, 0.015);
  });

  // Syntax reference, "Escape characters in a string": \n \r \t \" \\ and \u{…} (2–8 hex digits).
  it('decodes string escapes including \\u{…}', () => {
    const t = lex('"a\\"b\\\\c\\n\\t\\r\\u{41}\\u{1F600}"').tokens[0];
    assert.equal(t.kind, 'string');
    assert.equal(t.value, 'a"b\\c\n\t\rA\u{1F600}');
    assert.equal(t.quote, 'double');
    assert.deepEqual(lex('"a\\"b\\\\c\\n\\t\\r\\u{41}\\u{1F600}"').diagnostics, []);
  });

  // Syntax reference, "Raw strings": """…""" keeps backslashes as written.
  it('keeps raw strings verbatim', () => {
    const t = lex('"""C:\\Windows\\"x"""').tokens[0];
    assert.equal(t.value, 'C:\\Windows\\"x');
    assert.equal(t.quote, 'triple');
  });

  it('reports bad escapes and unterminated strings with exact spans', () => {
    // `"a\q"`: the escape `\q` is at offsets 2..4.
    const bad = lex('"a\\q"');
    assert.equal(bad.diagnostics.length, 1);
    assert.deepEqual(bad.diagnostics[0].span, { start: 2, end: 4 });
    // `x == "abc` : the string starts at 5 and runs to the end (9).
    const open = lex('x == "abc');
    assert.deepEqual(open.diagnostics.map((d) => d.span), [{ start: 5, end: 9 }]);
    assert.match(open.diagnostics[0].message, /Unterminated string/);
  });

  // Syntax reference, "Comments": `//` line comments and `/* */` block comments; EqlBase.g4 allows nesting.
  it('keeps comments as tokens, nested block comments included', () => {
    const r = lex('a /* x /* y */ z */ b // end\nc');
    assert.deepEqual(r.tokens.map((t) => t.kind), ['identifier', 'blockComment', 'identifier', 'lineComment', 'identifier', 'eof']);
    assert.equal(r.tokens[1].text, '/* x /* y */ z */');
    assert.deepEqual(r.diagnostics, []);
  });

  // Syntax reference, "Escape a field name": backticks, with `` for a literal backtick.
  it('decodes backtick identifiers', () => {
    const t = lex('`my ``odd`` field`').tokens[0];
    assert.equal(t.kind, 'quotedIdentifier');
    assert.equal(t.value, 'my `odd` field');
  });

  // ExpressionTests.testStringWithUnicodeEscapedChars / testStringWithIncorrectUnicodeEscapedChars (Elasticsearch).
  it('decodes \\uXXXX and \\u{…} and rejects bad ones with Elasticsearch\'s messages', () => {
    assert.equal(lex('"\\u0021"').tokens[0].value, '!');
    assert.equal(lex('"\\u{075}"').tokens[0].value, 'u');
    assert.equal(lex('"\\u{01f4a9}"').tokens[0].value, '\u{1F4A9}');
    // A closing brace after four hex digits is an ordinary character.
    assert.equal(lex('"\\u01f0}"').tokens[0].value, '\u01f0}');
    const one = lex('"\\u{D}"').diagnostics;
    assert.deepEqual(one.map((d) => [d.message, d.span]), [
      ['Unicode sequence in curly braces should use [2-8] hex digits, [\\u{D}] has [1]', { start: 1, end: 6 }],
    ]);
    assert.equal(lex('"\\u{00AFD1431}"').diagnostics[0].message, 'Unicode sequence in curly braces should use [2-8] hex digits, [\\u{00AFD1431}] has [9]');
    assert.equal(lex('"\\u{0000}"').diagnostics[0].message, 'Unicode sequence results in null');
    assert.equal(lex('"\\u0000"').diagnostics[0].message, 'Unicode sequence results in null');
    assert.equal(lex('"\\u{10000000}"').diagnostics[0].message, 'Invalid unicode character code [10000000]');
    assert.equal(lex('"\\u001"').diagnostics.length, 1);
    assert.equal(lex('"\\u{}"').diagnostics.length, 1);
  });

  // ExpressionTests.testStrings / testTripleDoubleQuotedUnescapedString: up to two extra closing quotes
  // belong to the value; the value is the token without three quotes on each side.
  it('reads raw strings with extra quotes the way Elasticsearch does', () => {
    assert.equal(lex('"""""hello""world!""""').tokens[0].value, '""hello""world!"');
    assert.equal(lex('""""""').tokens[0].value, '');
    // `""""""hello…`: an empty raw string, then the identifier `hello` (ES: "mismatched input 'hello'").
    assert.deepEqual(kinds('""""""hello').slice(0, 2), ['string:""""""', 'identifier:hello']);
    // Raw strings end at the line: EqlBase.g4 `'"""' (~[\\r\\n])*? '"""'`.
    assert.equal(lex('"""a\nb"""').diagnostics.length >= 1, true);
  });

  it('lexes single-quoted and ?"…" strings so the parser can reject them', () => {
    assert.equal(lex("'x'").tokens[0].quote, 'single');
    assert.equal(lex('?"x\\d"').tokens[0].quote, 'questionDouble');
    assert.equal(lex('?"x\\d"').tokens[0].value, 'x\\d');
  });

  it('reports a stray character at its offset', () => {
    const r = lex('a # b');
    assert.deepEqual(r.diagnostics.map((d) => d.span), [{ start: 2, end: 3 }]);
  });

  it('uses UTF-16 offsets', () => {
    // '😀' is two UTF-16 code units, so `x` after `"😀" ` starts at 5.
    const r = lex('"😀" x');
    assert.deepEqual(r.tokens[1].span, { start: 5, end: 6 });
  });
});
