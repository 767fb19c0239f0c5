/**
 * The "Replay Results" view (`eqlWorkbench.results`). Sequences and samples: one item per match,
 * one child per event of the match. Event queries: one row per match, the event itself. Clicking
 * an event opens its sample file at that line (`eqlWorkbench.openMatchEvent`). The view's message
 * names the rule, the summary, whether the replay is out of date, and the warnings that explain
 * missing matches.
 */
import * as vscode from 'vscode';
import type { ReplayMatch, ReplayMatchEvent } from '../../../server/src/protocol';
import { mostCappedFile, MAX_DECORATED_LINES } from './decorations';
import {
  decorationCapNote,
  eventDescription,
  eventLabel,
  eventMatchLabel,
  fileNameOfUri,
  formatCount,
  formatTimestamp,
  matchLabel,
  noSampleFilesMessage,
  plural,
  replaySummary,
  staleMessage,
  timestampRange,
} from './format';
import { type WhyNode, whyNotDescription, whyNotTree } from './explainFormat';
import { OPEN_MATCH_EVENT_COMMAND } from './openMatchEvent';
import { MAX_EXPLAINED_EVENTS } from './replayCommand';
import type { ReplaySession, ReplayStore } from './replayState';
import { type RemovedNode, removedTree } from '../testing/removedMatches';
import { type IndexPatternNode, indexPatternsSentence, indexPatternTree } from './indexPatternTree';

/** View id, as contributed in package.json. */
export const RESULTS_VIEW_ID = 'eqlWorkbench.results';

/** Message of the empty view before any replay. */
export const RESULTS_EMPTY_MESSAGE = 'Run “EQL: Replay Rule on Samples” on an EQL rule (.eql, or a detection-rules .toml) to see its matches here.';

/** Most engine warnings listed in the view's message (all of them are in the output channel). */
const MAX_LISTED_WARNINGS = 5;

type ResultNode =
  | { kind: 'match'; match: ReplayMatch; index: number }
  | { kind: 'event'; match: ReplayMatch; index: number; event: ReplayMatchEvent }
  | { kind: 'why'; why: WhyNode; parent?: ResultNode }
  | { kind: 'removed'; removed: RemovedNode; parent?: ResultNode }
  | { kind: 'index'; index: IndexPatternNode; parent?: ResultNode };

/** Label of the results view's explanation item. */
export const WHY_NOT_LABEL = 'Why not?';

/** Results-view line of a replay that matched nothing (when its events are explained). */
export const WHY_NOT_HINT = '“Why not?” below says what each stage missed; hover a sample line for one event.';

/** A plain snapshot of one tree item, as returned by the test API. */
export interface ResultsTreeItem {
  label: string;
  description: string;
  /** The command run on click (events, and event-query matches): `eqlWorkbench.openMatchEvent` with `[uri, line (1-based)]`. */
  command?: { command: string; arguments: unknown[] };
  /** Events of a sequence or sample match, items of the explanation; absent for single rows. */
  children?: ResultsTreeItem[];
}

