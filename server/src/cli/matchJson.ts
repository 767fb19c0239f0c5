/**
 * The JSON Lines shape of `eql-workbench replay --format json`: one object per match, one match per
 * line, in the order the matches are returned.
 *
 *   {"type":"event","events":[{"file":"logs/a.ndjson","line":3}]}
 *   {"type":"sequence","join_keys":["host-1"],"events":[{"file":"…","line":7},{"file":"…","line":9}]}
 *   {"type":"sequence","join_keys":["host-1"],"events":[{"file":"…","line":7},{"missing":true,"stage":1}]}
 *   {"type":"sample","join_keys":["host-1"],"events":[…]}
 *
 * - `type`: `event` (event query), `sequence` or `sample`.
 * - `join_keys`: the join key values of the match (named as in the Elasticsearch response); absent
 *   for event queries, `[]` for a sequence or sample without `by`.
 * - `events`: one entry per event of the match, in stage order. `file` is the sample path as given
 *   or found, `line` its 1-based line number. The placeholder of a missing-event stage `![…]`
 *   (Elasticsearch returns it with `"missing": true`) is `{"missing":true,"stage":N}`, `stage` the
 *   0-based position of the stage in the query.
 *
 * Besides the escapes `JSON.stringify` writes (U+0000–U+001F), DEL, the C1 controls, U+2028 /
 * U+2029 and the bidirectional formatting characters are written as `\uXXXX` escapes, so a line
 * shown on a terminal cannot drive it; the parsed values are the same.
 */
import type { Match } from '../engine/types';
import { toSafeJsonLine } from '../samples/controlCharacters';

/** One event entry of {@link MatchJson}. */
export type MatchEventJson = { file: string; line: number } | { missing: true; stage: number };

/** One line of `--format json` output. */
export interface MatchJson {
  type: Match['type'];
  join_keys?: unknown[];
  events: MatchEventJson[];
}

/**
 * Converts an engine match into its JSON output shape (see the module comment).
 * @throws never; an event without a source (which the engine does not produce) is written as missing.
 */
export function matchToJson(match: Match): MatchJson {
  const events = match.events.map(
    (e): MatchEventJson =>
      e.missing || !e.event ? { missing: true, stage: e.stage } : { file: e.event.source.file, line: e.event.source.line },
  );
  // Key order as documented: type, join_keys, events.
  return match.type === 'event' ? { type: match.type, events } : { type: match.type, join_keys: match.joinKeys ?? [], events };
}

/**
 * Serialises a match as one line of `--format json` output (no newline), see the module comment.
 * @returns compact JSON; DEL, C1 controls, U+2028, U+2029 and bidirectional formatting characters
 *   escaped as `\uXXXX`.
 */
export function matchToJsonLine(match: Match): string {
  return toSafeJsonLine(matchToJson(match));
}
