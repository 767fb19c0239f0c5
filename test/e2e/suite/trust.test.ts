/**
 * Workspace trust and writes. The manifest declares limited support in untrusted workspaces
 * (VS Code "Workspace Trust Extension Guide": `capabilities.untrustedWorkspaces` with
 * `restrictedConfigurations`, whose workspace values VS Code ignores in Restricted Mode), and no
 * command of the extension writes a rule or sample file or edits an open one: the only edits are
 * quick fixes, which the user applies and can undo.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, fixtureUri, openRule, waitFor, workspaceRoot } from './helpers';

interface Manifest {
  capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[] } };
  contributes: { commands: Array<{ command: string }>; configuration: { properties: Record<string, unknown> } };
}

/** Every rule and sample file of the workspace with its bytes. */
async function snapshot(): Promise<Map<string, string>> {
  const files = await vscode.workspace.findFiles(new vscode.RelativePattern(workspaceRoot(), '**/*.{eql,toml,ndjson,jsonl}'));
  const out = new Map<string, string>();
  for (const f of files) out.set(f.toString(), Buffer.from(await vscode.workspace.fs.readFile(f)).toString('base64'));
  return out;
}

describe('workspace trust and writes', () => {
  it('declares limited support in untrusted workspaces; settings naming other files are restricted', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    const trust = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, 'limited');
    const properties = Object.keys(manifest.contributes.configuration.properties);
    for (const setting of ['eqlWorkbench.mappings', 'eqlWorkbench.exceptions']) {
      assert.ok(properties.includes(setting), `${setting} is a setting`);
      assert.ok(trust?.restrictedConfigurations?.includes(setting), `${setting} is restricted`);
    }
  });

  it('no command changes a rule or sample file or edits an open document', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    const rule = fixtureUri('rules/cmd-then-https.eql');
    await openRule('cmd-then-https.eql');
    const sample = await vscode.workspace.openTextDocument(fixtureUri('samples/a-process.ndjson'));
    await vscode.window.showTextDocument(sample, { preview: false, preserveFocus: true });
    const exceptionsSetting = vscode.workspace.getConfiguration('eqlWorkbench').inspect<string[]>('exceptions')?.workspaceValue;
    const before = await snapshot();
    const dirtyBefore = vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString());
    const versions = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d.version]));
    const commands = manifest.contributes.commands.map((c) => c.command);
    assert.ok(commands.length >= 3, commands.join(', '));
    for (const command of commands) {
      try {
        await vscode.commands.executeCommand(command, rule);
      } catch {
        // A command refusing these arguments is fine here: only its writes matter.
      }
      if (vscode.debug.activeDebugSession) {
        await vscode.debug.stopDebugging();
        await waitFor('the debug session to end', () => vscode.debug.activeDebugSession === undefined);
      }
    }
    const after = await snapshot();
    for (const [file, bytes] of before) assert.equal(after.get(file), bytes, `${file} unchanged`);
    // Files a command created for itself (an exception file) are removed, its setting restored.
    for (const file of after.keys()) if (!before.has(file)) await vscode.workspace.fs.delete(vscode.Uri.parse(file));
    await vscode.workspace.getConfiguration('eqlWorkbench').update('exceptions', exceptionsSetting, vscode.ConfigurationTarget.Workspace);
    assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()), dirtyBefore);
    for (const d of vscode.workspace.textDocuments) {
      const v = versions.get(d.uri.toString());
      if (v !== undefined) assert.equal(d.version, v, `${d.uri.toString()} not edited`);
    }
  });
});