/** Tree data of the results view, rendered from the {@link ReplayStore}. */
export class ResultsTreeProvider implements vscode.TreeDataProvider<ResultNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  private shown: object | undefined;
  private shownExplanation: object | undefined;

  constructor(private readonly store: ReplayStore) {
    // Redraw only for another result or its explanation: marking a replay out of date changes the
    // message, not the items, and a redraw of a tree with 100,000 matches is not free.
    this.shown = store.current?.result;
    this.shownExplanation = store.current?.explanation;
    this.subscription = store.onDidChange(() => {
      if (store.current?.result === this.shown && store.current?.explanation === this.shownExplanation) return;
      this.shown = store.current?.result;
      this.shownExplanation = store.current?.explanation;
      this.changed.fire();
    });
  }

  /** Fires when the store holds another replay result (or none). */
  readonly onDidChangeTreeData: vscode.Event<void> = this.changed.event;

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  // Nodes are kept per result so each element keeps its identity (TreeView.reveal finds elements by identity).
  private readonly roots = new WeakMap<object, ResultNode[]>();
  private readonly children = new WeakMap<ReplayMatch, ResultNode[]>();

  private readonly whyRoots = new WeakMap<object, ResultNode>();
  private readonly whyChildren = new WeakMap<WhyNode, ResultNode[]>();
  private readonly removedChildren = new WeakMap<RemovedNode, ResultNode[]>();
  private readonly indexChildren = new WeakMap<IndexPatternNode, ResultNode[]>();

  getChildren(node?: ResultNode): ResultNode[] {
    if (!node) {
      const session = this.store.current;
      const result = session?.result;
      if (!result) return [];
      let roots = this.roots.get(result);
      if (!roots) {
        roots = result.matches.map((match, index): ResultNode => ({ kind: 'match', match, index }));
        const removed = removedTree(result.exceptions);
        if (removed) roots.push({ kind: 'removed', removed });
        const index = indexPatternTree(result.indexPatterns);
        if (index) roots.push({ kind: 'index', index });
        this.roots.set(result, roots);
      }
      const explanation = session.explanation?.explanation;
      if (!explanation) return roots;
      let why = this.whyRoots.get(explanation);
      if (!why) {
        why = {
          kind: 'why',
          why: { label: WHY_NOT_LABEL, description: whyNotDescription(explanation), icon: 'question', children: whyNotTree(explanation), expanded: result.matches.length === 0 },
        };
        this.whyRoots.set(explanation, why);
      }
      return [...roots, why];
    }
    if (node.kind === 'removed') {
      let children = this.removedChildren.get(node.removed);
      if (!children) this.removedChildren.set(node.removed, (children = (node.removed.children ?? []).map((removed) => ({ kind: 'removed', removed, parent: node }))));
      return children;
    }
    if (node.kind === 'index') {
      let children = this.indexChildren.get(node.index);
      if (!children) this.indexChildren.set(node.index, (children = (node.index.children ?? []).map((index) => ({ kind: 'index', index, parent: node }))));
      return children;
    }
    if (node.kind === 'why') {
      let children = this.whyChildren.get(node.why);
      if (!children) this.whyChildren.set(node.why, (children = (node.why.children ?? []).map((why) => ({ kind: 'why', why, parent: node }))));
      return children;
    }
    if (node.kind === 'match' && node.match.type !== 'event') {
      let events = this.children.get(node.match);
      if (!events) this.children.set(node.match, (events = node.match.events.map((event) => ({ kind: 'event', match: node.match, index: node.index, event }))));
      return events;
    }
    return [];
  }

  getParent(node: ResultNode): ResultNode | undefined {
    if (node.kind === 'why' || node.kind === 'removed' || node.kind === 'index') return node.parent;
    return node.kind === 'event' ? this.getChildren()[node.index] : undefined;
  }

  getTreeItem(node: ResultNode): vscode.TreeItem {
    if (node.kind === 'removed') {
      const r = node.removed;
      const item = new vscode.TreeItem(r.label, r.children && r.children.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.description = r.description;
      item.tooltip = r.tooltip;
      // Removed matches are drawn dimmed, with a slashed icon.
      item.iconPath = r.removed ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')) : new vscode.ThemeIcon(node.parent ? 'filter' : 'exclude');
      item.contextValue = 'eqlWorkbench.removedByException';
      if (r.open) item.command = { title: 'Open', command: OPEN_MATCH_EVENT_COMMAND, arguments: [r.open.uri, r.open.line] };
      return item;
    }
    if (node.kind === 'index') {
      const row = node.index;
      const item = new vscode.TreeItem(row.label, collapsibleState(row));
      item.description = row.description;
      item.tooltip = row.tooltip;
      item.iconPath = row.leftOut ? new vscode.ThemeIcon(row.icon, new vscode.ThemeColor('disabledForeground')) : new vscode.ThemeIcon(row.icon);
      item.contextValue = 'eqlWorkbench.indexPatterns';
      return item;
    }
    if (node.kind === 'why') {
      const why = node.why;
      const item = new vscode.TreeItem(why.label, collapsibleState(why));
      item.description = why.description;
      item.tooltip = why.tooltip ?? (why.description ? `${why.label}\n${why.description}` : why.label);
      if (why.icon) item.iconPath = new vscode.ThemeIcon(why.icon);
      item.contextValue = why.open ? 'eqlWorkbench.whyEvent' : 'eqlWorkbench.why';
      if (why.open) item.command = { title: 'Open Event', command: OPEN_MATCH_EVENT_COMMAND, arguments: [why.open.uri, why.open.line] };
      return item;
    }
    if (node.kind === 'match' && node.match.type === 'event' && node.match.events.length === 1) {
      // An event query's match is its one event: a single clickable row.
      const event = node.match.events[0];
      const item = new vscode.TreeItem(eventMatchLabel(event), vscode.TreeItemCollapsibleState.None);
      item.description = event.timestamp !== undefined ? formatTimestamp(event.timestamp) : '';
      item.iconPath = new vscode.ThemeIcon('symbol-event');
      item.contextValue = 'eqlWorkbench.event';
      item.tooltip = `Event ${node.index + 1}`;
      item.command = eventCommand(event);
      return item;
    }
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

  /** The matches of the tree as plain data (labels, descriptions, commands), for tests; {@link whyNotSnapshot} has the rest. */
  snapshot(): ResultsTreeItem[] {
    return this.plainTree((node) => node.kind !== 'why');
  }

  /** The "Why not?" item and everything under it as plain data, or undefined before the explanation came. */
  whyNotSnapshot(): ResultsTreeItem | undefined {
    return this.plainTree((node) => node.kind === 'why')[0];
  }

  private plainTree(root: (node: ResultNode) => boolean): ResultsTreeItem[] {
    const plain = (node: ResultNode): ResultsTreeItem => {
      const item = this.getTreeItem(node);
      return {
        label: String(item.label),
        description: String(item.description ?? ''),
        ...(item.command ? { command: { command: item.command.command, arguments: item.command.arguments ?? [] } } : {}),
      };
    };
    const deep = (node: ResultNode): ResultsTreeItem => {
      const item = plain(node);
      if (this.getTreeItem(node).collapsibleState === vscode.TreeItemCollapsibleState.None) return item;
      return { ...item, children: this.getChildren(node).map(deep) };
    };
    return this.getChildren().filter(root).map(deep);
  }
}

function eventCommand(event: ReplayMatchEvent): vscode.Command {
  return { title: 'Open Matched Event', command: OPEN_MATCH_EVENT_COMMAND, arguments: [event.uri, event.line] };
}

/**
 * The view's message for a replay, one sentence per line (VS Code may show them as one paragraph): the rule (workspace-relative path) and
 * the summary; that the replay is out of date; no sample file matching the glob; malformed lines
 * skipped; the engine's warnings (the first {@link MAX_LISTED_WARNINGS}); decorations capped.
 */
/** `The last live re-run failed: MESSAGE. The results below are from the replay before.` */
export function liveFailureMessage(message: string): string {
  return `The last live re-run failed: ${message}${/[.!?]$/.test(message) ? '' : '.'} The results below are from the replay before.`;
}

export function resultsMessage(session: ReplaySession): string {
  const result = session.result;
  const lines = [`${vscode.workspace.asRelativePath(vscode.Uri.parse(session.ruleUri))}: ${replaySummary(result.matches, result.sampleFiles)}.`];
  if (session.liveFailure) lines.push(liveFailureMessage(session.liveFailure));
  if (session.stale) lines.push(staleMessage(session.stale));
  if (result.matches.length === 0 && result.events > 0 && result.events <= MAX_EXPLAINED_EVENTS) lines.push(WHY_NOT_HINT);
  if (session.sampleUris.length === 0) {
    lines.push(noSampleFilesMessage(session.glob ?? ''));
  }
  if (result.malformedLines.length > 0) {
    lines.push(`${plural(result.malformedLines.length, 'malformed NDJSON line')} skipped (see the Problems view).`);
  }
  if (indexPatternTree(result.indexPatterns)) lines.push(indexPatternsSentence(result.indexPatterns!));
  // VS Code shows a string message as one paragraph: every line ends a sentence so it still reads.
  for (const w of result.warnings.slice(0, MAX_LISTED_WARNINGS)) lines.push(`Warning: ${w}${/[.!?]$/.test(w) ? '' : '.'}`);
  if (result.warnings.length > MAX_LISTED_WARNINGS) {
    lines.push(`… and ${formatCount(result.warnings.length - MAX_LISTED_WARNINGS)} more warnings in the “EQL Workbench” output.`);
  }
  const capped = mostCappedFile(result);
  if (capped) lines.push(decorationCapNote(MAX_DECORATED_LINES, capped.matchedLines, fileNameOfUri(capped.uri)));
  return lines.join('\n');
}

/** The results view and what the extension does with it beyond the tree. */
export interface ResultsView {
  provider: ResultsTreeProvider;
  view: vscode.TreeView<unknown>;
  /**
   * Shows the view after the first replay of the session (later replays leave the layout alone):
   * reveals its first item without taking the focus, or opens the view's container when there is
   * no item. Resolves `true` when it revealed.
   */
  revealAfterFirstReplay(): Promise<boolean>;
  disposables: vscode.Disposable[];
}

/**
 * Creates the results view and keeps its message (empty state, rule, summary, warnings) and
 * description in step with the store.
 */
export function createResultsView(store: ReplayStore, containerId: string): ResultsView {
  const provider = new ResultsTreeProvider(store);
  const view = vscode.window.createTreeView(RESULTS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const update = (): void => {
    const session = store.current;
    if (!session) {
      view.message = RESULTS_EMPTY_MESSAGE;
      view.description = undefined;
      return;
    }
    view.message = resultsMessage(session);
    const summary = replaySummary(session.result.matches, session.result.sampleFiles);
    view.description = `${vscode.workspace.asRelativePath(vscode.Uri.parse(session.ruleUri))} · ${session.stale ? 'out of date' : summary}`;
  };
  update();
  let revealed = false;
  const revealAfterFirstReplay = async (): Promise<boolean> => {
    if (revealed || !store.current) return false;
    revealed = true;
    try {
      const first = provider.getChildren()[0];
      if (first) await view.reveal(first, { select: false, focus: false, expand: false });
      else await vscode.commands.executeCommand(`workbench.view.extension.${containerId}`);
      return true;
    } catch {
      return false; // a layout without the view: nothing to show
    }
  };
  return { provider, view: view as vscode.TreeView<unknown>, revealAfterFirstReplay, disposables: [view, provider, store.onDidChange(update)] };
}

/**
 * A tree row's collapsible state: none without children, else expanded or collapsed as the row asks.
 * @param row `children` (absent or empty: a leaf) and `expanded` (true: shown open).
 */
function collapsibleState(row: { children?: readonly unknown[]; expanded?: boolean }): vscode.TreeItemCollapsibleState {
  if (!row.children || row.children.length === 0) return vscode.TreeItemCollapsibleState.None;
  return row.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
}
