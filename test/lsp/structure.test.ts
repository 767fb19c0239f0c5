/**
 * Semantic tokens, document symbols, folding ranges, document highlights and selection ranges over
 * LSP, in a detection-rules TOML rule (positions in the TOML file, counted by hand below) and in
 * `.eql`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DocumentHighlight, DocumentSymbol, FoldingRange, SelectionRange, SemanticTokens, TextEdit } from 'vscode-languageserver-protocol';
import { SEMANTIC_TOKENS_LEGEND } from '../../server/src/services/semanticTokens';
import { MAX_SELECTION_RANGES } from '../../server/src/services/documentStructure';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, startServer, type TestServer } from './lspTestClient';

// Line 4 is the first line of the query (after `query = '''` on line 3).
const TOML = [
  '[rule]',
  'language = "eql"',
  'type = "eql"',
  "query = '''",
  'sequence by host.id with maxspan=5m',
  '  [process where proces.name == "a\\"b"]',
  '  [network where host.id != null]',
  "'''",
  '',
].join('\n');

/** Decodes LSP's relative encoding into [line, character, length, type, modifiers]. */
function decode(tokens: SemanticTokens, legend: { tokenTypes: string[]; tokenModifiers: string[] }): Array<[number, number, number, string]> {
  const out: Array<[number, number, number, string]> = [];
  let line = 0;
  let char = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [dl, dc, len, type, mods] = tokens.data.slice(i, i + 5);
    line += dl;
    char = dl === 0 ? char + dc : dc;
    const modifiers = legend.tokenModifiers.filter((_, b) => mods & (1 << b));
    out.push([line, char, len, [legend.tokenTypes[type], ...modifiers].join('.')]);
  }
  return out;
}

describe('structure requests over LSP', () => {
  let server: TestServer;
  // The legend the server announces (our own definition: it only decodes the numbers).
  const legend = SEMANTIC_TOKENS_LEGEND;
  const uri = 'file:///rules/structure.toml';
  before(async () => {
    server = await startServer('source');
    await server.open(uri, TOML);
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
  });

  it('semantic tokens colour the EQL of a TOML rule, at TOML positions; the unknown field stands out', async () => {
    const tokens = decode((await server.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } })) as SemanticTokens, legend);
    assert.deepEqual(tokens.slice(0, 8), [
      [4, 0, 8, 'keyword'], // sequence
      [4, 9, 2, 'keyword'], // by
      [4, 12, 7, 'property.defaultLibrary'], // host.id
      [4, 20, 4, 'keyword'], // with
      [4, 25, 7, 'keyword'], // maxspan
      [4, 32, 1, 'operator'], // =
      [4, 33, 1, 'number'], // 5
      [4, 34, 1, 'timeUnit'], // m
    ]);
    // Line 5: `  [process where proces.name == "a\"b"]`
    assert.deepEqual(tokens.filter((t) => t[0] === 5), [
      [5, 3, 7, 'type'],
      [5, 11, 5, 'keyword'],
      [5, 17, 11, 'variable.unknown'],
      [5, 29, 2, 'operator'],
      [5, 32, 2, 'string'],
      [5, 34, 2, 'escapeSequence'],
      [5, 36, 2, 'string'],
    ]);
    // Nothing outside the query string.
    assert.ok(tokens.every((t) => t[0] >= 4 && t[0] <= 6));
    const ranged = decode(
      (await server.connection.sendRequest('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line: 6, character: 0 }, end: { line: 6, character: 40 } } })) as SemanticTokens,
      legend,
    );
    assert.deepEqual(ranged.map((t) => t[0]), [6, 6, 6, 6, 6]);
  });

  it('document symbols: the query and its stages', async () => {
    const symbols = (await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.range.start.line, s.range.end.line, s.children?.map((c) => [c.name, c.detail, c.range.start, c.selectionRange])]),
      [
        [
          'sequence by host.id with maxspan=5m',
          4,
          6,
          [
            ['[process]', 'stage 1', { line: 5, character: 2 }, { start: { line: 5, character: 3 }, end: { line: 5, character: 10 } }],
            ['[network]', 'stage 2', { line: 6, character: 2 }, { start: { line: 6, character: 3 }, end: { line: 6, character: 10 } }],
          ],
        ],
      ],
    );
  });

  it('folding ranges: the query over its lines', async () => {
    const folds = (await server.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri } })) as FoldingRange[];
    assert.deepEqual(folds.map((f) => [f.startLine, f.endLine]), [[4, 6]]);
  });

  it('document highlight: the other uses of a field', async () => {
    const highlights = (await server.connection.sendRequest('textDocument/documentHighlight', { textDocument: { uri }, position: { line: 4, character: 14 } })) as DocumentHighlight[];
    assert.deepEqual(
      highlights.map((h) => [h.range.start.line, h.range.start.character, h.range.end.character]),
      [
        [4, 12, 19],
        [6, 17, 24],
      ],
    );
  });

  it('selection ranges: the field, its comparison, the stage filter …', async () => {
    const [range] = (await server.connection.sendRequest('textDocument/selectionRange', { textDocument: { uri }, positions: [{ line: 5, character: 20 }] })) as SelectionRange[];
    const chain: string[] = [];
    for (let r: SelectionRange | undefined = range; r; r = r.parent) chain.push(`${r.range.start.line}:${r.range.start.character}-${r.range.end.line}:${r.range.end.character}`);
    assert.deepEqual(chain.slice(0, 3), ['5:17-5:28', '5:17-5:38', '5:3-5:38']);
  });

  it('selection ranges in a 5,000-term `or` chain: answered, at most MAX_SELECTION_RANGES, innermost and outermost kept', async () => {
    // `or` is left-associative (EQL grammar, booleanExpression): the first term is 5,000 levels deep.
    const eql = 'file:///rules/long-or.eql';
    const text = `process where ${Array.from({ length: 5000 }, (_, i) => `a${i} == "x"`).join(' or ')}`;
    await server.open(eql, text);
    const [range] = (await server.connection.sendRequest('textDocument/selectionRange', { textDocument: { uri: eql }, positions: [{ line: 0, character: 15 }] })) as SelectionRange[];
    const chain: Array<[number, number]> = [];
    for (let r: SelectionRange | undefined = range; r; r = r.parent) chain.push([r.range.start.character, r.range.end.character]);
    assert.equal(chain.length, MAX_SELECTION_RANGES);
    // The field a0, then its comparison `a0 == "x"`, then `a0 == "x" or a1 == "x"`; last the whole text.
    assert.deepEqual(chain.slice(0, 3), [[14, 16], [14, 23], [14, 23 + ' or a1 == "x"'.length]]);
    assert.deepEqual(chain.at(-1), [0, text.length]);
    for (let i = 1; i < chain.length; i++) assert.ok(chain[i][0] <= chain[i - 1][0] && chain[i][1] >= chain[i - 1][1], `range ${i} holds range ${i - 1}`);
    await server.close(eql);
  });

  it('answers for .eql too, and nothing for a TOML file that is no rule', async () => {
    const eql = 'file:///rules/x.eql';
    await server.open(eql, 'process where true');
    const symbols = (await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: eql } })) as DocumentSymbol[];
    assert.deepEqual(symbols.map((s) => s.name), ['process where …']);
    const other = 'file:///Cargo.toml';
    await server.open(other, '[package]\nname = "x"\n');
    assert.deepEqual(((await server.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri: other } })) as SemanticTokens).data, []);
  });
});

