/**
 * Texts shown for replay results: CodeLens titles, line decorations, results-view labels.
 * Pure functions of the `eqlWorkbench/replay` result and the rule text (no `vscode` import), so they are unit-tested
 * directly and the views, the decorations and the test API all say the same thing.
 *
 * Numbers shown to people are 1-based (match 1, stage 1/2, line 12); data stays 0-based for stages.
 */
import { lex } from '../../../server/src/eql/lexer';
import type { ReplayMatch, ReplayMatchEvent } from '../../../server/src/protocol';
import { escapeControlCharacters } from '../../../server/src/samples/controlCharacters';

/** CodeLens title of a rule that has not been replayed (or whose results were cleared). */
export const REPLAY_LENS_TITLE = '▶ Replay on samples';

/** CodeLens title while a replay of the rule runs (`$(sync~spin)` is VS Code's spinning icon). */
export const REPLAYING_LENS_TITLE = '$(sync~spin) Replaying…';

/** Why a shown replay no longer reflects the editor: the rule text, a sample file or an `eqlWorkbench.*` setting changed since. */
export type StaleReason = 'rule' | 'samples' | 'settings';

/** A count with thousands separators, the same on every machine: `113636` → `113,636`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 sequence`, `2 sequences`, `0 events`, `113,636 events` (thousands separators from {@link formatCount}). */
export function plural(n: number, singular: string): string {
  return `${formatCount(n)} ${singular}${n === 1 ? '' : 's'}`;
}

/**
 * Summary of a replay:
 * `N sequences matched in M sample files` (samples: `N samples matched …`, event queries:
 * `N events matched …`), or `No matches in M sample files` when nothing matched.
 * Singular forms for 1 (`1 sequence matched in 1 sample file`); counts with thousands separators.
 */
export function replaySummary(matches: readonly ReplayMatch[], sampleFiles: number): string {
  const files = plural(sampleFiles, 'sample file');
  if (matches.length === 0) return `No matches in ${files}`;
  return `${plural(matches.length, matches[0].type)} matched in ${files}`;
}

/** CodeLens title of a current replay: its summary behind a ▶ (clicking replays again), `▶ 2 sequences matched in 4 sample files`. */
export function replayLensTitle(summary: string): string {
  return `▶ ${summary}`;
}

/** CodeLens title when no sample file matched the `eqlWorkbench.samples` glob: `▶ No sample files match "logs/**\/*.ndjson"`. */
export function noSamplesLensTitle(glob: string): string {
  return `▶ No sample files match "${glob}"`;
}

/**
 * The sentence for a replay that found no sample file, shown as a notification and in the results view:
 * `No sample files match “logs/**\/*.ndjson” in the workspace (setting eqlWorkbench.samples).`
 */
export function noSampleFilesMessage(glob: string): string {
  return `No sample files match “${glob}” in the workspace (setting eqlWorkbench.samples).`;
}

/** `rule changed`, `samples changed`, `settings changed`. */
export function staleReasonText(reason: StaleReason): string {
  return `${reason} changed`;
}

/**
 * CodeLens title of a replay that is out of date:
 * `▶ Replay again — rule changed (last: 3 sequences matched in 6 sample files)`.
 */
export function staleLensTitle(reason: StaleReason, lastSummary: string): string {
  return `▶ Replay again — ${staleReasonText(reason)} (last: ${lastSummary})`;
}

/** Results-view line of a replay that is out of date: `Out of date: the samples changed since this replay; replay again.` */
export function staleMessage(reason: StaleReason): string {
  const what = reason === 'rule' ? 'the rule' : reason === 'samples' ? 'the sample files' : 'the eqlWorkbench settings';
  return `Out of date: ${what} changed since this replay; replay again.`;
}

/**
 * Note shown when a sample file has more matched lines than are decorated:
 * `Only the first 1,000 matched lines of each sample file are decorated (most: 12,000 in big.ndjson).`
 */
export function decorationCapNote(cap: number, most: number, fileName: string): string {
  return `Only the first ${formatCount(cap)} matched lines of each sample file are decorated (most: ${formatCount(most)} in ${fileName}).`;
}

