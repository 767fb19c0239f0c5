/**
 * Highlighting of rules/highlight.eql with the grammar the loaded extension contributes
 * (see tokens.ts for why the scopes are computed with VS Code's TextMate engine in the extension
 * host rather than read from the editor).
 *
 * Expected scopes follow the TextMate naming conventions themes key their colours on
 * (TextMate manual, "Naming Conventions"): comment.block / comment.line.double-slash,
 * keyword.control, keyword.operator.{comparison,logical,assignment}, string.quoted.double,
 * constant.character.escape, constant.numeric, support.function, variable.other,
 * keyword.other.unit (time unit of maxspan, EQL syntax reference "maxspan": ms, s, m, h, d),
 * entity.name.type (EQL event category). Each scope is checked by its convention prefix and the
 * grammar's `.eql` suffix, so a theme colours the token the way an author expects.
 *
 * Fixture lines (0-based):
 *   0 `/* cmd.exe … 30 seconds *\/`
 *   1 `sequence by host.id with maxspan=30s`
 *   2 `  [process where process.name : "cmd.exe" and process.args_count > 2]`
 *   3 `  [file where wildcard(file.path, "C:\\Windows\\*")]`
 *   4 `// keep the first five`
 *   5 `| head 5`
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, openRule } from './helpers';
import { tokenizeWith, type Token } from './tokens';

/**
 * [line, column, token text, expected scope prefix]; 0-based line and UTF-16 column, counted by
 * hand on the fixture (e.g. line 2: two spaces, `[` at 2, `process` 3–10, `where` 11–16, …).
 */
const EXPECTED: Array<[number, number, string, string]> = [
  [0, 0, '/*', 'comment.block'],
  [0, 2, ' cmd.exe with more than two arguments, then a write under C:\\Windows within 30 seconds ', 'comment.block'],
  [1, 0, 'sequence', 'keyword.control'],
  [1, 9, 'by', 'keyword.control'],
  [1, 12, 'host.id', 'variable.other'],
  [1, 20, 'with', 'keyword.control'],
  [1, 25, 'maxspan', 'keyword.control'],
  [1, 32, '=', 'keyword.operator.assignment'],
  [1, 33, '30', 'constant.numeric'],
  [1, 35, 's', 'keyword.other.unit'],
  [2, 3, 'process', 'entity.name.type'],
  [2, 11, 'where', 'keyword.control'],
  [2, 17, 'process.name', 'variable.other'],
  [2, 30, ':', 'keyword.operator'],
  [2, 33, 'cmd.exe', 'string.quoted.double'],
  [2, 42, 'and', 'keyword.operator.logical'],
  [2, 65, '>', 'keyword.operator.comparison'],
  [2, 67, '2', 'constant.numeric'],
  [3, 14, 'wildcard', 'support.function'],
  [3, 37, '\\\\', 'constant.character.escape'],
  [3, 39, 'Windows', 'string.quoted.double'],
  [3, 46, '\\\\', 'constant.character.escape'],
  [4, 0, '// keep the first five', 'comment.line.double-slash'],
  [5, 0, '|', 'keyword.other'],
  [5, 2, 'head', 'support.function'],
  [5, 7, '5', 'constant.numeric'],
];

/** Tokens covering columns [from, to) of `line`, provided token boundaries fall on `from` and `to`. */
function tokensAt(tokens: Token[], line: number, from: number, to: number): Token[] | undefined {
  const covering = tokens.filter((t) => t.line === line && t.start < to && t.end > from);
  if (covering.length === 0 || covering[0].start !== from || covering[covering.length - 1].end !== to) return undefined;
  return covering;
}

describe('highlighting (contributed TextMate grammar)', () => {
  let tokens: Token[];
  let lines: string[];

  before(async () => {
    const doc = await openRule('highlight.eql');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    lines = doc.getText().split(/\r?\n/);
    tokens = await tokenizeWith(ext, doc.getText());
  });

  for (const [line, column, text, prefix] of EXPECTED) {
    it(`line ${line}:${column} ${JSON.stringify(text)} is ${prefix}`, () => {
      assert.equal(lines[line].slice(column, column + text.length), text, 'fixture and table disagree');
      const toks = tokensAt(tokens, line, column, column + text.length);
      assert.ok(toks, `no token boundary around ${JSON.stringify(text)}: ${JSON.stringify(tokens.filter((t) => t.line === line).map((t) => [t.start, t.text, t.scopes.at(-1)]))}`);
      for (const tok of toks) {
        const scope = tok.scopes.find((s) => s.startsWith(`${prefix}.`));
        assert.ok(scope, `${JSON.stringify(tok.text)} has scopes ${tok.scopes.join(' ')}, none under ${prefix}`);
        assert.ok(scope.endsWith('.eql'), `${scope} lacks the language suffix .eql`);
      }
    });
  }

  it('gives the whole rule the root scope source.eql', () => {
    assert.ok(tokens.length > 0);
    for (const t of tokens) assert.equal(t.scopes[0], 'source.eql');
  });
});