describe('formatting over LSP', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('source');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
  });

  it('formats the query of a TOML rule in place, leaving the rest of the file alone', async () => {
    const uri = 'file:///rules/format.toml';
    const text = '[rule]\nname = "a  b"\nlanguage = "eql"\ntype = "eql"\nquery = \'\'\'\nsequence by host.id with maxspan = 5m\n[process where process.name=="x"]\n    [network where true]\n\'\'\'\n';
    await server.open(uri, text);
    const edits = (await server.connection.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } })) as TextEdit[];
    const { TextDocument } = await import('vscode-languageserver-textdocument');
    const formatted = TextDocument.applyEdits(TextDocument.create(uri, 'toml', 1, text), edits);
    assert.equal(formatted, '[rule]\nname = "a  b"\nlanguage = "eql"\ntype = "eql"\nquery = \'\'\'\nsequence by host.id with maxspan=5m\n  [process where process.name == "x"]\n  [network where true]\n\'\'\'\n');
    assert.ok(edits.every((e) => e.range.start.line >= 5 && e.range.end.line <= 8), JSON.stringify(edits));
  });

  it('formats a range of an .eql document only', async () => {
    const uri = 'file:///rules/range.eql';
    const text = 'process where a==1 and\n b==2';
    await server.open(uri, text);
    const edits = (await server.connection.sendRequest('textDocument/rangeFormatting', {
      textDocument: { uri },
      range: { start: { line: 0, character: 20 }, end: { line: 1, character: 5 } },
      options: { tabSize: 2, insertSpaces: true },
    })) as TextEdit[];
    const { TextDocument } = await import('vscode-languageserver-textdocument');
    assert.equal(TextDocument.applyEdits(TextDocument.create(uri, 'eql', 1, text), edits), 'process where a==1 and\n  b == 2');
  });

  const rulePath = path.resolve(ROOT, '..', 'shared', 'detection-rules', 'rules', 'cross-platform', 'privilege_escalation_sudoers_file_mod.toml');
  it('gives a prebuilt rule whose query lost its indentation its layout back, editing nothing else', { skip: existsSync(rulePath) ? false : 'prebuilt rules not found at ../shared/detection-rules' }, async () => {
    const original = readFileSync(rulePath, 'utf8');
    const start = original.indexOf("query = '''\n") + "query = '''\n".length;
    const end = original.indexOf("'''", start);
    const flattened = original.slice(0, start) + original.slice(start, end).replace(/^[ \t]+(?=\S)/gm, ' ') + original.slice(end);
    assert.notEqual(flattened, original);
    const uri = 'file:///rules/privilege_escalation_sudoers_file_mod.toml';
    await server.open(uri, flattened);
    const edits = (await server.connection.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    const { TextDocument } = await import('vscode-languageserver-textdocument');
    assert.equal(TextDocument.applyEdits(TextDocument.create(uri, 'toml', 1, flattened), edits), original);
    const queryLines = [original.slice(0, start).split('\n').length - 1, original.slice(0, end).split('\n').length - 1];
    assert.ok(edits.every((e) => e.range.start.line >= queryLines[0] && e.range.end.line <= queryLines[1]), JSON.stringify(edits));
  });
});
