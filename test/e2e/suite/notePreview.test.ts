/**
 * The investigation guide (`[rule] note`) of a TOML rule previewed as rendered Markdown: the
 * CodeLens on the `note = …` line and the editor title button of rules with a note, the command
 * opening VS Code's Markdown preview beside the rule
 * on a virtual document holding the note, which follows the rule's edits; no file written.
 *
 * Fixture rules/with-note.toml (0-based lines as in VS Code's API): line 9 `note = """## Triage
 * and analysis`. The note, decoded as TOML 1.0 reads a `"""` basic string (§ String: `\\` is one
 * backslash; the string starts right after the opening quotes, the final newline is kept):
 *
 *   ## Triage and analysis
 *   (empty line)
 *   ### Investigating cmd.exe from Office
 *   (empty line)
 *   - Look at the parent's document in `C:\Users\*\Downloads`.
 *   - Check the **command line** of `cmd.exe`.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeLenses, EXTENSION_ID, extensionApi, fixtureUri, openRule, revertDocument, waitFor } from './helpers';

const NOTE = [
  '## Triage and analysis',
  '',
  '### Investigating cmd.exe from Office',
  '',
  "- Look at the parent's document in `C:\\Users\\*\\Downloads`.",
  '- Check the **command line** of `cmd.exe`.',
  '',
].join('\n');

/** The Markdown preview tabs open now (webviews titled `Preview …`). */
function previewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('Preview'));
}

describe('investigation guide preview', () => {
  const rule = () => fixtureUri('rules/with-note.toml');
  let doc: vscode.TextDocument;

  before(async () => {
    doc = await openRule('with-note.toml');
  });

  after(async () => {
    await revertDocument(doc);
    await vscode.window.tabGroups.close(previewTabs());
  });

  it('offers a CodeLens on the note line', async () => {
    const lens = await waitFor('the note CodeLens', async () => (await codeLenses(rule())).find((l) => l.command?.command === 'eqlWorkbench.previewNote'));
    assert.equal(lens.range.start.line, 9);
    assert.equal(lens.command?.title, '$(open-preview) Preview investigation guide');
    assert.equal(String(lens.command?.arguments?.[0]), rule().toString());
  });

  it('puts a button in the title bar of the rules that have a note, which opens the preview', async () => {
    type Manifest = { contributes: { commands: Array<{ command: string; icon?: string }>; menus: Record<string, Array<{ command: string; when?: string; group?: string }>> } };
    const { contributes } = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    assert.equal(contributes.commands.find((c) => c.command === 'eqlWorkbench.previewNote')?.icon, '$(open-preview)');
    const button = contributes.menus['editor/title'].find((m) => m.command === 'eqlWorkbench.previewNote');
    // `resourcePath` is the path of each editor group's file (VS Code's "when clause contexts").
    assert.deepEqual(button, { command: 'eqlWorkbench.previewNote', when: 'resourcePath in eqlWorkbench.rulesWithNote', group: 'navigation' });
    const api = await extensionApi();
    await waitFor('the rule with a note in eqlWorkbench.rulesWithNote', () => api.rulesWithNote().includes(rule().fsPath));
    const noNote = fixtureUri('rules/cmd-then-https.toml');
    await vscode.workspace.openTextDocument(noNote);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!api.rulesWithNote().includes(noNote.fsPath), 'a rule without a note has no button');
    // Line 9 starts with the key `note`: renamed, the rule has no note, and no button, until it is back.
    const rename = async (key: string) => {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(rule(), new vscode.Range(9, 0, 9, 4), key);
      assert.ok(await vscode.workspace.applyEdit(edit));
    };
    await rename('nota');
    await waitFor('the renamed key to take the button away', () => !api.rulesWithNote().includes(rule().fsPath));
    await rename('note');
    await waitFor('the note key to bring the button back', () => api.rulesWithNote().includes(rule().fsPath));
    // A title-bar button runs its command with the editor's resource as argument.
    await vscode.window.tabGroups.close(previewTabs());
    const virtual = await vscode.commands.executeCommand<vscode.Uri | undefined>(button!.command, rule());
    assert.equal(virtual?.scheme, 'eql-workbench-note');
    const tab = await waitFor('the Markdown preview tab', () => previewTabs()[0]);
    assert.match(tab.label, /with-note — investigation guide/);
    await vscode.window.tabGroups.close(previewTabs());
  });

  it('opens the Markdown preview of the note beside the rule, writing no file', async () => {
    const before = (await vscode.workspace.findFiles('**/*')).map(String).sort();
    const virtual = await vscode.commands.executeCommand<vscode.Uri | undefined>('eqlWorkbench.previewNote', rule());
    assert.ok(virtual, 'the command returns the virtual document it previews');
    assert.notEqual(virtual.scheme, 'file');
    assert.equal((await vscode.workspace.openTextDocument(virtual)).getText(), NOTE);
    const tab = await waitFor('the Markdown preview tab', () => previewTabs()[0]);
    assert.match(tab.label, /with-note — investigation guide/);
    assert.deepEqual((await vscode.workspace.findFiles('**/*')).map(String).sort(), before);
  });

  it('follows edits of the rule', async () => {
    const virtual = await vscode.commands.executeCommand<vscode.Uri>('eqlWorkbench.previewNote', rule());
    const edit = new vscode.WorkspaceEdit();
    edit.replace(rule(), new vscode.Range(9, 10, 9, 32), '## Triage');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('the note to follow the edit', async () => (await vscode.workspace.openTextDocument(virtual)).getText().startsWith('## Triage\n\n### Investigating'));
  });

  it('says so for a rule without a note', async () => {
    assert.equal(await vscode.commands.executeCommand('eqlWorkbench.previewNote', fixtureUri('rules/cmd-then-https.toml')), undefined);
  });
});
