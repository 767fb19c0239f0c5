/**
 * Highlights matched events in NDJSON editors: a gutter mark, a line background and a label at the
 * start of the line such as `sequence 2 · stage 2/2 · host.id=abc · +2.4 s` — at the start, so it
 * is seen without scrolling sideways on long lines — drawn in the editor's inlay-hint colours, which
 * every theme (light, dark, high contrast) sets to be readable. Applies to visible editors and to
 * editors opened later, until the replay is cleared.
 *
 * At most {@link MAX_DECORATED_LINES} lines of a file are decorated: every decoration carries its
 * own after-line text, for which VS Code creates a CSS rule, and tens of thousands of them froze
 * the workbench. A sample file edited after the replay loses its decorations (its lines moved).
 */
import * as vscode from 'vscode';
import type { ReplayResult } from '../../../server/src/protocol';
import { decorationText } from './format';
import { type ReplayStore, uriKey } from './replayState';

/** Most matched lines decorated per sample file (the first ones, by line). */
export const MAX_DECORATED_LINES = 1000;

/** One decorated line: `line` is 1-based; `text` is its label (several matches joined by two spaces). */
export interface LineDecoration {
  line: number;
  text: string;
}

/** The matched lines of one file: how many there are, and the decorations of the first {@link MAX_DECORATED_LINES} (by line). */
export interface FileDecorations {
  /** Number of distinct matched lines in the file. */
  matchedLines: number;
  /** Decorations of the first matched lines, sorted by line; at most {@link MAX_DECORATED_LINES}. */
  decorations: LineDecoration[];
}

/** Per replay result: file (`uriKey`) → its decorations. Computed once per result. */
const indexes = new WeakMap<ReplayResult, Map<string, FileDecorations>>();

function indexOf(result: ReplayResult): Map<string, FileDecorations> {
  const cached = indexes.get(result);
  if (cached) return cached;
  const keys = new Map<string, string>();
  const byFile = new Map<string, Map<number, string[]>>();
  result.matches.forEach((match, index) => {
    for (const event of match.events) {
      if (event.missing) continue;
      let key = keys.get(event.uri);
      if (key === undefined) {
        key = uriKey(event.uri);
        keys.set(event.uri, key);
      }
      let byLine = byFile.get(key);
      if (!byLine) byFile.set(key, (byLine = new Map()));
      const texts = byLine.get(event.line);
      const text = decorationText(match, index, event);
      if (texts) texts.push(text);
      else byLine.set(event.line, [text]);
    }
  });
  const index = new Map<string, FileDecorations>();
  for (const [key, byLine] of byFile) {
    const lines = [...byLine.keys()].sort((a, b) => a - b);
    index.set(key, {
      matchedLines: lines.length,
      decorations: lines.slice(0, MAX_DECORATED_LINES).map((line) => ({ line, text: byLine.get(line)!.join('  ') })),
    });
  }
  indexes.set(result, index);
  return index;
}

/**
 * The decorations of one sample file for the current replay, sorted by line, at most
 * {@link MAX_DECORATED_LINES}; empty when there is no replay, nothing matched in that file, or the
 * file was edited since the replay. Missing-event placeholders decorate nothing.
 */
export function decorationsFor(store: ReplayStore, uri: string | vscode.Uri): LineDecoration[] {
  const session = store.current;
  if (!session) return [];
  const key = uriKey(uri);
  if (session.changedSamples?.has(key)) return [];
  return indexOf(session.result).get(key)?.decorations ?? [];
}

/**
 * The file with the most matched lines when it has more than {@link MAX_DECORATED_LINES}
 * (so not all are decorated), else `undefined`. `uri` is the file's `uriKey`.
 */
export function mostCappedFile(result: ReplayResult): { uri: string; matchedLines: number } | undefined {
  let most: { uri: string; matchedLines: number } | undefined;
  for (const [uri, file] of indexOf(result)) {
    if (file.matchedLines > MAX_DECORATED_LINES && (!most || file.matchedLines > most.matchedLines)) most = { uri, matchedLines: file.matchedLines };
  }
  return most;
}

/** What was last handed to an editor for one decorated line (the test hook's record). */
export interface AppliedDecoration {
  /** 1-based line of the range given to the editor. */
  line: number;
  /** The label drawn there. */
  text: string;
  /** The document's text on that line, as the editor holds it. */
  lineText: string;
}

/** Keeps the match decorations of every visible editor in step with the {@link ReplayStore}. */
export class MatchDecorations implements vscode.Disposable {
  private readonly type: vscode.TextEditorDecorationType;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Per document (`uriKey`): the decorations last set on its editors, read back from the ranges. */
  private readonly applied = new Map<string, AppliedDecoration[]>();

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
      before: {
        margin: '0 1em 0 0',
        color: new vscode.ThemeColor('editorInlayHint.foreground'),
        backgroundColor: new vscode.ThemeColor('editorInlayHint.background'),
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
    const session = this.store.current;
    const file = session && !session.changedSamples?.has(uriKey(document.uri)) ? indexOf(session.result).get(uriKey(document.uri)) : undefined;
    const options: vscode.DecorationOptions[] = [];
    const capped = file !== undefined && file.matchedLines > file.decorations.length;
    for (const { line, text } of file?.decorations ?? []) {
      if (line < 1 || line > document.lineCount) continue; // the file changed on disk since the replay
      const hover = new vscode.MarkdownString().appendText(`Matched: ${text}`);
      if (capped) {
        hover.appendText(
          `\n\nOnly the first ${MAX_DECORATED_LINES.toLocaleString('en-US')} of the ${file.matchedLines.toLocaleString('en-US')} matched lines of this file are decorated; the Replay Results view lists every match.`,
        );
      }
      const range = document.lineAt(line - 1).range;
      options.push({ range, hoverMessage: hover, renderOptions: { before: { contentText: text } } });
    }
    editor.setDecorations(this.type, options);
    // What the editor received, read back from the ranges: a label drawn on the wrong line shows here.
    this.applied.set(
      uriKey(document.uri),
      options.map((o) => ({
        line: o.range.start.line + 1,
        text: o.renderOptions?.before?.contentText ?? '',
        lineText: document.lineAt(o.range.start.line).text,
      })),
    );
  }

  /**
   * The decorations last given to the editors of a document (test hook): per decorated range its
   * 1-based line, label and the document's text on that line. Empty when none were set.
   */
  appliedTo(uri: vscode.Uri | string): AppliedDecoration[] {
    return this.applied.get(uriKey(uri)) ?? [];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.type.dispose();
  }
}
