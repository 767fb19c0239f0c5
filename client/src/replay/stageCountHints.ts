/**
 * After a replay, per-stage counts as inlay hints at the end of each stage of the rule (and of
 * `until`): how many events had the stage's category and how many passed its filter, e.g.
 * `15 network events · 6 passed`. In TOML rules they sit at the TOML positions of the stages (the
 * server maps them). Shown while the replay is up to date with the rule.
 */
import * as vscode from 'vscode';
import { stageCountHint, stageCountTooltip } from './explainFormat';
import { type ReplayStore, uriKey } from './replayState';

/** Inlay hints of the shown replay's rule. */
export class StageCountHintsProvider implements vscode.InlayHintsProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: ReplayStore) {
    this.subscription = store.onDidChange(() => this.changed.fire());
  }

  /** Fires when the shown replay or its explanation changes. */
  readonly onDidChangeInlayHints: vscode.Event<void> = this.changed.event;

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    return stageCountHints(this.store, document).filter((h) => range.contains(h.position));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * The stage-count hints of a rule document for the shown replay: none when another rule was
 * replayed, the rule changed since, or the explanation has not arrived.
 */
export function stageCountHints(store: ReplayStore, document: vscode.TextDocument): vscode.InlayHint[] {
  const session = store.current;
  const explanation = session?.explanation?.explanation;
  if (!session || !explanation || session.stale === 'rule' || uriKey(session.ruleUri) !== uriKey(document.uri)) return [];
  const stats = explanation.kind === 'sequence' && explanation.until ? [...explanation.stages, explanation.until] : explanation.stages;
  const hints: vscode.InlayHint[] = [];
  for (const end of session.explanation?.stageEnds ?? []) {
    const s = stats.find((x) => x.stage === end.stage);
    if (!s || end.position.line >= document.lineCount) continue;
    const hint = new vscode.InlayHint(new vscode.Position(end.position.line, end.position.character), stageCountHint(s), vscode.InlayHintKind.Parameter);
    hint.paddingLeft = true;
    hint.tooltip = stageCountTooltip(s);
    hints.push(hint);
  }
  return hints;
}
