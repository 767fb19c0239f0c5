/**
 * Scopes the `source.eql` TextMate grammar gives to EQL tokens.
 *
 * Expected token boundaries come from Elasticsearch's lexer (`EqlBase.g4`: keywords, `in~`/`like~`/
 * `regex~`, TILDE_IDENTIFIER, QUOTED_IDENTIFIER, STRING with its escapes and raw `"""` form,
 * INTEGER/DECIMAL, nested BRACKETED_COMMENT, OPTIONAL `?`, MISSING_EVENT_OPEN `![`), from
 * `LogicalPlanBuilder.visitSequenceParams` (time units ms, s, m, h, d) and from the "EQL syntax
 * reference" (event category before `where`, `with runs=`, pipes). Expected scope names are the
 * conventional TextMate names themes colour (keyword.control, keyword.operator, string.quoted,
 * constant.character.escape, support.function, variable.other, entity.name.type, comment, invalid).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expectScope, invalidTokens, ROOT, tokenizeEql, unscopedTokens, type Tok } from './tokenize';

const STR_BEGIN = 'string.quoted.double.eql punctuation.definition.string.begin.eql';
const STR_END = 'string.quoted.double.eql punctuation.definition.string.end.eql';
const STR = 'string.quoted.double.eql';
const FIELD = 'variable.other.field.eql';
const CATEGORY = 'entity.name.type.event-category.eql';
const CONTROL = 'keyword.control.eql';
const LOGICAL = 'keyword.operator.logical.eql';
const CMP = 'keyword.operator.comparison.eql';
const OP = 'keyword.operator.eql';
const INT = 'constant.numeric.integer.eql';
const ESC = 'string.quoted.double.eql constant.character.escape.eql';

/** Elastic detection rule "Incoming Execution via PowerShell Remoting" (query as published). */
const PS_REMOTING = [
  'sequence by host.id with maxspan = 30s',
  '   [network where host.os.type == "windows" and network.direction : ("incoming", "ingress") and destination.port in (5985, 5986) and',
  '    network.protocol == "http" and source.ip != "127.0.0.1" and source.ip != "::1"]',
  '   [process where host.os.type == "windows" and',
  '    event.type == "start" and process.parent.name : "wsmprovhost.exe" and not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"]',
].join('\n');

/** How many times `needle` occurs in `text` (to address the next occurrence with `nth`). */
const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;

function noBadTokens(toks: Tok[]): void {
  assert.deepEqual(invalidTokens(toks).map((t) => t.text), [], 'no invalid.illegal tokens in valid EQL');
  assert.deepEqual(unscopedTokens(toks).map((t) => t.text), [], 'every non-blank token has an EQL scope');
}

