/**
 * Highlights matched events in NDJSON editors: a gutter mark, a line background and an after-line
 * text such as `◀ sequence 2 · stage 1/2 · host.id=abc`. Applies to visible editors and to editors
 * opened later, until the replay is cleared.
 */
import * as vscode from 'vscode';
import { decorationText } from './format';
import { type ReplayStore, uriKey } from './replayState';

/** One decorated line: `line` is 1-based; `text` is the after-line text (several matches joined by two spaces). */
export interface LineDecoration {
  line: number;
  text: string;
}

/**
 * The decorations of one sample file for the current replay, sorted by line; empty when there is
 * no replay or nothing matched in that file. Missing-event placeholders decorate nothing.
 */
export function decorationsFor(store: ReplayStore, uri: string | vscode.Uri): LineDecoration[] {
  const session = store.current;
  if (!session) return [];
  const key = uriKey(uri);
  const byLine = new Map<number, string[]>();
  session.result.matches.forEach((match, index) => {
    for (const event of match.events) {
      if (event.missing || uriKey(event.uri) !== key) continue;
      const texts = byLine.get(event.line) ?? [];
      texts.push(decorationText(match, index, event));
      byLine.set(event.line, texts);
    }
  });
  return [...byLine.entries()].sort(([a], [b]) => a - b).map(([line, texts]) => ({ line, text: texts.join('  ') }));
}

/** Keeps the match decorations of every visible editor in step with the {@link ReplayStore}. */
export class MatchDecorations implements vscode.Disposable {
  private readonly type: vscode.TextEditorDecorationType;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly store: ReplayStore,
    gutterIcon: vscode.Uri,
  ) {
    this.type = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.findMatchForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
      gutterIconPath: gutterIcon,
      gutterIconSize: 'contain',
      after: {
        margin: '0 0 0 2em',
        color: new vscode.ThemeColor('editorCodeLens.foreground'),
        fontStyle: 'italic',
      },
    });
    this.subscriptions.push(
      store.onDidChange(() => this.refresh()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refresh()),
    );
    this.refresh();
  }

  /** Re-applies the decorations to every visible editor. */
  refresh(): void {
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
  }

  private apply(editor: vscode.TextEditor): void {
    const document = editor.document;
    const options: vscode.DecorationOptions[] = [];
    for (const { line, text } of decorationsFor(this.store, document.uri)) {
      if (line < 1 || line > document.lineCount) continue; // the file changed since the replay
      options.push({
        range: document.lineAt(line - 1).range,
        hoverMessage: new vscode.MarkdownString().appendText(text.replace(/^◀ /, 'Matched: ')),
        renderOptions: { after: { contentText: text } },
      });
    }
    editor.setDecorations(this.type, options);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.type.dispose();
  }
}
