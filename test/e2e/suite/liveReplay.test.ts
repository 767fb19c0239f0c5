/**
 * Live re-run: with `eqlWorkbench.liveReplay` on, editing a replayed rule replays it again by
 * itself (no command), debounced; a half-typed rule keeps the last replay, marked out of date.
 * Editing one of its sample files, or a change of one on disk, replays it again too, and so does a
 * sample file created or deleted where the samples glob finds it (the fixture workspace's
 * `eqlWorkbench.samples` finds `.ndjson` files under samples/, not `.json` ones).
 *
 * Expected counts are worked out by hand from samples/a-process.ndjson (process starts: line 1
 * cmd.exe, 2 powershell.exe, 3 cmd.exe, 4 cmd.exe) and samples/b-network.ndjson (network events
 * only): `process where process.name == "cmd.exe"` matches 3 events, the same with
 * "powershell.exe" 1 event. `process where process.name == "powershell.exe" and` is cut short
 * (EqlBase.g4: `and` needs a right operand), so it has an error and is not replayed.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, fixtureUri, replay, waitFor, waitForLensTitle, type EqlWorkbenchApi } from './helpers';

describe('live replay', () => {
  const rule = () => fixtureUri('rules/cmd-started.eql');
  const config = () => vscode.workspace.getConfiguration('eqlWorkbench');
  let api: EqlWorkbenchApi;
  let previous: boolean | undefined;

  before(async () => {
    api = await extensionApi();
    // The fixture workspace turns live re-runs off (other suites pin the out-of-date display).
    previous = config().inspect<boolean>('liveReplay')?.workspaceValue;
    await config().update('liveReplay', true, vscode.ConfigurationTarget.Workspace);
    await waitFor('eqlWorkbench.liveReplay to apply', () => config().get<boolean>('liveReplay') === true);
  });

  after(async () => {
    await config().update('liveReplay', previous, vscode.ConfigurationTarget.Workspace);
    await waitFor('eqlWorkbench.liveReplay to be restored', () => config().get<boolean>('liveReplay') === (previous ?? true));
    // The rule stays as on disk for later suites.
    const document = await vscode.workspace.openTextDocument(rule());
    await vscode.window.showTextDocument(document, { preview: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('the rule to be reverted', () => !document.isDirty);
    await vscode.commands.executeCommand('eqlWorkbench.clearReplay');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('replays an edited rule again by itself, once for a burst of edits, and keeps the last result while the rule has errors', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule()), { preview: false });
    await replay(rule());
    await waitForLensTitle(rule(), '▶ 3 events matched in 2 sample files');
    const sentBefore = api.replayRequestsSent();

    // Two edits in a row (cmd.exe → powershell.exe): one re-run after the last one.
    const text = editor.document.getText();
    const at = text.indexOf('cmd');
    assert.ok(at > 0, text);
    assert.ok(await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 3)), 'powershell')));
    assert.ok(await editor.edit((e) => e.insert(editor.document.lineAt(0).range.end, ' ')));
    await waitForLensTitle(rule(), '▶ 1 event matched in 2 sample files');
    assert.equal(api.replayRequestsSent(), sentBefore + 1, 'one replay request for the two edits');
    assert.deepEqual(
      api.getDecorations(fixtureUri('samples/a-process.ndjson')).map((d) => d.line),
      [2],
    );

    // Half-typed: re-run, not replayed (the rule has an error), the last result stays as out of date.
    assert.ok(await editor.edit((e) => e.insert(editor.document.lineAt(0).range.end, 'and')));
    await waitFor('the re-run of the half-typed rule to be sent', () => api.replayRequestsSent() > sentBefore + 1);
    await waitForLensTitle(rule(), '▶ Replay again — rule changed (last: 1 event matched in 2 sample files)');
  });

  it('replays again by itself when a sample file is edited, and when a sample file changes on disk', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule()), { preview: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('the rule to be reverted', () => !editor.document.isDirty);
    await replay(rule());
    await waitForLensTitle(rule(), '▶ 3 events matched in 2 sample files');

    // Line 4 of a-process.ndjson is the third cmd.exe start: edited to net.exe, 2 events match.
    const sample = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixtureUri('samples/a-process.ndjson')), { preview: false });
    const line4 = sample.document.lineAt(3);
    const at = line4.text.indexOf('"cmd.exe"');
    assert.ok(at > 0, line4.text);
    const sentBefore = api.replayRequestsSent();
    assert.ok(await sample.edit((e) => e.replace(new vscode.Range(3, at + 1, 3, at + 4), 'net')));
    await waitForLensTitle(rule(), '▶ 2 events matched in 2 sample files');
    assert.equal(api.replayRequestsSent(), sentBefore + 1, 'one replay request for the sample edit');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('the sample to be reverted', () => !sample.document.isDirty);
    await waitForLensTitle(rule(), '▶ 3 events matched in 2 sample files');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // b-network.ndjson (not open) gains a cmd.exe start on disk: 4 events match.
    const network = fixtureUri('samples/b-network.ndjson');
    const original = await vscode.workspace.fs.readFile(network);
    const added = '{"@timestamp":"2026-01-10T11:00:00.000Z","event":{"category":"process","action":"start"},"host":{"id":"h9"},"process":{"name":"cmd.exe","pid":900}}\n';
    try {
      await vscode.workspace.fs.writeFile(network, Buffer.concat([Buffer.from(original), Buffer.from(added)]));
      await waitForLensTitle(rule(), '▶ 4 events matched in 2 sample files');
    } finally {
      await vscode.workspace.fs.writeFile(network, original);
    }
    await waitForLensTitle(rule(), '▶ 3 events matched in 2 sample files');
  });

  it('replays again by itself when a sample file is created or deleted, not for other files', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule()), { preview: false });
    await replay(rule());
    await waitForLensTitle(rule(), '▶ 3 events matched in 2 sample files');
    const start = '{"@timestamp":"2026-01-10T11:00:00.000Z","event":{"category":"process","action":"start"},"host":{"id":"h9"},"process":{"name":"cmd.exe","pid":901}}\n';

    // A file the glob does not find (.json): no re-run after the quiet time (600 ms) and more.
    const other = fixtureUri('samples/c-created.json');
    const sentBefore = api.replayRequestsSent();
    try {
      await vscode.workspace.fs.writeFile(other, Buffer.from(start));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(api.replayRequestsSent(), sentBefore, 'no replay for a file outside the samples glob');
    } finally {
      await vscode.workspace.fs.delete(other);
    }

    // A new sample file with a cmd.exe start: 4 events in 3 files; deleted again: as before.
    const created = fixtureUri('samples/c-created.ndjson');
    try {
      await vscode.workspace.fs.writeFile(created, Buffer.from(start));
      await waitForLensTitle(rule(), '▶ 4 events matched in 3 sample files');
    } finally {
      await vscode.workspace.fs.delete(created);
    }
    await waitForLensTitle(rule(), '▶ 3 events matched in 2 sample files');
  });

  it('says in the results view why a live re-run failed (a bad setting), until a replay succeeds', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule()), { preview: false });
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('the rule to be reverted', () => !editor.document.isDirty);
    await replay(rule());
    await waitForLensTitle(rule(), '▶ 3 events matched in 2 sample files');
    // package.json: the budget is MiB, 0 or more; the server refuses a negative one.
    const expected = 'The last live re-run failed: sampleCacheBudgetMB (the eqlWorkbench.replay.cacheBudgetMB setting) must be a number of MiB, 0 or more (0 turns the cache off), not -1.';
    const budget = config().inspect<number>('replay.cacheBudgetMB')?.workspaceValue;
    try {
      await config().update('replay.cacheBudgetMB', -1, vscode.ConfigurationTarget.Workspace);
      await waitFor('eqlWorkbench.replay.cacheBudgetMB to apply', () => config().get<number>('replay.cacheBudgetMB') === -1);
      const sentBefore = api.replayRequestsSent();
      assert.ok(await editor.edit((e) => e.insert(editor.document.lineAt(0).range.end, ' ')));
      await waitFor('the live re-run to be sent', () => api.replayRequestsSent() > sentBefore);
      await waitFor('the results view to say why the live re-run failed', () => api.getResultsHeader().message.includes(expected));
      // The last replay's result stays in the view.
      assert.match(api.getResultsHeader().message, /^rules\/cmd-started\.eql: 3 events matched/);
    } finally {
      await config().update('replay.cacheBudgetMB', budget, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('eqlWorkbench.replay.cacheBudgetMB to be restored', () => config().get<number>('replay.cacheBudgetMB') !== -1);
    await replay(rule());
    await waitFor('the failure to leave the results view', () => !api.getResultsHeader().message.includes('live re-run failed'));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