describe('EQL grammar: PowerShell Remoting rule', () => {
  it('scopes every token of the rule', async () => {
    const t = await tokenizeEql(PS_REMOTING);
    noBadTokens(t);
    // Line 0: sequence header. `maxspan = 30s`: ASGN, INTEGER_VALUE, unit IDENTIFIER `s`.
    expectScope(t, 'sequence', CONTROL);
    expectScope(t, 'by', CONTROL);
    expectScope(t, 'host.id', FIELD);
    expectScope(t, 'with', CONTROL);
    expectScope(t, 'maxspan', CONTROL);
    expectScope(t, '=', 'keyword.operator.assignment.eql', { line: 0 });
    expectScope(t, '30', INT);
    expectScope(t, 's', 'keyword.other.unit.eql', { line: 0, nth: occurrences('sequence by host.id with maxspan = 30', 's') });
    // Line 1: first stage.
    expectScope(t, '[', 'punctuation.section.stage.begin.eql', { line: 1 });
    expectScope(t, 'network', CATEGORY, { line: 1 });
    expectScope(t, 'where', CONTROL, { line: 1 });
    expectScope(t, 'host.os.type', FIELD, { line: 1 });
    expectScope(t, '==', CMP, { line: 1 });
    expectScope(t, '"', STR_BEGIN, { line: 1, nth: 0 });
    expectScope(t, 'windows', STR, { line: 1 });
    expectScope(t, '"', STR_END, { line: 1, nth: 1 });
    expectScope(t, 'and', LOGICAL, { line: 1, nth: 0 });
    expectScope(t, 'network.direction', FIELD);
    expectScope(t, ':', OP, { line: 1 });
    expectScope(t, '(', 'punctuation.section.parens.begin.eql', { line: 1, nth: 0 });
    expectScope(t, 'incoming', STR);
    expectScope(t, ',', 'punctuation.separator.comma.eql', { line: 1, nth: 0 });
    expectScope(t, 'ingress', STR);
    expectScope(t, ')', 'punctuation.section.parens.end.eql', { line: 1, nth: 0 });
    expectScope(t, 'destination.port', FIELD);
    expectScope(t, 'in', OP, { line: 1, after: 'destination.port ' });
    expectScope(t, '5985', INT);
    expectScope(t, '5986', INT);
    expectScope(t, 'and', LOGICAL, { line: 1, nth: 2 });
    // Line 2.
    expectScope(t, 'network.protocol', FIELD);
    expectScope(t, 'http', STR);
    expectScope(t, 'source.ip', FIELD, { line: 2, nth: 0 });
    expectScope(t, '!=', CMP, { line: 2, nth: 0 });
    expectScope(t, '127.0.0.1', STR);
    expectScope(t, '::1', STR);
    expectScope(t, ']', 'punctuation.section.stage.end.eql', { line: 2 });
    // Line 3: second stage.
    expectScope(t, '[', 'punctuation.section.stage.begin.eql', { line: 3 });
    expectScope(t, 'process', CATEGORY, { line: 3 });
    expectScope(t, 'where', CONTROL, { line: 3 });
    // Line 4.
    expectScope(t, 'event.type', FIELD);
    expectScope(t, 'start', STR);
    expectScope(t, 'process.parent.name', FIELD);
    expectScope(t, 'wsmprovhost.exe', STR);
    expectScope(t, 'not', LOGICAL);
    expectScope(t, 'process.executable', FIELD);
    expectScope(t, '?:', STR); // wildcard text inside a string is string content
    expectScope(t, '\\\\', ESC, { line: 4, nth: 0 });
    expectScope(t, 'Windows', STR);
    expectScope(t, '\\\\', ESC, { line: 4, nth: 1 });
    expectScope(t, 'System32', STR);
    expectScope(t, '\\\\', ESC, { line: 4, nth: 2 });
    expectScope(t, 'conhost.exe', STR);
    expectScope(t, ']', 'punctuation.section.stage.end.eql', { line: 4 });
  });
});

describe('EQL grammar: sample rules', () => {
  it('every rule in samples/rules/*.eql tokenizes with no invalid or unrecognised token', async () => {
    const dir = path.join(ROOT, 'samples', 'rules');
    const files = readdirSync(dir).filter((f) => f.endsWith('.eql'));
    assert.ok(files.length > 0, 'samples/rules holds .eql rules');
    for (const f of files) {
      const t = await tokenizeEql(readFileSync(path.join(dir, f), 'utf8'));
      assert.deepEqual(invalidTokens(t).map((x) => `${f}:${x.line + 1} ${x.text}`), []);
      assert.deepEqual(unscopedTokens(t).map((x) => `${f}:${x.line + 1} ${x.text}`), []);
    }
  });
});

