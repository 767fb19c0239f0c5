/**
 * Completion, hover and signature help over a real LSP connection (the server from source, and the
 * bundled dist/server.js when it has been built, since the bundle loads the ECS catalogue its own way).
 *
 * Expected values: ECS descriptions and types read from the `@elastic/ecs` package (`EcsFlat`);
 * signatures per Elasticsearch's "EQL function reference" (`startsWith(<source>, <substring>)`);
 * the syntax of sequences per the "EQL syntax reference"; positions worked out by hand.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EcsFlat } from '@elastic/ecs';
import type { CompletionItem, CompletionList, Hover, MarkupContent, SignatureHelp } from 'vscode-languageserver-protocol';
import { ROOT, startServer, type TestServer } from './lspTestClient';
import { VSCODE_COMPLETION_CAPABILITIES } from './vscodeCapabilities';

type EcsEntry = { type: string; short: string; allowed_values?: Array<{ name: string; description: string }> };
const ecs = EcsFlat as unknown as Record<string, EcsEntry>;

const RULE = [
  '// rule under edit', //                                                  line 0
  'sequence by host.id with maxspan=5m', //                                 line 1
  '  [process where process.parent.name == "cmd.exe" and startsWith(process.name, "x")]', // line 2
  '  [network where event.type == "start"]', //                              line 3
].join('\n');

for (const entry of ['source', 'dist'] as const) {
  const built = entry === 'source' || existsSync(path.join(ROOT, 'dist/server.js'));
  describe(`authoring over LSP (${entry})`, { skip: built ? false : 'dist/server.js is not built (npm run build)' }, () => {
    let server: TestServer;
    const uri = `file:///test/authoring-${entry}.eql`;

    before(async () => {
      server = await startServer(entry);
      await server.open(uri, RULE, 1);
    });
    after(async () => {
      assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
    });

    const at = (line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });

    it('completes ECS fields and resolves their ECS description', async () => {
      // Line 2 `  [process where process.parent.name …`: the field starts at character 17; the cursor after `process.pa` is 27.
      const list = (await server.connection.sendRequest('textDocument/completion', at(2, 27))) as CompletionList;
      const item = list.items.find((i) => i.label === 'process.parent.name');
      assert.ok(item, 'process.parent.name offered');
      assert.equal(item.detail, ecs['process.parent.name'].type);
      // The client did not announce snippet support: no snippets.
      const fn = list.items.find((i) => i.label === 'startsWith');
      assert.equal((fn?.textEdit as { newText: string } | undefined)?.newText, 'startsWith(');
      const resolved = (await server.connection.sendRequest('completionItem/resolve', item)) as CompletionItem;
      assert.ok((resolved.documentation as MarkupContent).value.includes(ecs['process.parent.name'].short));
    });

    it('completes the allowed values of event.type inside its string', async () => {
      // Line 3 `  [network where event.type == "start"]`: the opening quote is character 31; the cursor right after it is 32.
      const list = (await server.connection.sendRequest('textDocument/completion', at(3, 32))) as CompletionList;
      // In a `network` condition: the event.type values ECS expects with the `network` category.
      const expected = (ecs['event.category'].allowed_values as Array<{ name: string; expected_event_types?: string[] }>).find((v) => v.name === 'network')!.expected_event_types!;
      assert.deepEqual(
        list.items.map((i) => i.label),
        ecs['event.type'].allowed_values!.map((v) => v.name).filter((t) => expected.includes(t)),
      );
    });

    it('completes by and with maxspan= after sequence', async () => {
      await server.change(uri, 2, [{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 35 } }, text: ' ' }]);
      const list = (await server.connection.sendRequest('textDocument/completion', at(1, 9))) as CompletionList;
      assert.deepEqual(list.items.map((i) => i.label), ['by', 'with maxspan=']);
      // Put the text back for the other tests.
      await server.change(uri, 3, [{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 9 } }, text: ' by host.id with maxspan=5m' }]);
    });

    it('hovers a field with its ECS type and description', async () => {
      // `process.parent.name` is characters 17-36 of line 2.
      const hover = (await server.connection.sendRequest('textDocument/hover', at(2, 25))) as Hover;
      const text = (hover.contents as MarkupContent).value;
      assert.ok(text.includes(ecs['process.parent.name'].short), text);
      assert.ok(text.includes(ecs['process.parent.name'].type), text);
      assert.deepEqual(hover.range, { start: { line: 2, character: 17 }, end: { line: 2, character: 36 } });
    });

    it('hovers maxspan with a link to the EQL syntax reference', async () => {
      // `maxspan` is characters 25-32 of line 1.
      const hover = (await server.connection.sendRequest('textDocument/hover', at(1, 27))) as Hover;
      assert.ok((hover.contents as MarkupContent).value.includes('https://www.elastic.co/docs/reference/query-languages/eql/eql-syntax'));
    });

    it('gives signature help inside startsWith(…)', async () => {
      // Line 2: `startsWith(` is characters 54-64; `process.name, ` follows, and the second argument `"x"` starts at 79.
      const help = (await server.connection.sendRequest('textDocument/signatureHelp', at(2, 79))) as SignatureHelp;
      assert.equal(help.signatures[0].label, 'startsWith(source, substring)');
      assert.equal(help.activeParameter, 1);
    });

    it('answers null (not an error) where there is nothing to show', async () => {
      assert.equal(await server.connection.sendRequest('textDocument/hover', at(0, 5)), null);
      assert.equal(await server.connection.sendRequest('textDocument/signatureHelp', at(3, 5)), null);
      assert.equal(await server.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///test/not-open.eql' }, position: { line: 0, character: 0 } }), null);
    });
  });
}

describe('completion over LSP for a client with VS Code\'s completion capabilities', () => {
  let server: TestServer;
  const uri = 'file:///test/authoring-vscode.eql';
  before(async () => {
    server = await startServer('source', { textDocument: VSCODE_COMPLETION_CAPABILITIES });
    await server.open(uri, RULE, 1);
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server exit code; stderr:\n${server.stderr()}`);
  });

  it('sends the edit range once (itemDefaults), the ECS type as detail, snippets for functions, and the ECS description on resolve', async () => {
    // Line 2 `  [process where process.parent.name …`: the field starts at character 17; the cursor after `process.pa` is 27.
    const list = (await server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 27 } })) as CompletionList;
    assert.deepEqual(list.itemDefaults?.editRange, { start: { line: 2, character: 17 }, end: { line: 2, character: 27 } });
    assert.ok(list.items.every((i) => i.textEdit === undefined), 'no item carries its own edit');
    const item = list.items.find((i) => i.label === 'process.parent.name');
    assert.ok(item, 'process.parent.name offered');
    assert.equal(item.detail, ecs['process.parent.name'].type);
    // `process` condition: the `process.*` fields sort before other ECS fields.
    assert.ok(item.sortText! < list.items.find((i) => i.label === 'file.path')!.sortText!);
    // EQL function reference: startsWith(<source>, <substring>).
    assert.equal(list.items.find((i) => i.label === 'startsWith')?.textEditText, 'startsWith(${1:source}, ${2:substring})$0');
    const resolved = (await server.connection.sendRequest('completionItem/resolve', item)) as CompletionItem;
    assert.ok((resolved.documentation as MarkupContent).value.includes(ecs['process.parent.name'].short));
  });
});
