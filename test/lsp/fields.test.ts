/**
 * Unknown-field diagnostics over LSP: likely typos in `.eql` and in a detection-rules TOML rule
 * (inside the checkout in `../shared/detection-rules`, read with its non-ECS schema), their quick
 * fix, and the `eqlWorkbench.unknownFieldSeverity` / `eqlWorkbench.mappings` settings read with
 * `workspace/configuration`. Ranges are counted by hand on the test texts (0-based).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DiagnosticSeverity, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol';
import { ROOT, startServer, type TestServer } from './lspTestClient';

const Warning = 2;
const ErrorSeverity = 1;

describe('unknown fields over LSP', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('source');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
  });

  it('a query of 150 custom fields: 100 hints, then one saying how many more are not shown', async () => {
    // my_company.* is in no ECS field set (ECS field reference): each field is a custom-field hint.
    const uri = 'file:///rules/many-custom.eql';
    const text = `process where ${Array.from({ length: 150 }, (_, i) => `my_company.f${i} == 1`).join(' or ')}`;
    await server.open(uri, text);
    const published = await server.diagnostics(uri);
    const hints = published.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Hint);
    assert.equal(hints.length, 101);
    assert.deepEqual(hints.slice(0, 2).map((d) => d.message), ['Field [my_company.f0] is not in ECS: a custom field?', 'Field [my_company.f1] is not in ECS: a custom field?']);
    assert.equal(hints[99].message, 'Field [my_company.f99] is not in ECS: a custom field?');
    // Placed at the first field left out, my_company.f100.
    assert.equal(hints[100].message, '… and 50 more hints not shown');
    assert.equal(text.slice(hints[100].range.start.character, hints[100].range.end.character), 'my_company.f100');
    await server.close(uri);
  });

  it('warns on a likely typo in .eql and offers the suggested field as the quick fix', async () => {
    const uri = 'file:///test/typo.eql';
    // `process where ` is 14 characters: `proces.name` spans 14–25.
    const text = 'process where proces.name == "cmd.exe"';
    await server.open(uri, text);
    const { diagnostics } = await server.diagnostics(uri, (p) => p.version === 1);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    const [d] = diagnostics;
    assert.deepEqual(d.range, { start: { line: 0, character: 14 }, end: { line: 0, character: 25 } });
    assert.equal(d.severity, Warning);
    assert.equal(d.code, 'field-typo');
    assert.equal(d.message, 'Unknown field [proces.name], did you mean [process.name]?');
    const actions = (await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d] },
    })) as CodeAction[];
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred, a.edit?.changes?.[uri]]),
      [['Change to process.name', true, [{ range: d.range, newText: 'process.name' }]]],
    );
  });

  const rulePath = path.resolve(ROOT, '..', 'shared', 'detection-rules', 'rules', 'windows', 'lateral_movement_remote_service_installed_winlog.toml');
  it('in a prebuilt rule of a detection-rules checkout: nothing, then a warning in the TOML file when a field is misspelt', { skip: existsSync(rulePath) ? false : 'prebuilt rules not found at ../shared/detection-rules' }, async () => {
    const uri = pathToFileURL(rulePath).toString();
    const text = readFileSync(rulePath, 'utf8');
    await server.open(uri, text);
    const clean = await server.diagnostics(uri, (p) => p.version === 1);
    assert.deepEqual(clean.diagnostics.filter((d: Diagnostic) => d.severity === ErrorSeverity || d.severity === Warning), []);
    // The rule's non-ECS field `winlog.event_data.ServiceFileName` comes from the checkout's schema.
    assert.ok(text.includes('winlog.event_data.ServiceFileName'));
    const misspelt = text.replace('winlog.event_data.ServiceFileName', 'winlog.event_data.ServiceFilename');
    await server.change(uri, 2, [{ text: misspelt }]);
    const after2 = await server.diagnostics(uri, (p) => p.version === 2);
    const typos = after2.diagnostics.filter((d: Diagnostic) => d.code === 'field-typo');
    assert.equal(typos.length, 1, JSON.stringify(after2.diagnostics));
    const offset = misspelt.indexOf('winlog.event_data.ServiceFilename');
    const line = misspelt.slice(0, offset).split('\n').length - 1;
    const character = offset - (misspelt.lastIndexOf('\n', offset - 1) + 1);
    assert.deepEqual(typos[0].range, { start: { line, character }, end: { line, character: character + 'winlog.event_data.ServiceFilename'.length } });
    assert.equal(typos[0].message, 'Unknown field [winlog.event_data.ServiceFilename], did you mean [winlog.event_data.ServiceFileName]?');
  });
});

describe('unknown-field settings over LSP', () => {
  let server: TestServer;
  const dir = mkdtempSync(path.join(tmpdir(), 'eql-fields-'));
  before(async () => {
    writeFileSync(path.join(dir, 'mapping.json'), JSON.stringify({ mappings: { properties: { process: { properties: { name: { type: 'keyword' } } }, 'event.category': { type: 'keyword' } } } }));
    server = await startServer('source', { settings: { eqlWorkbench: { unknownFieldSeverity: 'error', mappings: [path.join(dir, 'mapping.json')] } } });
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
    rmSync(dir, { recursive: true, force: true });
  });

  it('with a mapping, a field it lacks gets the configured severity and the nearest field', async () => {
    const uri = 'file:///test/mapped.eql';
    await server.open(uri, 'process where process.nam == "x" and user.name == "y"');
    // Settings are read after `initialized`; the document is checked again once they are in.
    const p = await server.diagnostics(uri, (x) => x.diagnostics.some((d) => d.code === "field-not-in-schema"), 3000).catch((e) => { throw new Error(`${e.message}; received ${JSON.stringify(server.received(uri))}; log ${server.logMessages.join("\n")}`); });
    assert.deepEqual(
      p.diagnostics.map((d) => [d.code, d.severity, d.message]),
      [
        ['field-not-in-schema', ErrorSeverity, 'Field [process.nam] is not in the mappings, did you mean [process.name]?'],
        // An ECS field, but the mapping (the index the rule runs on) lacks it.
        ['field-not-in-schema', ErrorSeverity, 'Field [user.name] is not in the mappings'],
      ],
    );
  });
});

describe('fields learnt from the workspace samples over LSP', () => {
  let server: TestServer;
  const dir = mkdtempSync(path.join(tmpdir(), 'eql-ws-'));
  before(async () => {
    const lines = [
      { event: { category: 'process' }, process: { name: 'cmd.exe' }, 'acme.team': 'red' },
      { event: { category: 'process' }, process: { name: 'cmd.exe' } },
      { event: { category: 'process' }, process: { name: 'whoami.exe' } },
    ];
    writeFileSync(path.join(dir, 'events.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n'));
    server = await startServer('source', { rootUri: pathToFileURL(dir).toString() });
  });
  after(async () => {
    assert.equal(await server.stop(), 0, server.stderr());
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes the values seen after ==, most frequent first, and knows the samples\' own fields', async () => {
    const uri = pathToFileURL(path.join(dir, 'rule.eql')).toString();
    const text = 'process where acme.taem == "x" and process.name == ';
    await server.open(uri, text);
    // Indexing runs in the background: ask until the values are there.
    let labels: string[] = [];
    for (let i = 0; i < 50 && !labels.includes('"whoami.exe"'); i++) {
      const list = (await server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: text.length } })) as { items: Array<{ label: string; sortText?: string }> };
      labels = list.items.filter((x) => x.label.startsWith('"')).sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1)).map((x) => x.label);
      if (!labels.includes('"whoami.exe"')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(labels, ['"cmd.exe"', '"whoami.exe"']);
    // The typo of a field only the samples hold is flagged once they are indexed.
    const p = await server.diagnostics(uri, (x) => x.diagnostics.some((d) => d.code === 'field-typo'));
    assert.deepEqual(p.diagnostics.filter((d) => d.code === 'field-typo').map((d) => d.message), ['Unknown field [acme.taem], did you mean [acme.team]?']);
  });
});
