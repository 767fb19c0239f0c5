/**
 * Authoring that knows the data, in a real VS Code: a misspelt field or event category is a warning
 * with a quick fix;
 * completion offers the values the workspace's samples hold; a detection-rules TOML rule is
 * coloured by semantic tokens although no TOML extension is installed; the outline lists the
 * query's stages; Format Document lays a rule out.
 *
 * Fixtures: rules/cmd-started.eql is `process where process.name == "cmd.exe"` (`process.name`
 * is characters 14–25 of line 0); samples/a-process.ndjson holds `process.name` "cmd.exe" 3 times
 * and "powershell.exe" once; rules/cmd-then-https.toml holds the sequence of cmd-then-https.eql on
 * lines 15–17 (see toml.test.ts).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fixtureUri, openRule, revertDocument, useSamplesGlob, waitFor, waitForDiagnostics } from './helpers';

const label = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);

describe('fields, values and structure', () => {
  let restoreSamples: () => Promise<void>;
  before(async () => {
    restoreSamples = await useSamplesGlob('samples/**/*.ndjson');
  });
  after(async () => {
    await restoreSamples();
  });

  it('warns on a misspelt field and fixes it with the quick fix', async () => {
    const doc = await openRule('cmd-started.eql');
    const editor = vscode.window.activeTextEditor!;
    try {
      // `process.name` → `proces.name`: delete the `s` at character 20.
      assert.ok(await editor.edit((e) => e.delete(new vscode.Range(0, 20, 0, 21))));
      const [d] = await waitForDiagnostics(doc.uri, 'a field-typo warning', (ds) => ds.some((x) => codeOf(x) === 'field-typo'));
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(d.message, 'Unknown field [proces.name], did you mean [process.name]?');
      assert.deepEqual([d.range.start.character, d.range.end.character], [14, 25]);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
      const fix = actions.find((a) => a.title === 'Change to process.name');
      assert.ok(fix?.edit, JSON.stringify(actions.map((a) => a.title)));
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.equal(doc.lineAt(0).text, 'process where process.name == "cmd.exe"');
      await waitForDiagnostics(doc.uri, 'the warning to go', (ds) => !ds.some((x) => codeOf(x) === 'field-typo'));
    } finally {
      await revertDocument(doc);
    }
  });

  it('warns on a misspelt event category in a TOML rule and fixes it with the quick fix, in the TOML string', async () => {
    const doc = await openRule('cmd-then-https.toml');
    const editor = vscode.window.activeTextEditor!;
    try {
      // Line 17 is `  [network where destination.port == 443]`: `network` is characters 3–10.
      assert.ok(await editor.edit((e) => e.replace(new vscode.Range(17, 3, 17, 10), 'netwrok')));
      const [d] = await waitForDiagnostics(doc.uri, 'a category-typo warning', (ds) => ds.some((x) => codeOf(x) === 'category-typo'));
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(d.message, 'Unknown event category [netwrok], did you mean [network]?');
      assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [17, 3, 17, 10]);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
      const fix = actions.find((a) => a.title === 'Change to network');
      assert.ok(fix?.edit, JSON.stringify(actions.map((a) => a.title)));
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.equal(doc.lineAt(17).text, '  [network where destination.port == 443]');
      await waitForDiagnostics(doc.uri, 'the warning to go', (ds) => !ds.some((x) => codeOf(x) === 'category-typo'));
    } finally {
      await revertDocument(doc);
    }
  });

  it('completes the values the samples hold, most frequent first, with their counts', async () => {
    const doc = await openRule('cmd-started.eql');
    // Inside `"cmd.exe"`: the opening quote is character 30.
    const items = await waitFor('sample values in completion', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(0, 31));
      const values = list.items.filter((i) => String(i.detail ?? '').endsWith('in the samples'));
      return values.length >= 2 ? values : undefined;
    });
    items.sort((a, b) => ((a.sortText ?? '') < (b.sortText ?? '') ? -1 : 1));
    assert.deepEqual(items.slice(0, 2).map(label), ['cmd.exe', 'powershell.exe']);
    assert.match(String(items[0].detail), /^\d+ in the samples$/);
  });

  it('completes the values of a sample\'s unsaved edits, and forgets them when the sample is reverted', async () => {
    const doc = await openRule('cmd-started.eql');
    const sample = await vscode.workspace.openTextDocument(fixtureUri('samples/a-process.ndjson'));
    const valuesIn = async (): Promise<string[]> => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(0, 31));
      return list.items.filter((i) => String(i.detail ?? '').endsWith('in the samples')).map((i) => `${label(i)} ${i.detail}`);
    };
    try {
      const end = sample.lineAt(sample.lineCount - 1).range.end;
      const line = '{"@timestamp":"2024-05-01T10:00:09Z","event":{"category":"process"},"process":{"name":"rundll32.exe"}}';
      const edit = new vscode.WorkspaceEdit();
      edit.insert(sample.uri, end, (sample.lineAt(sample.lineCount - 1).text === '' ? '' : '\n') + line + '\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(sample.isDirty, 'unsaved');
      await waitFor('the unsaved value in completion', async () => ((await valuesIn()).includes('rundll32.exe 1 in the samples') ? true : undefined));
    } finally {
      await revertDocument(sample);
    }
    await waitFor('the value gone after the revert', async () => ((await valuesIn()).some((v) => v.startsWith('rundll32.exe')) ? undefined : true));
  });

  it('colours the EQL of a TOML rule with semantic tokens (no TOML extension installed)', async () => {
    assert.equal(vscode.extensions.all.some((e) => e.id !== 'eql-workbench.eql-workbench' && JSON.stringify(e.packageJSON?.contributes?.grammars ?? []).includes('source.toml')), false);
    const uri = fixtureUri('rules/cmd-then-https.toml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const legend = await vscode.commands.executeCommand<vscode.SemanticTokensLegend>('vscode.provideDocumentSemanticTokensLegend', uri);
    const tokens = await waitFor('semantic tokens', async () => {
      const t = await vscode.commands.executeCommand<vscode.SemanticTokens>('vscode.provideDocumentSemanticTokens', uri);
      return t && t.data.length > 0 ? t : undefined;
    });
    const decoded: Array<[number, number, number, string]> = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      line += tokens.data[i];
      char = tokens.data[i] === 0 ? char + tokens.data[i + 1] : tokens.data[i + 1];
      decoded.push([line, char, tokens.data[i + 2], legend.tokenTypes[tokens.data[i + 3]]]);
    }
    // Line 15 `sequence by host.id with maxspan=5m`; line 16 `  [process where process.name == "cmd.exe"]`.
    assert.deepEqual(decoded.slice(0, 3), [
      [15, 0, 8, 'keyword'],
      [15, 9, 2, 'keyword'],
      [15, 12, 7, 'property'],
    ]);
    assert.deepEqual(decoded.filter((t) => t[0] === 16).map((t) => t.slice(1)), [
      [3, 7, 'type'],
      [11, 5, 'keyword'],
      [17, 12, 'property'],
      [30, 2, 'operator'],
      [33, 9, 'string'],
    ]);
  });

  it('lists the query and its stages in the outline', async () => {
    const uri = fixtureUri('rules/cmd-then-https.toml');
    const symbols = await waitFor('document symbols', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
      return s && s.length > 0 ? s : undefined;
    });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.range.start.line, s.children.map((c) => [c.name, c.detail, c.range.start.line])]),
      [['sequence by host.id with maxspan=5m', 15, [['[process]', 'stage 1', 16], ['[network]', 'stage 2', 17]]]],
    );
  });

  it('formats a rule (the Format Document provider)', async () => {
    const doc = await openRule('cmd-then-https.eql');
    const editor = vscode.window.activeTextEditor!;
    const original = doc.getText();
    try {
      // Line 2 `  [process where process.name == "cmd.exe"]` → `[process where process.name=="cmd.exe"]` at column 0.
      assert.ok(await editor.edit((e) => e.replace(doc.lineAt(2).range, '[process where process.name=="cmd.exe"]')));
      const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true });
      assert.ok(edits && edits.length > 0, 'the formatter offers edits');
      const edit = new vscode.WorkspaceEdit();
      edit.set(doc.uri, edits);
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.equal(doc.getText(), original);
    } finally {
      await revertDocument(doc);
    }
  });
});

function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : c === undefined ? undefined : String(c);
}
