/**
 * Detection-rules TOML files over a real LSP connection: the EQL in `[rule] query` gets
 * diagnostics, completion, hover, signature help, quick fixes and replay, with every position in
 * the TOML document; TOML files that are not EQL rules get nothing.
 *
 * Expected values: positions are counted by hand on the documents below (0-based lines, UTF-16
 * characters, as LSP counts them). String decoding follows TOML 1.0 § String: a newline right
 * after `'''`/`"""` is trimmed, literal strings are verbatim, `\"` in a basic string is one `"`.
 * Diagnostic codes and messages are the ones the `.eql` tests assert (Elasticsearch wording:
 * `Use [==] instead of [=] to compare values`). ECS types from `@elastic/ecs` (`EcsFlat`).
 * Replay matches from `samples/expected/*.json`, worked out by hand (see `samples/README.md`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { EcsFlat } from '@elastic/ecs';
import type { CodeAction, CompletionList, Diagnostic, Hover, SignatureHelp, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ReplayRequest, type ReplayResult } from '../../server/src/protocol';
import { computeCompletions } from '../../server/src/services/completion';
import { completionsInDocument } from '../../server/src/services/documentFeatures';
import { ruleDocument } from '../../server/src/services/ruleDocument';
import { fileUri, ROOT, startServer, type TestServer } from './lspTestClient';

type EcsEntry = { type: string; short: string };
const ecs = EcsFlat as unknown as Record<string, EcsEntry>;

/** Literal multi-line query; line 6 `process where process.name = "cmd.exe"`: the lone `=` is character 27. */
const LITERAL = [
  '[metadata]', //                                      line 0
  'maturity = "production"', //                         line 1
  '[rule]', //                                          line 2
  'language = "eql"', //                                line 3
  'type = "eql"', //                                    line 4
  "query = '''", //                                     line 5
  'process where process.name = "cmd.exe"', //          line 6
  "'''", //                                             line 7
  '',
].join('\n');

/**
 * Basic multi-line query with escapes before the error. Line 4 in the file:
 * `process where process.name == \"cmd.exe\" and process.pid = 4`
 * characters: `process.name` 14–25, `==` 27–28, `\"cmd.exe\"` 30–40 (11 characters), `and` 42–44,
 * `process.pid` 46–56, the lone `=` 58. In the query the two `\"` are one character each, so there
 * the `=` is at 56: reported at 58 means the escapes were accounted for.
 */
const BASIC = [
  '[rule]', //                                                           line 0
  'language = "eql"', //                                                 line 1
  'type = "eql"', //                                                     line 2
  'query = """', //                                                      line 3
  'process where process.name == \\"cmd.exe\\" and process.pid = 4', // line 4
  '"""', //                                                              line 5
  '',
].join('\n');

/** One-line basic string: `'cmd.exe'` is characters 39–47 of line 2 (the query starts at 9). No `language`, `type = "eql"`. */
const SINGLE_LINE = ['[rule]', 'type = "eql"', `query = "process where process.name == 'cmd.exe'"`, ''].join('\n');

/** Completion / hover / signature help. Line 4: `process where process.name == \"x\" and startsWith(process.pa`. */
const AUTHORING = [
  '[rule]', //                                                                  line 0
  'name = "authoring"', //                                                      line 1
  'language = "eql"', //                                                        line 2
  'query = """', //                                                             line 3
  'process where process.name == \\"x\\" and startsWith(process.pa', //       line 4
  '"""', //                                                                     line 5
  '',
].join('\n');
// Line 4: `process.name` 14–25; `\"x\"` 30–34; `and` 36–38; `startsWith` 40–49, `(` 50; `process.pa` 51–60, end 61.

