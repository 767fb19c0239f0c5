/**
 * Live re-run: once a rule has been replayed, editing it replays it again by itself, a short
 * while after the last keystroke (debounced), so the CodeLens, the decorations and the results
 * view follow the rule as the author types. The setting `eqlWorkbench.liveReplay` (default on,
 * per resource) turns it off; the shown replay is then only marked out of date, as before.
 */
import * as vscode from 'vscode';
import { type ReplayStore, uriKey } from './replayState';

/** Quiet time after the last edit of a replayed rule before it is replayed again (ms). */
export const LIVE_REPLAY_DELAY_MS = 600;

/** Name of the setting (under `eqlWorkbench`) that turns live re-runs on and off. */
export const LIVE_REPLAY_SETTING = 'liveReplay';

/**
 * Watches edits of the rule shown in (or being replayed by) the store and calls `replay` with the
 * rule's URI once `delayMs` ms passed without another edit of it. Edits of other documents, and
 * edits while the setting is off, do nothing here.
 */
export class LiveReplay implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: ReplayStore,
    private readonly replay: (rule: vscode.Uri) => Promise<unknown>,
    private readonly delayMs = LIVE_REPLAY_DELAY_MS,
  ) {
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e));
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const uri = e.document.uri;
    const key = uriKey(uri);
    const replayed = this.store.current !== undefined && uriKey(this.store.current.ruleUri) === key;
    if (!replayed && this.store.running !== key) return;
    if (!vscode.workspace.getConfiguration('eqlWorkbench', uri).get<boolean>(LIVE_REPLAY_SETTING, true)) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // The replay may have been cleared meanwhile: then there is nothing to follow.
      const current = this.store.current;
      if ((current === undefined || uriKey(current.ruleUri) !== key) && this.store.running !== key) return;
      void this.replay(uri);
    }, this.delayMs);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.subscription.dispose();
  }
}