describe('EQL grammar: operators', () => {
  const q = [
    'process where a == 1 and b != 2 and c < 3 and d <= 4 and e > 5 and f >= 6',
    '  and g : "x*" and h like "y*" and i like~ "Y*" and j regex "a.+" and k regex~ "A.+"',
    '  and l in (1, 2) and m in~ ("a", "b") and n not in (3) and not o',
    '  or p + 1 - 2 * 3 / 4 % 5 == 0',
  ].join('\n');

  it('comparison operators (EQ NEQ LT LTE GT GTE)', async () => {
    const t = await tokenizeEql(q);
    noBadTokens(t);
    for (const op of ['==', '!=', '<', '<=', '>', '>=']) expectScope(t, op, CMP, { line: 0, nth: 0 });
  });

  it('string operators (SEQ, LIKE, LIKE_INSENSITIVE, REGEX, REGEX_INSENSITIVE, IN, IN_INSENSITIVE) are one token each', async () => {
    const t = await tokenizeEql(q);
    expectScope(t, ':', OP, { line: 1 });
    expectScope(t, 'like', OP, { line: 1, nth: 0 });
    expectScope(t, 'like~', OP, { line: 1 });
    expectScope(t, 'regex', OP, { line: 1, nth: 0 });
    expectScope(t, 'regex~', OP, { line: 1 });
    expectScope(t, 'in', OP, { line: 2, nth: 0 });
    expectScope(t, 'in~', OP, { line: 2 });
    expectScope(t, 'in', OP, { line: 2, nth: 2 }); // `not in`
  });

  it('logical and arithmetic operators', async () => {
    const t = await tokenizeEql(q);
    expectScope(t, 'and', LOGICAL, { line: 2, nth: 0 });
    expectScope(t, 'not', LOGICAL, { line: 2, nth: 0 });
    expectScope(t, 'not', LOGICAL, { line: 2, nth: 1 });
    expectScope(t, 'or', LOGICAL, { line: 3 });
    for (const op of ['+', '-', '*', '/', '%']) expectScope(t, op, 'keyword.operator.arithmetic.eql', { line: 3 });
    expectScope(t, '==', CMP, { line: 3 });
  });

  it('flags what the current lexer rejects: single `=`, single quotes, ?"…", `!:`', async () => {
    const t = await tokenizeEql("process where a = 1 and b == 'x' and c : ?\"y\" and d !: \"z\"");
    // ASGN is only accepted after `maxspan` and `runs`.
    expectScope(t, '=', 'invalid.illegal.operator.eql', { nth: 0 });
    expectScope(t, '==', CMP);
    // STRING alternatives kept in EqlBase.g4 only so the builder can reject them.
    expectScope(t, "'x'", 'invalid.illegal.string.quoted.single.eql');
    expectScope(t, '?"y"', 'invalid.illegal.string.eql');
    // `!:` (SNEQ) is gone from the current grammar; `!` alone is no token.
    expectScope(t, '!', 'invalid.illegal.character.eql');
  });
});

describe('EQL grammar: strings', () => {
  it('escapes, and an escaped quote does not end the string', async () => {
    const t = await tokenizeEql('any where x : "a\\" and b\\\\c\\td\\u{1F600}e\\u{41}f" and y == 1');
    noBadTokens(t);
    expectScope(t, '"', STR_BEGIN, { nth: 0 });
    expectScope(t, 'a', STR, { nth: 1 }); // nth 0 is in `any`
    expectScope(t, '\\"', ESC);
    expectScope(t, ' and b', STR); // still inside the string
    expectScope(t, '\\\\', ESC);
    expectScope(t, '\\t', ESC);
    expectScope(t, '\\u{1F600}', ESC);
    expectScope(t, '\\u{41}', ESC);
    expectScope(t, '"', STR_END, { nth: 2 });
    expectScope(t, 'and', LOGICAL, { nth: 1 });
    expectScope(t, 'y', FIELD, { nth: 1 }); // nth 0 is in `any`
  });

  it('all single-character escapes of STRING_ESCAPE: \\b \\t \\n \\f \\r \\" \\\' \\\\', async () => {
    const t = await tokenizeEql('any where x == "\\b\\t\\n\\f\\r\\"\\\'\\\\"');
    noBadTokens(t);
    for (const e of ['\\b', '\\t', '\\n', '\\f', '\\r', '\\"', "\\'", '\\\\']) expectScope(t, e, ESC);
  });

  it('unicode escapes: \\u{X} with 2 to 8 hex digits and \\uXXXX (ES ExpressionTests.testStringWithUnicodeEscapedChars)', async () => {
    const t = await tokenizeEql('any where x == "a\\u0021b\\u{0010989}c\\u01f0}"');
    noBadTokens(t);
    expectScope(t, '\\u0021', ESC);
    expectScope(t, '\\u{0010989}', ESC);
    expectScope(t, '\\u01f0', ESC);
    expectScope(t, '}', STR, { after: '\\u01f0' }); // after four hex digits the brace is an ordinary character
  });

  it('invalid escapes are flagged (ES ExpressionTests.testStringWithIncorrectUnicodeEscapedChars)', async () => {
    const t = await tokenizeEql('any where x == "\\q" or x == "\\u{D}" or x == "\\u{00AFD1431}" or x == "\\u001" or x == "\\u{}"');
    for (const bad of ['\\q', '\\u{D}', '\\u{00AFD1431}', '\\u', '\\u{}']) {
      expectScope(t, bad, 'string.quoted.double.eql invalid.illegal.escape.eql', { after: bad === '\\u' ? '{00AFD1431}" or x == "' : '' });
    }
  });

  it('an unterminated string stops at the end of its line (STRING excludes \\r \\n)', async () => {
    const t = await tokenizeEql('process where x == "abc\n  and y == 1');
    expectScope(t, 'abc', STR);
    expectScope(t, 'and', LOGICAL, { line: 1 });
    expectScope(t, 'y', FIELD, { line: 1 });
  });

  it('raw strings """…""": no escapes, quotes inside, up to two extra quotes before the end', async () => {
    const t = await tokenizeEql(
      'any where a : """C:\\Windows\\""" and b == """say "hi" now""" and c == """ends with quote""""',
    );
    noBadTokens(t);
    expectScope(t, '"""', 'string.quoted.triple.eql punctuation.definition.string.begin.eql', { nth: 0 });
    expectScope(t, 'C:\\Windows\\', 'string.quoted.triple.eql');
    expectScope(t, '"""', 'string.quoted.triple.eql punctuation.definition.string.end.eql', { nth: 1 });
    expectScope(t, 'say "hi" now', 'string.quoted.triple.eql');
    expectScope(t, 'ends with quote"', 'string.quoted.triple.eql');
    expectScope(t, 'and', LOGICAL, { nth: 1 });
  });
});

