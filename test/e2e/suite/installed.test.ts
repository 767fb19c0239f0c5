/**
 * The extension as users get it: installed from its .vsix (no extensionDevelopmentPath), in a
 * workspace that holds only sample files. The rule is opened from a folder outside the workspace
 * (EQL_E2E_RULES_DIR, a copy of fixtures/workspace/rules), so nothing but opening it can wake the
 * extension (package.json activationEvents: onLanguage:eql, workspaceContains:**\/*.eql).
 * Expected matches: see replay.test.ts (worked out by hand from the same samples).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, fixtureUri, replay, waitFor, waitForLensTitle } from './helpers';
import { scopesOfLine } from './tokens';

function outsideRule(name: string): vscode.Uri {
  const dir = process.env.EQL_E2E_RULES_DIR;
  if (!dir) throw new Error('EQL_E2E_RULES_DIR is not set (test/e2e/run.mjs sets it for the vsix phase)');
  return vscode.Uri.file(path.join(dir, name));
}

describe('extension installed from its .vsix', () => {
  it('is the installed copy, not a development folder', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
    // VS Code installs an extension into <extensions-dir>/<publisher>.<name>-<version>.
    const { publisher, name, version } = ext.packageJSON as { publisher: string; name: string; version: string };
    assert.equal(path.basename(ext.extensionPath), `${publisher}.${name}-${version}`);
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
  });

  it('stays inactive until a rule is opened, then activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    // An author looks at a log first: NDJSON is not EQL.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixtureUri('samples/a-process.ndjson')));
    // Startup-time activation (`*`, onStartupFinished: the workbench's "eventually" phase, a few
    // seconds after it is restored) must have had its chance before inactivity means anything.
    const settleSeconds = 8;
    if (process.uptime() < settleSeconds) await new Promise((r) => setTimeout(r, (settleSeconds - process.uptime()) * 1000));
    assert.equal(ext.isActive, false, 'active before any .eql file was opened');
    const doc = await vscode.workspace.openTextDocument(outsideRule('cmd-then-https.eql'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'eql');
    await waitFor('the extension to activate', () => ext.isActive);
  });

  it('highlights with the grammar it ships', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    // `sequence` opens line 1 of the rule and is a keyword; `5m`'s `m` is a time unit.
    const tokens = await scopesOfLine(ext, 'sequence by host.id with maxspan=5m');
    const first = tokens.find((t) => t.text === 'sequence');
    assert.ok(first?.scopes.some((s) => s.startsWith('keyword.')), JSON.stringify(tokens));
  });

  it('replays the sequence rule over the workspace samples', async () => {
    const rule = outsideRule('cmd-then-https.eql');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule));
    await waitForLensTitle(rule, '▶ Replay on samples');
    const result = await replay(rule);
    const A = fixtureUri('samples/a-process.ndjson').fsPath;
    const B = fixtureUri('samples/b-network.ndjson').fsPath;
    assert.deepEqual(result.ruleErrors, []);
    assert.deepEqual(
      result.matches.map((m) => [m.type, m.joinKeys, m.events.map((e) => [e.file, e.line, e.stage])]),
      [
        ['sequence', ['h1'], [[A, 1, 0], [B, 2, 1]]],
        ['sequence', ['h2'], [[A, 3, 0], [B, 4, 1]]],
      ],
    );
    await waitForLensTitle(rule, '▶ 2 sequences matched in 2 sample files');
  });
});
