/**
 * Small helpers shared by the in-editor tests: where the fixture workspace is, opening a
 * rule in an editor, and polling for state the extension produces asynchronously.
 */
import * as vscode from 'vscode';
import type { EqlWorkbenchApi } from '../../../client/src/extension';
import type { ReplayCommandResult } from '../../../client/src/replay/replayCommand';

export type { EqlWorkbenchApi, ReplayCommandResult };

/** `publisher.name` from package.json. */
export const EXTENSION_ID = 'eql-workbench.eql-workbench';

/** The workspace folder the runner opened (a temp copy of test/e2e/fixtures/workspace). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder (the runner opens fixtures/workspace)');
  return folder.uri;
}

/** URI of a file of the fixture workspace; `rel` uses `/`. */
export function fixtureUri(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...rel.split('/'));
}

/** Opens `rules/<name>` in an editor and returns its document. */
export async function openRule(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fixtureUri(`rules/${name}`));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/**
 * Polls `probe` every 50 ms until it returns a value other than `undefined`/`false`, or
 * fails after `timeoutMs` ms with `what` and the last value seen.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The object `activate()` returns (the extension's test API), after activating it if needed. */
export async function extensionApi(): Promise<EqlWorkbenchApi> {
  const ext = vscode.extensions.getExtension<EqlWorkbenchApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api || typeof api.getDecorations !== 'function') throw new Error('activate() did not return the test API (getDecorations, getResultsTree)');
  return api;
}

/** Runs `eqlWorkbench.replay` on a rule and returns the command's result (it must return one). */
export async function replay(rule: vscode.Uri): Promise<ReplayCommandResult> {
  const result = await vscode.commands.executeCommand<ReplayCommandResult | undefined>('eqlWorkbench.replay', rule);
  if (!result) throw new Error(`eqlWorkbench.replay returned nothing for ${rule.toString()}`);
  return result;
}

/** The CodeLenses VS Code collects for a document from every provider (titles resolved). */
export async function codeLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
}

/** The replay lens of a rule: the one whose command is `eqlWorkbench.replay`. */
export async function replayLens(uri: vscode.Uri): Promise<vscode.CodeLens | undefined> {
  return (await codeLenses(uri)).find((l) => l.command?.command === 'eqlWorkbench.replay');
}

/** Waits until the replay lens of `uri` has the title `title`; returns the lens. */
export function waitForLensTitle(uri: vscode.Uri, title: string): Promise<vscode.CodeLens> {
  return waitFor(`the replay CodeLens of ${uri.path} to read "${title}"`, async () => {
    const lens = await replayLens(uri);
    return lens?.command?.title === title ? lens : undefined;
  });
}

/** Shows `doc` and reverts it to its file on disk (the fixtures stay as they are for the other tests). */
export async function revertDocument(doc: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor('the document to be reverted', () => !doc.isDirty);
}

/** Where to hover: a position, or a text of the document (hovered on its first character, at its first occurrence). */
export type HoverTarget = vscode.Position | string;

/** The hovers VS Code collects at `at` in `uri` from every provider (`vscode.executeHoverProvider`). */
export async function hoversAt(uri: vscode.Uri, at: HoverTarget): Promise<vscode.Hover[]> {
  let position = at;
  if (typeof position === 'string') {
    const doc = await vscode.workspace.openTextDocument(uri);
    const offset = doc.getText().indexOf(position);
    if (offset < 0) throw new Error(`no ${JSON.stringify(position)} in ${uri.path} to hover`);
    position = doc.positionAt(offset);
  }
  return (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
}

/** The Markdown (or plain text) of hovers: every content of every hover, in order, joined by a line break. */
export function hoverMarkdown(hovers: readonly vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

/** The Markdown of the hovers at `at` in `uri` (see {@link hoverMarkdown}). */
export async function hoverMarkdownAt(uri: vscode.Uri, at: HoverTarget): Promise<string> {
  return hoverMarkdown(await hoversAt(uri, at));
}

/**
 * The Markdown of the hovers at `at` in `uri` once `accept` holds for it: the language server may
 * answer before it has read the document, the samples or the replay's explanation.
 */
export function waitForHover(uri: vscode.Uri, at: HoverTarget, what: string, accept: (markdown: string) => boolean): Promise<string> {
  return waitFor(`${what} (hover on ${typeof at === 'string' ? JSON.stringify(at) : `${at.line + 1}:${at.character + 1}`} in ${uri.path})`, async () => {
    const markdown = await hoverMarkdownAt(uri, at);
    return accept(markdown) ? markdown : undefined;
  });
}

/** Diagnostics of `uri` once `accept` holds for them (they arrive asynchronously from the server). */
export function waitForDiagnostics(uri: vscode.Uri, what: string, accept: (ds: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return waitFor(`diagnostics of ${uri.path}: ${what}`, () => {
    const ds = vscode.languages.getDiagnostics(uri);
    return accept(ds) ? ds : undefined;
  });
}

/** `[startLine, startCharacter, endLine, endCharacter]`, all 0-based as in VS Code's API. */
export function rangeTuple(r: vscode.Range): [number, number, number, number] {
  return [r.start.line, r.start.character, r.end.line, r.end.character];
}

/**
 * Points `eqlWorkbench.samples` at `glob` in the workspace settings and waits until it applies.
 * @returns a function that puts back the workspace value found before (and waits for it).
 */
export async function useSamplesGlob(glob: string): Promise<() => Promise<void>> {
  return useWorkspaceSetting('samples', glob);
}

/**
 * Sets the workspace value of `eqlWorkbench.<key>` and waits until it applies; returns a function
 * that puts the previous workspace value back (and waits for it).
 */
export async function useWorkspaceSetting<T>(key: string, value: T): Promise<() => Promise<void>> {
  const config = () => vscode.workspace.getConfiguration('eqlWorkbench');
  const previous = config().inspect<T>(key)?.workspaceValue;
  await config().update(key, value, vscode.ConfigurationTarget.Workspace);
  await waitFor(`the ${key} setting to apply`, () => config().get(key) === value);
  return async () => {
    await config().update(key, previous, vscode.ConfigurationTarget.Workspace);
    await waitFor(`the ${key} setting to be restored`, () => config().inspect<T>(key)?.workspaceValue === previous);
  };
}

/**
 * NDJSON text of `count` process events, one a second from 2026-01-10T00:00:00Z, numbered `n` = 1…
 * (line N holds n = N).
 */
export function numberedProcessEvents(count: number): string {
  const start = Date.UTC(2026, 0, 10);
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ '@timestamp': new Date(start + i * 1000).toISOString(), event: { category: 'process' }, n: i + 1 }),
  );
  return `${lines.join('\n')}\n`;
}
