/**
 * Live re-run: once a rule has been replayed, editing it, editing one of the sample files it was
 * replayed over, a change of such a file on disk, or a sample file created or deleted (a file the
 * replay's `eqlWorkbench.samples` glob finds) replays it again by itself, a short while after
 * the last change (debounced), so the CodeLens, the decorations and the results view follow the rule
 * and its samples. The language server keeps the parsed samples between replays, so a re-run after
 * a rule edit does not read unchanged files again; a changed sample is read again alone. The setting
 * `eqlWorkbench.liveReplay` (default on, per resource of the rule) turns it off; the shown replay is
 * then only marked out of date, as before.
 */
import * as vscode from 'vscode';
import { type ReplayStore, uriKey } from './replayState';

/** Quiet time after the last edit of a replayed rule or of its samples before it is replayed again (ms). */
export const LIVE_REPLAY_DELAY_MS = 600;

/** Name of the setting (under `eqlWorkbench`) that turns live re-runs on and off. */
export const LIVE_REPLAY_SETTING = 'liveReplay';

/**
 * Watches edits of the rule shown in (or being replayed by) the store, edits of the sample files of
 * the shown replay and their changes on disk (changed, deleted, created again), files created or
 * deleted where the shown replay's samples glob finds them, and calls `replay` with the rule's URI
 * once `delayMs` ms passed without another such change. Changes of other documents and files, and
 * changes while the setting is off for the rule, do nothing here.
 */
export class LiveReplay implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[];
  /** The watcher of the shown replay's samples glob, and what it watches (folder and glob). */
  private samplesWatcher: { watches: string; watcher: vscode.FileSystemWatcher } | undefined;

  constructor(
    private readonly store: ReplayStore,
    private readonly replay: (rule: vscode.Uri) => Promise<unknown>,
    private readonly delayMs = LIVE_REPLAY_DELAY_MS,
  ) {
    // Every file: which ones are samples is known only once a replay is shown.
    const files = vscode.workspace.createFileSystemWatcher('**/*');
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
      files,
      files.onDidChange((uri) => this.onSampleChanged(uri)),
      files.onDidCreate((uri) => this.onSampleChanged(uri)),
      files.onDidDelete((uri) => this.onSampleChanged(uri)),
      store.onDidChange(() => this.watchSamplesGlob()),
    ];
    this.watchSamplesGlob();
  }

  /**
   * Follows the shown replay's samples glob with a watcher of its own, so that VS Code decides
   * which new files match it as its file search did (`findFiles` in the same folder).
   */
  private watchSamplesGlob(): void {
    const current = this.store.current;
    const folder = current === undefined ? undefined : vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(current.ruleUri));
    const watches = current?.glob === undefined ? undefined : `${folder?.uri.toString() ?? ''}\u0000${current.glob}`;
    if (watches === this.samplesWatcher?.watches) return;
    this.samplesWatcher?.watcher.dispose();
    this.samplesWatcher = undefined;
    if (watches === undefined) return;
    // Created and deleted files only: changes of the replayed samples are followed above.
    const watcher = vscode.workspace.createFileSystemWatcher(folder ? new vscode.RelativePattern(folder, current!.glob!) : current!.glob!, false, true, false);
    watcher.onDidCreate((uri) => this.onSampleAddedOrRemoved(uri));
    watcher.onDidDelete((uri) => this.onSampleAddedOrRemoved(uri));
    this.samplesWatcher = { watches, watcher };
  }

  /** A file matching the samples glob appeared or went: the shown replay's samples are others now. */
  private onSampleAddedOrRemoved(uri: vscode.Uri): void {
    const current = this.store.current;
    // The replay's file search leaves out node_modules (`findSampleFiles`).
    if (current === undefined || uri.path.split('/').includes('node_modules')) return;
    this.schedule(vscode.Uri.parse(current.ruleUri));
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const uri = e.document.uri;
    const key = uriKey(uri);
    const replayed = this.store.current !== undefined && uriKey(this.store.current.ruleUri) === key;
    if (replayed || this.store.running === key) this.schedule(uri);
    else this.onSampleChanged(uri);
  }

  /** A sample file of the shown replay changed (in an editor or on disk): re-run its rule. */
  private onSampleChanged(uri: vscode.Uri): void {
    const current = this.store.current;
    if (current === undefined) return;
    const key = uriKey(uri);
    if (!current.sampleUris.some((u) => uriKey(u) === key)) return;
    this.schedule(vscode.Uri.parse(current.ruleUri));
  }

  /** (Re)starts the quiet-time timer for a re-run of `rule`. */
  private schedule(rule: vscode.Uri): void {
    if (!vscode.workspace.getConfiguration('eqlWorkbench', rule).get<boolean>(LIVE_REPLAY_SETTING, true)) return;
    const key = uriKey(rule);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // The replay may have been cleared meanwhile: then there is nothing to follow.
      const current = this.store.current;
      if ((current === undefined || uriKey(current.ruleUri) !== key) && this.store.running !== key) return;
      void this.replay(rule);
    }, this.delayMs);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.samplesWatcher?.watcher.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
