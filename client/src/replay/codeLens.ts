/**
 * The CodeLens above the query of an EQL rule: `▶ Replay on samples` before a replay,
 * `$(sync~spin) Replaying…` while it runs, the replay's summary after it
 * (`▶ 2 sequences matched in 3 sample files`, `▶ No matches in 3 sample files`,
 * `▶ No sample files match "logs/*.ndjson"`), and once the rule, a sample file or a setting
 * changed, `▶ Replay again — rule changed (last: …)`. Clicking any of them runs
 * `eqlWorkbench.replay` on that rule; beside it, `Debug replay` starts the replay debugger. In a detection-rules TOML file it sits
 * on the `query = …` line; TOML files that are not EQL rules get none.
 */
import * as vscode from 'vscode';
import { noSamplesLensTitle, REPLAY_LENS_TITLE, REPLAYING_LENS_TITLE, replayLensTitle, replaySummary, staleLensTitle } from './format';
import { type ReplayStore, uriKey } from './replayState';
import { ruleLensLine } from './ruleDocuments';
import { DEBUG_REPLAY_COMMAND } from '../debug/replayDebugger';

/** Title of the lens beside the replay lens that starts the replay debugger. */
export const DEBUG_LENS_TITLE = '$(debug-alt) Debug replay';

/** Command the lens runs; its one argument is the rule document's URI. */
export const REPLAY_COMMAND = 'eqlWorkbench.replay';

/**
 * The lens title for a rule: {@link REPLAYING_LENS_TITLE} while it is replayed; the summary of the
 * current replay if it is of this rule (out-of-date and no-sample-file forms included); else
 * {@link REPLAY_LENS_TITLE}.
 */
export function lensTitle(store: ReplayStore, ruleUri: vscode.Uri): string {
  const key = uriKey(ruleUri);
  if (store.running === key) return REPLAYING_LENS_TITLE;
  const session = store.current;
  if (!session || uriKey(session.ruleUri) !== key) return REPLAY_LENS_TITLE;
  const summary = replaySummary(session.result.matches, session.result.sampleFiles);
  if (session.stale) return staleLensTitle(session.stale, summary);
  if (session.sampleUris.length === 0 && session.glob !== undefined) return noSamplesLensTitle(session.glob);
  return replayLensTitle(summary);
}

/** One lens per rule document: on the line where an `.eql` query starts (after leading comments), on a TOML rule's `query =` line. */
export class ReplayCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: ReplayStore) {
    this.subscriptions = [store.onDidChange(() => this.changed.fire()), store.onDidChangeRunning(() => this.changed.fire())];
  }

  /** Fires whenever the replay or the running state changes, so every rule's lens title is recomputed. */
  readonly onDidChangeCodeLenses: vscode.Event<void> = this.changed.event;

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const line = ruleLensLine(document);
    if (line === undefined) return [];
    const range = new vscode.Range(line, 0, line, 0);
    return [
      new vscode.CodeLens(range, {
        title: lensTitle(this.store, document.uri),
        tooltip: 'Replay this rule over the sample NDJSON files of the workspace (setting eqlWorkbench.samples)',
        command: REPLAY_COMMAND,
        arguments: [document.uri],
      }),
      new vscode.CodeLens(range, {
        title: DEBUG_LENS_TITLE,
        tooltip: 'Step through the replay event by event in the debugger (breakpoints on sample lines and on the rule\'s stages)',
        command: DEBUG_REPLAY_COMMAND,
        arguments: [document.uri],
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