describe('EQL grammar: comments', () => {
  it('nested block comments and line comments', async () => {
    const t = await tokenizeEql('/* outer /* inner */ still comment */ process where true // trailing ] [\nand x');
    expectScope(t, '/*', 'comment.block.eql punctuation.definition.comment.begin.eql', { nth: 0 });
    expectScope(t, '/*', 'comment.block.eql comment.block.eql punctuation.definition.comment.begin.eql', { nth: 1 });
    expectScope(t, ' still comment ', 'comment.block.eql');
    expectScope(t, '*/', 'comment.block.eql punctuation.definition.comment.end.eql', { nth: 1 });
    expectScope(t, 'process', CATEGORY);
    expectScope(t, 'true', 'constant.language.eql');
    expectScope(t, '//', 'comment.line.double-slash.eql punctuation.definition.comment.eql');
    expectScope(t, ' trailing ] [', 'comment.line.double-slash.eql');
    expectScope(t, 'and', LOGICAL, { line: 1 });
  });

  it('a block comment spans lines', async () => {
    const t = await tokenizeEql('sequence\n/* [process where\n true] */\n[file where true]');
    expectScope(t, ' [process where', 'comment.block.eql');
    expectScope(t, ' true] ', 'comment.block.eql');
    expectScope(t, 'file', CATEGORY);
  });
});

describe('EQL grammar: functions, fields, constants, numbers', () => {
  it('function calls, including case-insensitive `name~(`', async () => {
    const t = await tokenizeEql('process where startsWith~(process.name, "cmd") and length(x) > 2 and stringContains~ (a, "b")');
    noBadTokens(t);
    expectScope(t, 'startsWith~', 'support.function.eql');
    expectScope(t, 'length', 'support.function.eql');
    expectScope(t, 'stringContains~', 'support.function.eql');
    expectScope(t, 'process.name', FIELD);
  });

  it('optional fields, backquoted names with `` escapes, array indexes, @timestamp', async () => {
    const t = await tokenizeEql(
      'any where ?process.parent.name == null and `my-field`.sub : "x" and `we``ird` != "y" and process.args[0] == "a" and @timestamp > 0',
    );
    noBadTokens(t);
    expectScope(t, '?', 'keyword.operator.optional.eql');
    expectScope(t, 'process.parent.name', FIELD);
    expectScope(t, 'null', 'constant.language.eql');
    expectScope(t, '`', `${FIELD} punctuation.definition.field.begin.eql`, { nth: 0 });
    expectScope(t, 'my-field', FIELD);
    expectScope(t, '`', `${FIELD} punctuation.definition.field.end.eql`, { nth: 1 });
    expectScope(t, '.sub', FIELD);
    expectScope(t, 'we', FIELD, { nth: 0 });
    expectScope(t, '``', `${FIELD} constant.character.escape.eql`);
    expectScope(t, 'process.args', FIELD);
    expectScope(t, '[', `${FIELD} punctuation.section.brackets.begin.eql`);
    expectScope(t, '0', `${FIELD} ${INT}`, { nth: 0 });
    expectScope(t, ']', `${FIELD} punctuation.section.brackets.end.eql`);
    expectScope(t, '@timestamp', FIELD);
  });

  it('keywords are case-sensitive: upper-case words are identifiers', async () => {
    const t = await tokenizeEql('process where x == TRUE and AND == NULL');
    expectScope(t, 'TRUE', FIELD);
    expectScope(t, 'AND', FIELD);
    expectScope(t, 'NULL', FIELD);
  });

  it('numbers: INTEGER_VALUE and DECIMAL_VALUE forms; true false null', async () => {
    const decimals = ['1.5', '.5', '1e3', '2E-2', '3.'];
    // One number per line so each is addressed by its line.
    const t = await tokenizeEql(`any where a in (\n10,\n${decimals.join(',\n')}\n) or b == true or b == false`);
    noBadTokens(t);
    expectScope(t, '10', INT, { line: 1 });
    decimals.forEach((d, i) => expectScope(t, d, 'constant.numeric.decimal.eql', { line: i + 2 }));
    expectScope(t, 'true', 'constant.language.eql');
    expectScope(t, 'false', 'constant.language.eql');
  });
});

