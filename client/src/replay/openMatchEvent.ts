/**
 * `eqlWorkbench.openMatchEvent`: opens a sample file at a matched event's line and reveals it.
 */
import * as vscode from 'vscode';

/** Command id, as contributed in package.json. */
export const OPEN_MATCH_EVENT_COMMAND = 'eqlWorkbench.openMatchEvent';

/**
 * Opens `uri` in an editor with the cursor on the whole line `line` and scrolls it to the centre.
 *
 * @param uri the sample file, as a `Uri` or a URI string (`file:///…`).
 * @param line 1-based line number (as in replay results); converted to VS Code's 0-based `Position`.
 * @returns the editor showing the event. Rejects when the file cannot be opened; an out-of-range
 *   line is clamped to the document.
 */
export async function openMatchEvent(uri: vscode.Uri | string, line: number): Promise<vscode.TextEditor> {
  const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
  const document = await vscode.workspace.openTextDocument(target);
  const index = Math.min(Math.max(0, Math.floor(line) - 1), Math.max(0, document.lineCount - 1));
  const range = document.lineAt(index).range;
  const editor = await vscode.window.showTextDocument(document, {
    selection: new vscode.Range(range.start, range.start),
    preserveFocus: false,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
  return editor;
}
