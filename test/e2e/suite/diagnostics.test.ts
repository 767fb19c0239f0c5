/**
 * Diagnostics as an author sees them while typing: a broken rule gets errors at the offending
 * words, they follow edits, and they go away when the rule is fixed.
 *
 * Fixture rules/broken.eql (0-based lines as in VS Code's API):
 *   line 2: `  [process where lenght(process.name) > 3]`  `lenght` is characters 17–23
 *           (2 spaces, `[` at 2, `process` 3–10, `where` 11–16, then `lenght`);
 *   line 4: `| hed 5`  `hed` is characters 2–5.
 * Elasticsearch rejects both: an unknown function (its message "Unknown function [lenght]") and
 * an unknown pipe (EQL pipe reference: head, tail, filter, sample, unique...; `hed` is none).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openRule, rangeTuple, replay, waitForDiagnostics } from './helpers';

describe('diagnostics', () => {
  let doc: vscode.TextDocument;
  let editor: vscode.TextEditor;

  before(async () => {
    doc = await openRule('broken.eql');
    editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), doc.uri.toString());
  });

  after(async () => {
    // Leave the fixture as it is on disk for the other tests.
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('marks the misspelt function and the misspelt pipe as errors', async () => {
    const ds = await waitForDiagnostics(doc.uri, 'two errors', (d) => d.length === 2);
    const sorted = [...ds].sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(rangeTuple(sorted[0].range), [2, 17, 2, 23]);
    assert.equal(sorted[0].severity, vscode.DiagnosticSeverity.Error);
    assert.match(sorted[0].message, /Unknown function \[lenght\]/);
    assert.deepEqual(rangeTuple(sorted[1].range), [4, 2, 4, 5]);
    assert.equal(sorted[1].severity, vscode.DiagnosticSeverity.Error);
    assert.match(sorted[1].message, /\[hed\]/);
  });

  it('does not replay a rule with errors', async () => {
    const result = await replay(doc.uri);
    assert.ok(result.ruleErrors.length >= 2, `expected the two errors, got ${JSON.stringify(result.ruleErrors)}`);
    assert.deepEqual(result.matches, []);
  });

  it('drops the function error once the name is corrected', async () => {
    assert.equal(doc.getText(new vscode.Range(2, 17, 2, 23)), 'lenght');
    const ok = await editor.edit((e) => e.replace(new vscode.Range(2, 17, 2, 23), 'length'));
    assert.ok(ok, 'the edit was not applied');
    const ds = await waitForDiagnostics(doc.uri, 'only the pipe error left', (d) => d.length === 1 && d[0].range.start.line === 4);
    assert.deepEqual(rangeTuple(ds[0].range), [4, 2, 4, 5]);
  });

  it('moves the remaining error with the text when a line is inserted above it', async () => {
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), '// reviewed\n');
    assert.ok(await vscode.workspace.applyEdit(edit), 'the workspace edit was not applied');
    const ds = await waitForDiagnostics(doc.uri, 'the pipe error on line 5', (d) => d.length === 1 && d[0].range.start.line === 5);
    assert.deepEqual(rangeTuple(ds[0].range), [5, 2, 5, 5]);
  });

  it('clears all diagnostics when the rule is fixed', async () => {
    assert.equal(doc.getText(new vscode.Range(5, 2, 5, 5)), 'hed');
    assert.ok(await editor.edit((e) => e.replace(new vscode.Range(5, 2, 5, 5), 'head')));
    await waitForDiagnostics(doc.uri, 'none', (d) => d.length === 0);
  });
});