/**
 * Formats one join key value the way it reads in a query: strings bare, others as JSON (`null`, `42`,
 * `true`). Strings from the samples are shown safely: in double quotes when empty or holding a
 * space, `=` or `,` (so `a, user.name=x` cannot read as another key), with control, format and
 * bidirectional characters escaped (`\u200b`, see `escapeControlCharacters`).
 */
export function formatKeyValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = escapeControlCharacters(value);
    return shown === '' || /[\s=,"]/.test(value) ? `"${shown.replace(/"/g, '\\"')}"` : shown;
  }
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
 * Epoch milliseconds of a timestamp as found in a document: a number is epoch ms; a string is read
 * as an ISO 8601 date (`Date.parse`); `undefined` when neither.
 */
export function timestampMillis(value: string | number | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A gap between two events, as shown after a stage: `+800 ms`, `+2.4 s` (one decimal under a minute),
 * `+3 min`, `+2 min 30 s`, `+1 h 5 min`; negative gaps (not in time order) with `-`.
 */
export function formatGap(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${Number((a / 1000).toFixed(1))} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${sign}${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/**
 * Label decorating a matched event at the start of its line in the NDJSON file (visible without
 * scrolling sideways): `sequence 2 · stage 2/2 · host.id=abc · +2.4 s` (samples alike with
 * `sample`), `event 3` for event queries. From stage 2 on, the gap since the previous stage's event
 * of the match; an epoch-millisecond timestamp is also shown in ISO 8601 (UTC).
 *
 * @param matchIndex 0-based index of the match in the results (shown 1-based).
 * @param event the event (its `stage` is 0-based, shown 1-based).
 */
export function decorationText(match: ReplayMatch, matchIndex: number, event: ReplayMatchEvent): string {
  const parts: string[] = [];
  if (match.type === 'event') {
    parts.push(`event ${matchIndex + 1}`);
  } else {
    const keys = formatJoinKeys(event.joinKeyFields ?? matchKeyFields(match), match.joinKeys);
    parts.push(`${match.type} ${matchIndex + 1}`, `stage ${event.stage + 1}/${match.stageCount}`);
    if (keys) parts.push(keys);
    const position = match.events.indexOf(event);
    const previous = match.events.slice(0, Math.max(0, position)).reverse().find((e) => !e.missing);
    const now = timestampMillis(event.timestamp);
    const before = timestampMillis(previous?.timestamp);
    if (match.type === 'sequence' && now !== undefined && before !== undefined) parts.push(formatGap(now - before));
  }
  if (typeof event.timestamp === 'number') parts.push(formatTimestamp(event.timestamp));
  return parts.join(' · ');
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
  return escapeControlCharacters(String(value));
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
    return escapeControlCharacters(decodeURIComponent(name));
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
  return [event.category, event.action, event.processName].filter((s): s is string => !!s).map(escapeControlCharacters).join(' · ');
}

/**
 * 0-based UTF-16 offset where the query of an EQL rule text starts: the start of its first token
 * that is not a comment, as the EQL lexer (`server/src/eql/lexer.ts`, after Elasticsearch's
 * `EqlBase.g4`) reads it, so `//` line comments and nested `/* /* *\/ *\/` block comments are
 * skipped exactly as Elasticsearch skips them. Returns `text.length` when the text holds no query.
 */
export function queryStartOffset(text: string): number {
  const first = lex(text).tokens.find((t) => t.kind !== 'lineComment' && t.kind !== 'blockComment');
  return first ? Math.min(first.span.start, text.length) : text.length;
}

/**
 * Results-view label of an event-query match, a single row: `win-dc01.ndjson:6 · process · start · whoami.exe`
 * (file and 1-based line, then {@link eventDescription} when the event has any of those fields).
 */
export function eventMatchLabel(event: ReplayMatchEvent): string {
  const description = eventDescription(event);
  const where = `${fileNameOfUri(event.uri)}:${event.line}`;
  return description ? `${where} · ${description}` : where;
}

/**
 * 0-based character where a malformed-line message points, from its `at column N` (1-based), or
 * `undefined` when the message names no column. E.g. `invalid JSON: … at column 143` → 142.
 */
export function malformedLineColumn(message: string): number | undefined {
  const m = /\bat column (\d+)\b/.exec(message);
  if (!m) return undefined;
  const column = Number(m[1]);
  return Number.isSafeInteger(column) && column >= 1 ? column - 1 : undefined;
}