describe('EQL grammar: sequences, samples, pipes', () => {
  it('maxspan time units ms s m h d, with or without a space; unknown units are flagged', async () => {
    for (const [text, num, unit] of [
      ['100ms', '100', 'ms'],
      ['30s', '30', 's'],
      ['5m', '5', 'm'],
      ['1h', '1', 'h'],
      ['2d', '2', 'd'],
      ['10 s', '10', 's'],
    ] as const) {
      const head = `sequence with maxspan=${text}`;
      const t = await tokenizeEql(`${head} [a where true] [b where true]`);
      noBadTokens(t);
      expectScope(t, num, INT);
      expectScope(t, unit, 'keyword.other.unit.eql', { nth: occurrences(head.slice(0, head.length - unit.length), unit) });
    }
    const bad = await tokenizeEql('sequence with maxspan=3w [a where true] [b where true]');
    expectScope(bad, 'w', 'invalid.illegal.unit.eql', { nth: 1 }); // nth 0 is in `with`
  });

  it('missing events `![` and `with runs=3`', async () => {
    const t = await tokenizeEql(
      'sequence by host.id with maxspan=1h\n  [process where true] with runs=3\n  ![file where true]\n  [network where runs == 2]',
    );
    noBadTokens(t);
    expectScope(t, 'with', CONTROL, { line: 1 });
    expectScope(t, 'runs', CONTROL, { line: 1 });
    expectScope(t, '=', 'keyword.operator.assignment.eql', { line: 1 });
    expectScope(t, '3', INT, { line: 1 });
    expectScope(t, '!', 'keyword.operator.missing-event.eql', { line: 2 });
    expectScope(t, '[', 'punctuation.section.stage.begin.eql', { line: 2 });
    expectScope(t, 'file', CATEGORY, { line: 2 });
    // `runs` is an IDENTIFIER: only after a stage's `with` is it the repetition parameter.
    expectScope(t, 'runs', FIELD, { line: 3 });
  });

  it('sample, until, any, string event categories, relationships', async () => {
    const t = await tokenizeEql(
      [
        'sample by host.id [any where true] ["my-category" where true] ["""my.category""" where true]',
        'sequence [a where true] [b where true] until [c where true]',
        'process where descendant of [process where true]',
      ].join('\n'),
    );
    expectScope(t, 'sample', CONTROL);
    expectScope(t, 'any', CONTROL);
    expectScope(t, '"my-category"', CATEGORY);
    expectScope(t, '"""my.category"""', CATEGORY);
    expectScope(t, 'until', CONTROL);
    expectScope(t, 'c', CATEGORY, { line: 1, nth: 1 }); // nth 0 is in `sequence`
    expectScope(t, 'descendant', 'keyword.other.relationship.eql');
    expectScope(t, 'of', CONTROL);
  });

  it('pipes', async () => {
    const t = await tokenizeEql('process where true\n| head 5\n| tail 2');
    noBadTokens(t);
    expectScope(t, '|', 'keyword.other.pipe.eql', { line: 1 });
    expectScope(t, 'head', 'support.function.pipe.eql');
    expectScope(t, '5', INT);
    expectScope(t, 'tail', 'support.function.pipe.eql');
  });
});
