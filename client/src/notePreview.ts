/**
 * Preview of a detection rule's investigation guide: the Markdown of `[rule] note` in a TOML rule
 * (as elastic/detection-rules writes it, `note = """## Triage and analysis …"""`), shown in VS
 * Code's own Markdown preview beside the rule.
 *
 * The note is served as a read-only virtual document (scheme {@link NOTE_SCHEME}, a
 * `TextDocumentContentProvider`) that follows the rule's edits, and `markdown.showPreviewToSide`
 * renders it: no file is written. The `eqlWorkbench.previewNote` command (command palette, a
 * CodeLens on the `note = …` line of a rule that has one, and a button in the title bar of that
 * rule's editors) opens it.
 */
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import * as vscode from 'vscode';
import { isToml } from './replay/ruleDocuments';

/** The command: its one optional argument is the rule's URI (default: the active editor's document). */
export const PREVIEW_NOTE_COMMAND = 'eqlWorkbench.previewNote';
/** Scheme of the virtual documents holding a rule's note. */
export const NOTE_SCHEME = 'eql-workbench-note';
/**
 * Context key: the paths (`Uri.fsPath`) of the open TOML rules that have a note. The editor title
 * button's `when` clause, `resourcePath in eqlWorkbench.rulesWithNote`, is evaluated per editor
 * group, so the button stays on the rule while its preview beside it has the focus.
 */
export const RULES_WITH_NOTE_CONTEXT = 'eqlWorkbench.rulesWithNote';
/** Title of the CodeLens on the `note = …` line. */
export const NOTE_LENS_TITLE = '$(open-preview) Preview investigation guide';

/**
 * The `[rule] note` of a TOML rule text and the 0-based line of its `note =` key; undefined when
 * the text is not TOML or has no string `note` in its `[rule]` table.
 */
export function ruleNote(text: string): { note: string; line: number } | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const rule = doc.rule as Record<string, unknown> | undefined;
  if (typeof rule !== 'object' || rule === null || typeof rule.note !== 'string') return undefined;
  const lines = text.split(/\r\n|\r|\n/);
  let inRule = false;
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$/.exec(lines[i]);
    if (header) inRule = header[1] === 'rule';
    else if (inRule && /^\s*note\s*=/.test(lines[i])) return { note: rule.note, line: i };
  }
  return { note: rule.note, line: 0 };
}

/** The virtual document of a rule's note: named after the rule file, the rule's URI in the query. */
export function noteUri(rule: vscode.Uri): vscode.Uri {
  const name = `${path.posix.basename(rule.path).replace(/\.toml$/i, '')} — investigation guide.md`;
  return vscode.Uri.from({ scheme: NOTE_SCHEME, path: `/${name}`, query: rule.toString() });
}

/** Serves the notes, and tells VS Code (and so the preview) when a rule's text changes. */
class NoteContentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.contentChanges.length > 0 && isToml(e.document)) this.changed.fire(noteUri(e.document.uri));
  });

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const rule = vscode.Uri.parse(uri.query, true);
    const document = await vscode.workspace.openTextDocument(rule);
    return ruleNote(document.getText())?.note ?? `*${path.posix.basename(rule.path)} has no \`note\` (investigation guide) any more.*\n`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The lens on the `note = …` line of a TOML rule that has a note. */
class NoteCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!isToml(document)) return [];
    const found = ruleNote(document.getText());
    if (!found) return [];
    return [
      new vscode.CodeLens(new vscode.Range(found.line, 0, found.line, 0), {
        title: NOTE_LENS_TITLE,
        tooltip: "Show the rule's note (investigation guide) as rendered Markdown",
        command: PREVIEW_NOTE_COMMAND,
        arguments: [document.uri],
      }),
    ];
  }
}

/**
 * Opens the Markdown preview of a rule's note beside it. Returns the virtual document's URI, or
 * undefined (after saying why) when there is no TOML rule or it has no note.
 */
export async function previewNote(rule?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
  const uri = typeof rule === 'string' ? vscode.Uri.parse(rule, true) : (rule ?? vscode.window.activeTextEditor?.document.uri);
  if (!uri) {
    void vscode.window.showInformationMessage('Open a detection rule (.toml) to preview its investigation guide.');
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (!isToml(document) || !ruleNote(document.getText())) {
    void vscode.window.showInformationMessage(`${path.posix.basename(uri.path)} has no \`note\` (investigation guide) in its [rule] table.`);
    return undefined;
  }
  const virtual = noteUri(uri);
  await vscode.commands.executeCommand('markdown.showPreviewToSide', virtual);
  return virtual;
}

let rulesWithNote: readonly string[] = [];

/** The value last given to {@link RULES_WITH_NOTE_CONTEXT}: the open TOML rules with a note, by path, sorted. */
export function rulesWithNoteContext(): readonly string[] {
  return rulesWithNote;
}

/**
 * Keeps {@link RULES_WITH_NOTE_CONTEXT} in step with the open documents and their edits (a rule
 * gains or loses its note as it is typed). Only `file:` documents count: `resourcePath` is a path.
 */
function trackRulesWithNote(): vscode.Disposable[] {
  const withNote = new Set<string>();
  const publish = (): void => {
    const value = [...withNote].sort();
    if (value.length === rulesWithNote.length && value.every((p, i) => p === rulesWithNote[i])) return;
    rulesWithNote = value;
    void vscode.commands.executeCommand('setContext', RULES_WITH_NOTE_CONTEXT, value);
  };
  const update = (document: vscode.TextDocument): void => {
    if (document.uri.scheme !== 'file' || !isToml(document)) return;
    if (ruleNote(document.getText())) withNote.add(document.uri.fsPath);
    else withNote.delete(document.uri.fsPath);
    publish();
  };
  vscode.workspace.textDocuments.forEach(update);
  return [
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length > 0 && update(e.document)),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (withNote.delete(document.uri.fsPath)) publish();
    }),
  ];
}

/** Registers the content provider, the CodeLens, the command and its title button's context. */
export function registerNotePreview(): vscode.Disposable[] {
  const content = new NoteContentProvider();
  return [
    content,
    ...trackRulesWithNote(),
    vscode.workspace.registerTextDocumentContentProvider(NOTE_SCHEME, content),
    vscode.languages.registerCodeLensProvider([{ language: 'toml' }, { scheme: 'file', pattern: '**/*.toml' }], new NoteCodeLensProvider()),
    vscode.commands.registerCommand(PREVIEW_NOTE_COMMAND, (rule?: vscode.Uri | string) => previewNote(rule)),
  ];
}
