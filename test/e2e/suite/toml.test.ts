/**
 * A detection-rules TOML rule in the editor: the EQL in `[rule] query` gets the CodeLens on the
 * `query =` line, replay, diagnostics, quick fixes, completion and hover, all at TOML positions;
 * TOML files that are not EQL rules get nothing.
 *
 * Fixture rules/cmd-then-https.toml (0-based lines as in VS Code's API): line 14 `query = '''`,
 * then the query of rules/cmd-then-https.eql without its comment, verbatim (a `'''` literal string,
 * TOML 1.0 § String: the newline after `'''` is trimmed):
 *   line 15 `sequence by host.id with maxspan=5m`
 *   line 16 `  [process where process.name == "cmd.exe"]`   `==` is characters 30–31
 *           (2 spaces, `[` at 2, `process` 3–9, `where` 11–15, `process.name` 17–28)
 *   line 17 `  [network where destination.port == 443]`    `destination.port` is characters 17–32
 *   line 18 `'''`
 * Expected matches: the two sequences worked out by hand in replay.test.ts (same samples, same query).
 * ECS types and descriptions from `@elastic/ecs` (`EcsFlat`).
 */
import * as assert from 'node:assert/strict';
import { EcsFlat } from '@elastic/ecs';
import * as vscode from 'vscode';
import { codeLenses, fixtureUri, openRule, rangeTuple, replay, replayLens, waitFor, waitForDiagnostics, waitForHover, waitForLensTitle, revertDocument, useSamplesGlob } from './helpers';

type EcsEntry = { type: string; short: string };
const ecs = EcsFlat as unknown as Record<string, EcsEntry>;
const label = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);

describe('detection-rules TOML rule', () => {
  const rule = () => fixtureUri('rules/cmd-then-https.toml');
  let doc: vscode.TextDocument;
  let editor: vscode.TextEditor;
  /** Puts back the workspace's own samples setting. */
  let restoreSamples: () => Promise<void>;

  before(async () => {
    // The samples of the fixture's .vscode/settings.json (an earlier test may have changed the setting).
    restoreSamples = await useSamplesGlob('samples/**/*.ndjson');
    doc = await openRule('cmd-then-https.toml');
    editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), doc.uri.toString());
  });

  after(async () => {
    // Leave the fixture and the settings as they were.
    await revertDocument(doc);
    await restoreSamples();
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
  });

  it('has the language id toml and no diagnostics', async () => {
    assert.equal(doc.languageId, 'toml');
    // The server publishes for every synced document; a correct rule gets an empty list.
    await waitForDiagnostics(doc.uri, 'none', (d) => d.length === 0);
  });

  it('shows the replay CodeLens on the query = line', async () => {
    const lens = await waitForLensTitle(rule(), '▶ Replay on samples');
    assert.equal(lens.range.start.line, 14);
    assert.equal(String(lens.command?.arguments?.[0]), rule().toString());
  });

  it('replays the TOML rule with the same matches as its .eql twin', async () => {
    const A = fixtureUri('samples/a-process.ndjson').fsPath;
    const B = fixtureUri('samples/b-network.ndjson').fsPath;
    const result = await replay(rule());
    assert.deepEqual(result.ruleErrors, []);
    assert.deepEqual(result.sampleFiles, [A, B]);
    assert.deepEqual(
      result.matches.map((m) => [m.type, m.joinKeys, m.events.map((e) => [e.file, e.line, e.stage])]),
      [
        ['sequence', ['h1'], [[A, 1, 0], [B, 2, 1]]],
        ['sequence', ['h2'], [[A, 3, 0], [B, 4, 1]]],
      ],
    );
    const lens = await waitForLensTitle(rule(), '▶ 2 sequences matched in 2 sample files');
    assert.equal(lens.range.start.line, 14);
  });

  it('completes ECS fields inside the query', async () => {
    // Line 17, after `destination.po` (the field starts at character 17): character 31.
    const items = await waitFor('completion items at 17:31', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(17, 31));
      return list && list.items.length > 0 ? list.items : undefined;
    });
    const field = items.find((i) => label(i) === 'destination.port');
    assert.ok(field, 'destination.port is offered');
    assert.equal(field.detail, ecs['destination.port'].type);
  });

  it('shows the ECS description of a field of the query on hover', async () => {
    const text = await waitForHover(doc.uri, 'destination.port', 'the hover of destination.port', (md) => md.includes('destination.port'));
    assert.ok(text.includes(ecs['destination.port'].short), text);
  });

  it('marks an error typed into the query at its TOML position, replays the unsaved text, and fixes it', async () => {
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.getText(new vscode.Range(16, 30, 16, 32)), '==');
    assert.ok(await vscode.window.activeTextEditor!.edit((e) => e.replace(new vscode.Range(16, 30, 16, 32), '=')));
    const ds = await waitForDiagnostics(doc.uri, 'the single = error', (d) => d.length === 1);
    assert.deepEqual(rangeTuple(ds[0].range), [16, 30, 16, 31]);
    assert.equal(ds[0].source, 'eql');

    // The replay reads the unsaved text: the rule now has an error, so nothing is replayed.
    const result = await replay(rule());
    assert.equal(result.ruleErrors.length, 1, JSON.stringify(result.ruleErrors));
    assert.deepEqual(result.matches, []);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, ds[0].range);
    const fix = (actions ?? []).find((a) => a.title === 'Change to ==');
    assert.ok(fix?.edit, `the quick fix is offered: ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
    const edits = fix.edit.get(doc.uri);
    assert.deepEqual(edits.map((e) => [...rangeTuple(e.range), e.newText]), [[16, 30, 16, 31, '==']]);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.lineAt(16).text, '  [process where process.name == "cmd.exe"]');
    await waitForDiagnostics(doc.uri, 'none after the fix', (d) => d.length === 0);
  });

  it('gives a KQL rule no diagnostics and no CodeLens, while an EQL one beside it gets both', async () => {
    // Both documents are untitled TOML; the KQL text would be three EQL errors if it were read as EQL.
    const kql = await vscode.workspace.openTextDocument({ language: 'toml', content: "[rule]\nlanguage = \"kuery\"\ntype = \"query\"\nquery = '''\nprocess.name : cmd.exe and = = (\n'''\n" });
    await vscode.window.showTextDocument(kql);
    const eql = await vscode.workspace.openTextDocument({ language: 'toml', content: "[rule]\nlanguage = \"eql\"\nquery = '''\nprocess where process.name = \"x\"\n'''\n" });
    await vscode.window.showTextDocument(eql);
    // Line 3 `process where process.name = "x"`: the lone `=` is character 27.
    const ds = await waitForDiagnostics(eql.uri, 'the single = error', (d) => d.length === 1);
    assert.deepEqual(rangeTuple(ds[0].range), [3, 27, 3, 28]);
    assert.equal((await replayLens(eql.uri))?.range.start.line, 2);
    // The EQL document was checked after the KQL one was opened: the KQL one had its turn.
    assert.deepEqual(vscode.languages.getDiagnostics(kql.uri), []);
    assert.equal((await codeLenses(kql.uri)).filter((l) => l.command?.command === 'eqlWorkbench.replay').length, 0);
    for (const d of [eql, kql]) {
      await vscode.window.showTextDocument(d);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
