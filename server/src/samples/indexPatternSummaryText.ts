/**
 * What a rule's index patterns did to a replay, as text lines (command line, editor summary) and as
 * one JSON object (`eql-workbench replay --format json`). Plain functions over an
 * {@link IndexPatternSummary}; no I/O.
 */
import { someEventHadIndex, type IndexPatternSummary } from './indexPatterns';

const events = (n: number): string => `${n} ${n === 1 ? 'event' : 'events'}`;

/**
 * The summary as lines, e.g.
 * ```
 * index patterns (the rule's): 4 events kept, 2 left out
 *   logs-endpoint.events.process-*  2 events
 *   -logs-windows.powershell-*      1 event left out
 *   no pattern matches              1 event left out
 *   no _index or data_stream        1 event kept
 *   left out from: logs-system.security-default (1), logs-windows.powershell-default (1)
 * ```
 * @param summary from the replay.
 * @param from where the patterns come from, shown in the heading (`the rule's`, `--index`).
 * @returns the lines above; one line when no event had an `_index` or `data_stream` fields.
 */
export function formatIndexPatternSummary(summary: IndexPatternSummary, from: string): string[] {
  if (!someEventHadIndex(summary)) return [`index patterns (${from}): no event has _index or data_stream fields, so all are kept`];
  const leftOut = summary.unmatched + summary.excluded;
  const lines = [`index patterns (${from}): ${events(summary.kept + summary.withoutIndex)} kept, ${leftOut} left out`];
  const rows: Array<[string, string]> = summary.patterns.map((p) => [p.pattern, p.exclusion ? `${events(p.events)} left out` : events(p.events)]);
  if (summary.unmatched > 0) rows.push(['no pattern matches', `${events(summary.unmatched)} left out`]);
  if (summary.withoutIndex > 0) rows.push(['no _index or data_stream', `${events(summary.withoutIndex)} kept`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, count] of rows) lines.push(`  ${label.padEnd(width)}  ${count}`);
  if (summary.leftOut.length > 0) lines.push(`  left out from: ${summary.leftOut.map((l) => `${l.index} (${l.events})`).join(', ')}`);
  for (const note of summary.notes) lines.push(`  note: ${note}`);
  return lines;
}

/**
 * The summary as one JSON object: `{"type":"index_patterns","patterns":[{"pattern":…,"exclusion":…,"events":N}],
 * "kept":N,"unmatched":N,"excluded":N,"without_index":N,"left_out":[{"index":…,"events":N}],"notes":[…]}`.
 */
export function indexPatternSummaryToJson(summary: IndexPatternSummary): Record<string, unknown> {
  return {
    type: 'index_patterns',
    patterns: summary.patterns,
    kept: summary.kept,
    unmatched: summary.unmatched,
    excluded: summary.excluded,
    without_index: summary.withoutIndex,
    left_out: summary.leftOut,
    notes: summary.notes,
  };
}
