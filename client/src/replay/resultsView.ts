/**
 * The "Replay Results" view (`eqlWorkbench.results`): one item per match, one child per event of
 * the match; clicking an event opens its sample file at that line (`eqlWorkbench.openMatchEvent`).
 */
import * as vscode from 'vscode';
import type { ReplayMatch, ReplayMatchEvent } from '../../../server/src/protocol';
import { eventDescription, eventLabel, matchLabel, replaySummary, timestampRange } from './format';
import { OPEN_MATCH_EVENT_COMMAND } from './openMatchEvent';
import type { ReplayStore } from './replayState';

/** View id, as contributed in package.json. */
export const RESULTS_VIEW_ID = 'eqlWorkbench.results';

/** Message of the empty view before any replay. */
export const RESULTS_EMPTY_MESSAGE = 'Run “EQL: Replay Rule on Samples” on an EQL rule (.eql, or a detection-rules .toml) to see its matches here.';

type ResultNode =
  | { kind: 'match'; match: ReplayMatch; index: number }
  | { kind: 'event'; match: ReplayMatch; index: number; event: ReplayMatchEvent };

/** A plain snapshot of one tree item, as returned by the test API. */
export interface ResultsTreeItem {
  label: string;
  description: string;
  /** The command run on click (events only): `eqlWorkbench.openMatchEvent` with `[uri, line (1-based)]`. */
  command?: { command: string; arguments: unknown[] };
  children?: ResultsTreeItem[];
}

/** Tree data of the results view, rendered from the {@link ReplayStore}. */
export class ResultsTreeProvider implements vscode.TreeDataProvider<ResultNode> {
  constructor(private readonly store: ReplayStore) {}

  get onDidChangeTreeData(): vscode.Event<void> {
    return this.store.onDidChange;
  }

  getChildren(node?: ResultNode): ResultNode[] {
    if (!node) {
      const matches = this.store.current?.result.matches ?? [];
      return matches.map((match, index) => ({ kind: 'match', match, index }));
    }
    if (node.kind === 'match') {
      return node.match.events.map((event) => ({ kind: 'event', match: node.match, index: node.index, event }));
    }
    return [];
  }

  getTreeItem(node: ResultNode): vscode.TreeItem {
    if (node.kind === 'match') {
      const item = new vscode.TreeItem(matchLabel(node.match, node.index), vscode.TreeItemCollapsibleState.Collapsed);
      item.description = timestampRange(node.match);
      item.iconPath = new vscode.ThemeIcon(node.match.type === 'event' ? 'symbol-event' : 'list-ordered');
      item.contextValue = 'eqlWorkbench.match';
      return item;
    }
    const item = new vscode.TreeItem(eventLabel(node.match, node.event), vscode.TreeItemCollapsibleState.None);
    item.description = eventDescription(node.event);
    item.contextValue = node.event.missing ? 'eqlWorkbench.missingEvent' : 'eqlWorkbench.event';
    if (node.event.missing) {
      item.iconPath = new vscode.ThemeIcon('circle-slash');
      item.tooltip = 'A missing-event stage (![…]): no such event occurred between its neighbours.';
    } else {
      item.iconPath = new vscode.ThemeIcon('symbol-event');
      item.tooltip = node.event.timestamp !== undefined ? String(node.event.timestamp) : undefined;
      item.command = eventCommand(node.event);
    }
    return item;
  }

  /** The whole tree as plain data (labels, descriptions, commands), for tests. */
  snapshot(): ResultsTreeItem[] {
    return this.getChildren().map((m) => {
      const item = this.getTreeItem(m);
      return {
        label: String(item.label),
        description: String(item.description ?? ''),
        children: this.getChildren(m).map((e) => {
          const child = this.getTreeItem(e);
          return {
            label: String(child.label),
            description: String(child.description ?? ''),
            ...(child.command ? { command: { command: child.command.command, arguments: child.command.arguments ?? [] } } : {}),
          };
        }),
      };
    });
  }
}

function eventCommand(event: ReplayMatchEvent): vscode.Command {
  return { title: 'Open Matched Event', command: OPEN_MATCH_EVENT_COMMAND, arguments: [event.uri, event.line] };
}

/**
 * Creates the results view and keeps its message (empty state, summary) in step with the store.
 * Returns the provider (for {@link ResultsTreeProvider.snapshot}) and the disposables to register.
 */
export function createResultsView(store: ReplayStore): { provider: ResultsTreeProvider; disposables: vscode.Disposable[] } {
  const provider = new ResultsTreeProvider(store);
  const view = vscode.window.createTreeView(RESULTS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const update = (): void => {
    const session = store.current;
    if (!session) {
      view.message = RESULTS_EMPTY_MESSAGE;
      view.description = undefined;
      return;
    }
    const summary = replaySummary(session.result.matches, session.result.sampleFiles);
    view.message = session.result.matches.length === 0 ? summary : undefined;
    view.description = `${vscode.workspace.asRelativePath(vscode.Uri.parse(session.ruleUri))} · ${summary}`;
  };
  update();
  return { provider, disposables: [view, store.onDidChange(update)] };
}
