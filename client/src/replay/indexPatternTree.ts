/**
 * The "Index patterns" part of the Replay Results view: what a detection rule's `index` patterns
 * did to the replay's events (per pattern the events it kept, per exclusion the events it left out,
 * the events no pattern matched and the indices they came from). Built from the replay result's
 * `indexPatterns` (see `eqlWorkbench/replay`); plain data, no `vscode`.
 */
import type { ReplayIndexPatterns } from '../../../server/src/protocol';

/** One row of the index patterns tree. */
export interface IndexPatternNode {
  label: string;
  description: string;
  tooltip?: string;
  /** A codicon name. */
  icon: string;
  /** Rows of events left out are drawn dimmed. */
  leftOut?: boolean;
  /** Shown open: the root, when the patterns left events out. */
  expanded?: boolean;
  children?: IndexPatternNode[];
}

export const INDEX_PATTERNS_LABEL = 'Index patterns';

const events = (n: number): string => `${n.toLocaleString('en-US')} ${n === 1 ? 'event' : 'events'}`;

/** The view's sentence for the summary: `Index patterns: 4 events kept, 2 left out.` */
export function indexPatternsSentence(summary: ReplayIndexPatterns): string {
  return `Index patterns: ${events(summary.kept + summary.withoutIndex)} kept, ${(summary.unmatched + summary.excluded).toLocaleString('en-US')} left out (from indices the rule does not search).`;
}

/**
 * The tree for a replay's index pattern summary, or undefined when there is none or no event had
 * an `_index` or `data_stream` fields (the patterns then did nothing worth a row).
 */
export function indexPatternTree(summary: ReplayIndexPatterns | undefined): IndexPatternNode | undefined {
  if (!summary || summary.kept + summary.unmatched + summary.excluded === 0) return undefined;
  const children: IndexPatternNode[] = summary.patterns.map((p) =>
    p.exclusion
      ? { label: p.pattern, description: `${events(p.events)} left out`, icon: 'exclude', leftOut: true, tooltip: `Exclusion: leaves out the events of the indices it matches among those the patterns before it kept.` }
      : { label: p.pattern, description: `${events(p.events)} kept`, icon: 'database', tooltip: `The events whose index this pattern matches.` },
  );
  if (summary.unmatched > 0) {
    children.push({ label: 'No pattern matches', description: `${events(summary.unmatched)} left out`, icon: 'circle-slash', leftOut: true, tooltip: 'Events from indices none of the patterns resolve to: the rule never searches them.' });
  }
  if (summary.withoutIndex > 0) {
    children.push({ label: 'No _index or data_stream', description: `${events(summary.withoutIndex)} kept`, icon: 'question', tooltip: 'Events that do not say which index they come from are always replayed.' });
  }
  if (summary.leftOut.length > 0) {
    children.push({
      label: 'Left out from',
      description: summary.leftOut.map((l) => l.index).join(', '),
      icon: 'list-unordered',
      leftOut: true,
      children: summary.leftOut.map((l) => ({ label: l.index, description: `${events(l.events)} left out`, icon: 'circle-slash', leftOut: true })),
    });
  }
  for (const note of summary.notes) children.push({ label: 'Note', description: note, tooltip: note, icon: 'info' });
  return {
    label: INDEX_PATTERNS_LABEL,
    description: `${events(summary.kept + summary.withoutIndex)} kept · ${(summary.unmatched + summary.excluded).toLocaleString('en-US')} left out`,
    tooltip: "The rule's index patterns, matched against each event's _index (search hits) or data_stream fields as Kibana's search resolves them; events that carry neither are kept. Counted over the events parsed.",
    icon: 'filter',
    expanded: summary.unmatched + summary.excluded > 0,
    children,
  };
}
