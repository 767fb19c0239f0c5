/**
 * Tells the language server the unsaved text of open sample files (`eqlWorkbench/sampleText`), a
 * moment after the last edit, so that the fields and values it learns from the samples
 * (completion, hover, the unknown-field check) follow what the editor shows. Once an editor holds
 * no unsaved edits of a sample any more (saved, reverted or closed), the server is told to read
 * the file on disk again. Samples are the `file:` documents of a workspace folder matched by the
 * `eqlWorkbench.samples` glob, as for the replay.
 */
import * as vscode from 'vscode';
import { DEFAULT_SAMPLES_GLOB } from '../replay/replayCommand';

/** Quiet time after the last edit of a sample before its text is sent, in ms (a big file is not re-sent per keystroke). */
export const SAMPLE_TEXT_DEBOUNCE_MS = 400;

/** Follows the open sample documents; `send(uri, text)` delivers one notification (text null: back to the disk). */
export class UnsavedSamples implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Documents whose unsaved text the server was sent and still uses. */
  private readonly sent = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly send: (uri: string, text: string | null) => void) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document);
      }),
      vscode.workspace.onDidSaveTextDocument((document) => this.schedule(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.closed(document)),
    ];
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    if (!this.sent.has(key) && !isSample(document)) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.flush(document), SAMPLE_TEXT_DEBOUNCE_MS),
    );
  }

  private flush(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.timers.delete(key);
    if (document.isClosed) return;
    if (document.isDirty) {
      this.sent.add(key);
      this.send(key, document.getText());
    } else if (this.sent.delete(key)) this.send(key, null);
  }

  private closed(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (this.sent.delete(key)) this.send(key, null);
  }
}

/** Whether a document is a sample file: a `file:` document of a workspace folder matched by `eqlWorkbench.samples`. */
function isSample(document: vscode.TextDocument): boolean {
  if (document.uri.scheme !== 'file') return false;
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder) return false;
  const glob = vscode.workspace.getConfiguration('eqlWorkbench', document.uri).get<string>('samples', DEFAULT_SAMPLES_GLOB) || DEFAULT_SAMPLES_GLOB;
  return vscode.languages.match({ scheme: 'file', pattern: new vscode.RelativePattern(folder, glob) }, document) > 0;
}
