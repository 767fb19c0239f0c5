/**
 * The CodeLens above the query of an EQL rule: `▶ Replay on samples` before a replay, the replay's
 * summary after it (`2 sequences matched in 3 sample files`, `No matches in 3 sample files`).
 * Clicking either runs `eqlWorkbench.replay` on that rule. In a detection-rules TOML file it sits
 * on the `query = …` line; TOML files that are not EQL rules get none.
 */
import * as vscode from 'vscode';
import { REPLAY_LENS_TITLE, replaySummary } from './format';
import { type ReplayStore, uriKey } from './replayState';
import { ruleLensLine } from './ruleDocuments';

/** Command the lens runs; its one argument is the rule document's URI. */
export const REPLAY_COMMAND = 'eqlWorkbench.replay';

/** The lens title for a rule: the summary of the current replay if it is of this rule, else {@link REPLAY_LENS_TITLE}. */
export function lensTitle(store: ReplayStore, ruleUri: vscode.Uri): string {
  const session = store.current;
  if (!session || uriKey(session.ruleUri) !== uriKey(ruleUri)) return REPLAY_LENS_TITLE;
  if (session.result.diagnostics && session.result.diagnostics.length > 0) return REPLAY_LENS_TITLE;
  return replaySummary(session.result.matches, session.result.sampleFiles);
}

/** One lens per rule document: on the line where an `.eql` query starts (after leading comments), on a TOML rule's `query =` line. */
export class ReplayCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly store: ReplayStore) {}

  /** Fires whenever the replay changes, so every rule's lens title is recomputed. */
  get onDidChangeCodeLenses(): vscode.Event<void> {
    return this.store.onDidChange;
  }

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
    ];
  }
}
