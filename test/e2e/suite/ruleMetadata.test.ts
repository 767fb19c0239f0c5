/**
 * The ATT&CK mapping of a TOML rule in the editor: hovering an `id` of `[[rule.threat]]` names the
 * technique and links its ATT&CK page; a `reference` that is not the id's page is a warning.
 *
 * Fixture rules/with-note.toml (0-based lines as in VS Code's API): line 29 `id = "T1059"`, line
 * 34 `id = "T1059.003"` (its value at characters 5–16), line 36 its `reference` (`003` at characters 55–57, the string literal 12–59), line 39
 * `id = "TA0002"`. Names as ATT&CK gives them (attack.mitre.org: T1059 Command and Scripting
 * Interpreter, T1059.003 Windows Command Shell, TA0002 Execution); addresses in ATT&CK's URL scheme.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fixtureUri, hoverMarkdownAt, openRule, rangeTuple, revertDocument, waitForDiagnostics, waitForHover } from './helpers';

describe('ATT&CK metadata of a TOML rule', () => {
  const rule = () => fixtureUri('rules/with-note.toml');
  let doc: vscode.TextDocument;

  before(async () => {
    doc = await openRule('with-note.toml');
  });

  after(async () => {
    await revertDocument(doc);
  });

  it('names a sub-technique and its technique on hover, with its ATT&CK page', async () => {
    const text = await waitForHover(rule(), new vscode.Position(34, 9), 'the ATT&CK hover', (t) => t.includes('Windows Command Shell'));
    assert.equal(
      text,
      '**Windows Command Shell** — ATT&CK sub-technique `T1059.003`\n\nof technique `T1059` Command and Scripting Interpreter\n\n[https://attack.mitre.org/techniques/T1059/003/](https://attack.mitre.org/techniques/T1059/003/)',
    );
    assert.equal(await hoverMarkdownAt(rule(), new vscode.Position(39, 8)), '**Execution** — ATT&CK tactic `TA0002`\n\n[https://attack.mitre.org/tactics/TA0002/](https://attack.mitre.org/tactics/TA0002/)');
  });

  it('warns when a reference is not the page of its id', async () => {
    await waitForDiagnostics(rule(), 'none', (d) => d.length === 0);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(rule(), new vscode.Range(36, 55, 36, 58), '001');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const [d] = await waitForDiagnostics(rule(), 'the attack-reference warning', (ds) => ds.some((x) => x.code === 'attack-reference'));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual(rangeTuple(d.range), [36, 12, 36, 60]);
    assert.equal(d.message, 'The reference of `T1059.003` should be its ATT&CK page https://attack.mitre.org/techniques/T1059/003/');
  });
});