const KQL = ['[rule]', 'language = "kuery"', 'type = "query"', "query = '''", 'process.name : cmd.exe and = = (', "'''", ''].join('\n');
const CARGO = ['[package]', 'name = "demo"', 'version = "0.1.0"', '', '[dependencies]', 'query = "= = ("', ''].join('\n');
const KEYS_ONLY = ['[rule]', 'type = "eql"', 'name = "no query yet"', ''].join('\n');
/** Line 3 `query = '''process where true` opens a string that never closes: smol-toml reports it at line 4 column 9 (1-based), i.e. 3:8. */
const UNCLOSED = ['[rule]', 'language = "eql"', 'type = "eql"', "query = '''process where true", ''].join('\n');

describe('detection-rules TOML over LSP', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('source');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  const openToml = (uri: string, text: string, languageId = 'toml') =>
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  const at = (uri: string, line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
  const rangeOf = (d: { range: Diagnostic['range'] }) => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];

  it('places a diagnostic of a literal-string query at its TOML line and column', async () => {
    const uri = 'file:///rules/literal.toml';
    await openToml(uri, LITERAL);
    const { diagnostics } = await server.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.source, ...rangeOf(d)]), [['single-equals', 'eql', 6, 27, 6, 28]]);
  });

  it('places a diagnostic of a """ basic-string query after escapes at its TOML column', async () => {
    const uri = 'file:///rules/basic.toml';
    await openToml(uri, BASIC);
    const { diagnostics } = await server.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(diagnostics.map((d) => [d.code, ...rangeOf(d)]), [['single-equals', 4, 58, 4, 59]]);
    assert.equal(diagnostics[0].message, 'Use [==] instead of [=] to compare values');

    // The quick fix edits the TOML document at the same place.
    const actions: CodeAction[] = await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostics[0].range,
      context: { diagnostics },
    });
    assert.deepEqual(
      actions.map((a) => [a.title, a.edit?.changes?.[uri]?.map((e: TextEdit) => [...rangeOf(e), e.newText])]),
      [['Change to ==', [[4, 58, 4, 59, '==']]]],
    );
  });

  it('serves a one-line basic string (no language, type = "eql") and escapes the quick fix for it', async () => {
    const uri = 'file:///rules/single-line.toml';
    await openToml(uri, SINGLE_LINE);
    const { diagnostics } = await server.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(diagnostics.map((d) => [d.code, ...rangeOf(d)]), [['single-quoted-string', 2, 39, 2, 48]]);
    const actions: CodeAction[] = await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostics[0].range,
      context: { diagnostics },
    });
    // EQL wants "cmd.exe"; inside a TOML "…" string each `"` is written `\"` (TOML 1.0 § String).
    assert.deepEqual(actions.map((a) => a.edit?.changes?.[uri]?.map((e: TextEdit) => [...rangeOf(e), e.newText])), [[[2, 39, 2, 48, '\\"cmd.exe\\"']]]);
  });

  it('completes ECS fields inside the query, with the range in the TOML document', async () => {
    const uri = 'file:///rules/authoring.toml';
    await openToml(uri, AUTHORING);
    const list = (await server.connection.sendRequest('textDocument/completion', at(uri, 4, 61))) as CompletionList;
    const item = list.items.find((i) => i.label === 'process.parent.name');
    assert.ok(item, 'process.parent.name offered');
    assert.equal(item.detail, ecs['process.parent.name'].type);
    const edit = item.textEdit as TextEdit;
    assert.deepEqual([...rangeOf(edit), edit.newText], [4, 51, 4, 61, 'process.parent.name']);
  });

  it('shows the ECS hover of a field in the query, with its TOML range', async () => {
    const uri = 'file:///rules/authoring.toml';
    const hover = (await server.connection.sendRequest('textDocument/hover', at(uri, 4, 20))) as Hover;
    assert.ok(hover, 'a hover on process.name');
    assert.ok((hover.contents as { value: string }).value.includes(ecs['process.name'].short));
    assert.deepEqual(rangeOf(hover as { range: Diagnostic['range'] }), [4, 14, 4, 26]);
  });

  it('gives signature help in a call of the query', async () => {
    const uri = 'file:///rules/authoring.toml';
    // Right after `startsWith(` (line 4 character 51): the first parameter, <source>.
    const help = (await server.connection.sendRequest('textDocument/signatureHelp', at(uri, 4, 51))) as SignatureHelp;
    assert.equal(help?.signatures[0].label.startsWith('startsWith('), true, JSON.stringify(help));
    assert.equal(help.activeParameter, 0);
  });

  it('offers nothing outside the query string', async () => {
    const uri = 'file:///rules/authoring.toml';
    for (const [line, character] of [
      [1, 3], // inside `name = "authoring"`
      [3, 11], // right after the opening `"""` (the trimmed newline is not part of the query)
      [5, 1], // inside the closing delimiter
    ]) {
      assert.equal(await server.connection.sendRequest('textDocument/completion', at(uri, line, character)), null, `completion at ${line}:${character}`);
      assert.equal(await server.connection.sendRequest('textDocument/hover', at(uri, line, character)), null, `hover at ${line}:${character}`);
    }
  });

  it('gives a KQL rule, a Cargo.toml and a rule without query no diagnostics and no features', async () => {
    for (const [uri, text] of [
      ['file:///rules/kql.toml', KQL],
      ['file:///project/Cargo.toml', CARGO],
      ['file:///rules/keys-only.toml', KEYS_ONLY],
    ]) {
      await openToml(uri, text);
      const published = await server.diagnostics(uri);
      assert.deepEqual(published.diagnostics, [], uri);
      assert.equal(await server.connection.sendRequest('textDocument/completion', at(uri, 3, 2)), null, uri);
    }
  });

  it('reports a TOML syntax error in a rule file once, at its position, and keeps serving', async () => {
    const uri = 'file:///rules/unclosed.toml';
    await openToml(uri, UNCLOSED);
    const { diagnostics } = await server.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].source, 'eql-workbench');
    assert.match(String(diagnostics[0].message), /^invalid TOML: /);
    assert.deepEqual(diagnostics[0].range.start, { line: 3, character: 8 });
    // Closing the string makes it a rule again, with no problem.
    server.forget(uri);
    await server.change(uri, 2, [{ text: `${UNCLOSED}'''\n` }]);
    const fixed = await server.diagnostics(uri, (p) => p.version === 2);
    assert.deepEqual(fixed.diagnostics, []);
  });

  it('serves a .toml document the editor calls plaintext (the path decides)', async () => {
    const uri = 'file:///rules/plain.toml';
    await openToml(uri, LITERAL, 'plaintext');
    const { diagnostics } = await server.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(diagnostics.map((d) => [d.code, ...rangeOf(d)]), [['single-equals', 6, 27, 6, 28]]);
  });

  describe('replay', () => {
    const RULE_TOML = 'samples/rules/incoming_execution_via_powershell_remoting.toml';
    const RULE_EQL = 'samples/rules/incoming_execution_via_powershell_remoting.eql';
    const LOGS = ['samples/logs/endpoint/win-dc01.ndjson', 'samples/logs/endpoint/wks-07.jsonl', 'samples/logs/linux/web01.ndjson', 'samples/logs/winlogbeat/sysmon-srv-app02.ndjson'];
    const OPTIONS = { timestampField: '@timestamp', tiebreakerField: '', eventCategoryField: 'event.category' };
    const replay = (uri: string): Promise<ReplayResult> => server.connection.sendRequest(ReplayRequest, { uri, sampleUris: LOGS.map(fileUri), options: OPTIONS });
    const shape = (r: ReplayResult) =>
      r.matches.map((m) => ({
        type: m.type,
        join_keys: m.joinKeys ?? [],
        events: m.events.map((e) => ({ file: path.relative(ROOT, fileURLToPath(e.uri)).split(path.sep).join('/'), line: e.line })),
      }));
    const expected = JSON.parse(readFileSync(path.join(ROOT, 'samples/expected/incoming_execution_via_powershell_remoting.json'), 'utf8')) as { matches: unknown[] };

    it('replays the open TOML rule like its .eql twin, with the hand-worked matches', async () => {
      const uri = fileUri(RULE_TOML);
      await openToml(uri, readFileSync(path.join(ROOT, RULE_TOML), 'utf8'));
      const fromToml = await replay(uri);
      const fromEql = await replay(fileUri(RULE_EQL));
      assert.equal(fromToml.diagnostics, undefined);
      assert.deepEqual(shape(fromToml), expected.matches);
      assert.deepEqual(shape(fromToml), shape(fromEql));
      await server.close(uri);
    });

    it('replays the unsaved text of an open TOML rule and places its errors in the TOML document', async () => {
      const uri = fileUri(RULE_TOML);
      const saved = readFileSync(path.join(ROOT, RULE_TOML), 'utf8');
      // Unsaved edit: `maxspan = 30s` becomes `maxspan = 30`, which Elasticsearch rejects (a unit is required).
      // Line 24 (0-based) of the file is `sequence by host.id with maxspan = 30s`; `30` is characters 35–36.
      const edited = saved.replace('maxspan = 30s', 'maxspan = 30');
      assert.equal(edited.split('\n')[24], 'sequence by host.id with maxspan = 30');
      await openToml(uri, edited);
      const result = await replay(uri);
      assert.equal(result.matches.length, 0);
      assert.ok(result.diagnostics && result.diagnostics.length > 0, JSON.stringify(result));
      assert.deepEqual(result.diagnostics.map((d) => rangeOf(d)), [[24, 35, 24, 37]]);
      await server.close(uri);
    });

    it('refuses an open TOML file that is not an EQL rule with a clear message', async () => {
      const uri = 'file:///rules/kql-replay.toml';
      await openToml(uri, KQL);
      await assert.rejects(replay(uri), (e: Error) => /cannot be used: the rule's language is "kuery", not "eql"/.test(e.message));
    });
  });
});

