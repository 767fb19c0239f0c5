/**
 * Texts shown for replay results: CodeLens titles, line decorations, results-view labels.
 * Pure functions of the `eqlWorkbench/replay` result (no `vscode` import), so they are unit-tested
 * directly and the views, the decorations and the test API all say the same thing.
 *
 * Numbers shown to people are 1-based (match 1, stage 1/2, line 12); data stays 0-based for stages.
 */
import type { ReplayMatch, ReplayMatchEvent } from '../../../server/src/protocol';

/** CodeLens title of a rule that has not been replayed (or whose results were cleared). */
export const REPLAY_LENS_TITLE = '▶ Replay on samples';

/** `1 sequence`, `2 sequences`, `0 events`. */
export function plural(n: number, singular: string): string {
  return `${n} ${singular}${n === 1 ? '' : 's'}`;
}

/**
 * CodeLens title after a replay:
 * `N sequences matched in M sample files` (samples: `N samples matched …`, event queries:
 * `N events matched …`), or `No matches in M sample files` when nothing matched.
 * Singular forms for 1 (`1 sequence matched in 1 sample file`).
 */
export function replaySummary(matches: readonly ReplayMatch[], sampleFiles: number): string {
  const files = plural(sampleFiles, 'sample file');
  if (matches.length === 0) return `No matches in ${files}`;
  return `${plural(matches.length, matches[0].type)} matched in ${files}`;
}

/** Formats one join key value the way it reads in a query: strings bare, others as JSON (`null`, `42`, `true`). */
export function formatKeyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'null';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `host.id=abc, user.name=bob` from the key fields and values; positions without a field name show as `key3=…`. */
export function formatJoinKeys(fields: readonly string[] | undefined, values: readonly unknown[] | undefined): string {
  if (!values || values.length === 0) return '';
  return values.map((v, i) => `${fields?.[i] ?? `key${i + 1}`}=${formatKeyValue(v)}`).join(', ');
}

/** The key fields of a match, from its first event that lists them (stage 1 for sequences and samples). */
function matchKeyFields(match: ReplayMatch): string[] | undefined {
  return match.events.find((e) => e.joinKeyFields && e.joinKeyFields.length > 0)?.joinKeyFields;
}

/**
 * After-line text decorating a matched event in its NDJSON file:
 * `◀ sequence 2 · stage 1/2 · host.id=abc` (samples alike with `sample`), `◀ event 3` for event queries.
 *
 * @param matchIndex 0-based index of the match in the results (shown 1-based).
 * @param event the event (its `stage` is 0-based, shown 1-based).
 */
export function decorationText(match: ReplayMatch, matchIndex: number, event: ReplayMatchEvent): string {
  if (match.type === 'event') return `◀ event ${matchIndex + 1}`;
  const keys = formatJoinKeys(event.joinKeyFields ?? matchKeyFields(match), match.joinKeys);
  return `◀ ${match.type} ${matchIndex + 1} · stage ${event.stage + 1}/${match.stageCount}${keys ? ` · ${keys}` : ''}`;
}

/**
 * Results-view label of a match: `Sequence 1 — host.id=abc`, `Sample 2 — host.id=abc`,
 * `Event 3` (no join keys: just the number).
 */
export function matchLabel(match: ReplayMatch, matchIndex: number): string {
  const kind = match.type.charAt(0).toUpperCase() + match.type.slice(1);
  const keys = match.type === 'event' ? '' : formatJoinKeys(matchKeyFields(match), match.joinKeys);
  return `${kind} ${matchIndex + 1}${keys ? ` — ${keys}` : ''}`;
}

/** A timestamp as shown: strings as found; finite numbers are epoch milliseconds, shown as ISO 8601 UTC. */
export function formatTimestamp(value: string | number): string {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  return String(value);
}

/**
 * Results-view description of a match: the timestamp range of its events, `first → last`, or the
 * one timestamp when all are equal; '' when no event has a timestamp.
 */
export function timestampRange(match: ReplayMatch): string {
  const stamps = match.events.filter((e) => !e.missing && e.timestamp !== undefined).map((e) => formatTimestamp(e.timestamp!));
  if (stamps.length === 0) return '';
  const first = stamps[0];
  const last = stamps[stamps.length - 1];
  return first === last ? first : `${first} → ${last}`;
}

/** The last segment of a URI's path, decoded: `file:///x/proc%20a.ndjson` → `proc a.ndjson`. */
export function fileNameOfUri(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * Results-view label of one event of a match: `stage 1 · file.ndjson:12` (1-based stage and line);
 * for event queries just `file.ndjson:12`; for a missing-event stage `stage 2 · missing event`.
 */
export function eventLabel(match: ReplayMatch, event: ReplayMatchEvent): string {
  if (event.missing) return `stage ${event.stage + 1} · missing event`;
  const where = `${fileNameOfUri(event.uri)}:${event.line}`;
  return match.type === 'event' ? where : `stage ${event.stage + 1} · ${where}`;
}

/** Results-view description of one event: its category, action and process name, those it has, `process · start · cmd.exe`. */
export function eventDescription(event: ReplayMatchEvent): string {
  return [event.category, event.action, event.processName].filter((s): s is string => !!s).join(' · ');
}

/**
 * 0-based UTF-16 offset where the query of an EQL rule text starts: after leading whitespace and
 * comments (`// …` to the end of the line, `/* … *\/`, as in Elasticsearch's `EqlBase.g4`).
 * Returns `text.length` when the text holds no query.
 */
export function queryStartOffset(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0xfeff) {
      i++;
    } else if (text.startsWith('//', i)) {
      const eol = text.slice(i).search(/[\r\n]/);
      i = eol < 0 ? text.length : i + eol;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else {
      return i;
    }
  }
  return text.length;
}
