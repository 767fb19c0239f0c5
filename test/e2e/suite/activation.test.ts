/**
 * What an author meets on opening a rule: the `.eql` file gets language id `eql`, the extension
 * is active, its commands are registered and it hands the test API to callers of `activate()`.
 * Expected values come from the manifest (package.json `contributes`), not from the code.
 * (That the extension stays inactive until a rule is opened is checked in installed.test.ts,
 * whose workspace holds no `.eql` file: here `workspaceContains:**\/*.eql` may wake it at startup.)
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, extensionApi, fixtureUri, openRule, waitFor } from './helpers';

describe('activation (extension under development)', () => {
  it('gives .eql files the language id eql and is active once one is open', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    const doc = await openRule('cmd-started.eql');
    assert.equal(doc.languageId, 'eql');
    assert.equal(doc.uri.toString(), fixtureUri('rules/cmd-started.eql').toString());
    await waitFor('the extension to activate', () => ext.isActive);
  });

  it('registers the commands of contributes.commands', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of ['eqlWorkbench.replay', 'eqlWorkbench.clearReplay', 'eqlWorkbench.openMatchEvent']) {
      assert.ok(all.has(id), `command ${id} is not registered`);
    }
  });

  it('returns the test API from activate()', async () => {
    const api = await extensionApi();
    // Before any replay nothing is decorated and the results view is empty.
    assert.deepEqual(api.getDecorations(fixtureUri('samples/a-process.ndjson')), []);
    assert.deepEqual(api.getResultsTree(), []);
  });
});