describe('ruleDocument: the line of the replay CodeLens', () => {
  // Hand-counted: the `query` key is on line 5 of LITERAL, line 3 of BASIC, line 2 of SINGLE_LINE.
  for (const [name, text, line] of [
    ['literal', LITERAL, 5],
    ['basic', BASIC, 3],
    ['one-line', SINGLE_LINE, 2],
  ] as const) {
    it(`is the query = line (${name})`, () => {
      const read = ruleDocument(TextDocument.create(`file:///r/${name}.toml`, 'toml', 1, text));
      assert.equal(read.rule?.lensLine, line);
    });
  }
  it('is absent for a KQL rule and a Cargo.toml', () => {
    assert.equal(ruleDocument(TextDocument.create('file:///r/k.toml', 'toml', 1, KQL)).rule, undefined);
    assert.equal(ruleDocument(TextDocument.create('file:///r/Cargo.toml', 'toml', 1, CARGO)).rule, undefined);
  });
});

describe('completion in a one-line basic string, with the list-wide edit range (as VS Code asks for it)', () => {
  it('writes the quoted allowed values of event.type with TOML escapes', () => {
    // Line 2 `query = "process where event.type == "`: the query starts at character 9 and is 28
    // characters long, so the cursor at its end is character 37 (just before the closing quote).
    const text = ['[rule]', 'type = "eql"', 'query = "process where event.type == "', ''].join('\n');
    const read = ruleDocument(TextDocument.create('file:///r/one-line.toml', 'toml', 1, text));
    assert.ok(read.rule);
    const list = completionsInDocument(read.rule, { line: 2, character: 37 }, (t, o) => computeCompletions(t, o, { editRangeDefault: true }));
    assert.ok(list);
    assert.deepEqual(list.itemDefaults?.editRange, { start: { line: 2, character: 37 }, end: { line: 2, character: 37 } });
    const start = list.items.find((i) => i.label === '"start"');
    assert.ok(start, '"start" (an ECS allowed value of event.type) is offered');
    // EQL wants "start"; inside a TOML "…" string each `"` is written `\"` (TOML 1.0 § String).
    assert.equal(start.textEditText, '\\"start\\"');
    // A field needs no escape and keeps the label as its text.
    const field = list.items.find((i) => i.label === 'process.name');
    assert.ok(field);
    assert.equal(field.textEditText, undefined);
  });
});
