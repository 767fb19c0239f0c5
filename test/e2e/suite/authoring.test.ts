/**
 * Authoring help as an author meets it in the editor: completion, hover and signature help on
 * rules/authoring.eql, asked through VS Code's own provider commands (so the language client,
 * the server and VS Code's handling of snippets and Markdown are all involved).
 *
 * Expected values: ECS types, descriptions and allowed values are read from the `@elastic/ecs`
 * package (`EcsFlat`, the flattened ECS schema); signatures follow Elasticsearch's "EQL function
 * reference" (`startsWith(<source>, <substring>)`).
 *
 * Fixture lines (0-based; characters counted by hand):
 *   0 `// completion, hover and signature help are checked on this rule`
 *   1 `sequence by host.id with maxspan=5m`                `maxspan` is characters 25–31
 *   2 `  [process where process.parent.name == "cmd.exe" and startsWith(process.name, "x")]`
 *       `process.parent.name` is characters 17–35; `startsWith` 54–63, its `(` 64; `"x"` starts at 79
 *   3 `  [network where event.type == "start"]`           the opening quote of `"start"` is character 31
 */
import * as assert from 'node:assert/strict';
import { EcsFlat } from '@elastic/ecs';
import * as vscode from 'vscode';
import { hoverMarkdownAt, openRule, waitFor, waitForHover } from './helpers';

type EcsEntry = { type: string; short: string; allowed_values?: Array<{ name: string; description: string }> };
const ecs = EcsFlat as unknown as Record<string, EcsEntry>;

const label = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);

describe('authoring', () => {
  let doc: vscode.TextDocument;

  before(async () => {
    doc = await openRule('authoring.eql');
  });

  /** Completion items at a position, once the language server answers with some. */
  function completions(line: number, character: number): Promise<vscode.CompletionItem[]> {
    return waitFor(`completion items at ${line}:${character}`, async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, character));
      return list && list.items.length > 0 ? list.items : undefined;
    });
  }

  it('completes ECS fields with their ECS type', async () => {
    // After `process.pa` (the field starts at character 17).
    const items = await completions(2, 27);
    const field = items.find((i) => label(i) === 'process.parent.name');
    assert.ok(field, 'process.parent.name is offered');
    assert.equal(field.detail, ecs['process.parent.name'].type);
    assert.equal(field.kind, vscode.CompletionItemKind.Field);
  });

  it('completes functions as snippets with their parameters', async () => {
    const items = await completions(2, 27);
    const startsWith = items.find((i) => label(i) === 'startsWith');
    assert.ok(startsWith, 'startsWith is offered');
    assert.ok(startsWith.insertText instanceof vscode.SnippetString, 'inserted as a snippet');
    assert.equal(startsWith.insertText.value, 'startsWith(${1:source}, ${2:substring})$0');
  });

  it('completes the ECS allowed values of event.type inside its string: those ECS expects with the stage\'s category', async () => {
    const items = await completions(3, 32);
    // Line 3 is a `network` stage.
    const expected = (ecs['event.category'].allowed_values as Array<{ name: string; expected_event_types?: string[] }>).find((v) => v.name === 'network')!.expected_event_types!;
    assert.deepEqual(
      items.map(label).sort(),
      ecs['event.type'].allowed_values!.map((v) => v.name).filter((t) => expected.includes(t)).sort(),
    );
  });

  it('shows the ECS description of a field on hover', async () => {
    const text = await waitForHover(doc.uri, 'process.parent.name', 'the hover of process.parent.name', (md) => md.includes('process.parent.name'));
    assert.ok(text.includes(ecs['process.parent.name'].short), text);
    assert.ok(text.includes(ecs['process.parent.name'].type), text);
  });

  it('explains maxspan on hover, with a link to the EQL syntax reference', async () => {
    const markdown = await hoverMarkdownAt(doc.uri, 'maxspan');
    assert.ok(markdown.includes('https://www.elastic.co/docs/reference/query-languages/eql/eql-syntax'), markdown);
  });

  it('gives signature help with the active parameter inside startsWith(…)', async () => {
    const help = await vscode.commands.executeCommand<vscode.SignatureHelp>('vscode.executeSignatureHelpProvider', doc.uri, new vscode.Position(2, 79));
    assert.ok(help, 'signature help');
    assert.equal(help.signatures[help.activeSignature].label, 'startsWith(source, substring)');
    assert.equal(help.activeParameter, 1);
  });
});
