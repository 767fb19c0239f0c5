/**
 * The output of `eql-workbench replay --explain`: what the rule missed and why (the data comes from
 * `explainReplay`, `engine/explain.ts`).
 *
 * Text: a block after the matches — per stage how many events of its category passed the
 * condition and which top-level `and` terms failed most, the closest near misses; then per join key
 * the sequences completed, each partial sequence with the reason it ended and its near misses, and
 * the events that passed a later stage with nothing waiting at the previous one. Stages are
 * numbered from 1 as in the rest of the text output; file names and terms have their control
 * characters escaped (`escapeControlCharacters`).
 *
 * JSON: one final line `{"type":"explanation",...}`: the {@link Explanation} with its keys in
 * snake_case (shape documented in `--help`, `EXPLAIN_JSON_NOTES`), stages 0-based, times in epoch ms.
 */
import type {
  EventRef,
  Explanation,
  KeyExplanation,
  PartialEnd,
  PartialSequence,
  SequenceNearMiss,
  StageStats,
  UnmatchedStageEvent,
} from '../engine/explain';
import { escapeControlCharacters, toSafeJsonLine } from '../samples/controlCharacters';
import { plural } from '../samples/text';
import { stringifyExact } from '../engine/values';

/** The `--help` text describing the explanation's JSON line. */
export const EXPLAIN_JSON_NOTES = `
  With --explain, a final line {"type":"explanation",...} follows the matches:
    {"type":"explanation","kind":"sequence","events":36,"matches":2,
     "completed":2,"maxspan_millis":30000,"stage_of_expanded":[0,1],
     "missing_stages":[false,false],
     "stages":[{"stage":0,"category":"network","events":36,
       "passed_category":15,"passed":6,
       "terms":[{"term":"source.ip != \\"::1\\"","span":{"start":236,"end":254},
                 "failed":1,"only_failure":1,
                 "fields":[{"field":"source.ip","missing_when_failed":0}]},...],
       "near_misses":[{"event":{"file":"…","line":8,"timestamp":…},
                       "failed_terms":[4]},...]},...],
     "until":{...same shape, "stage":-1...},
     "ends":{"expired":4},"unmatched_count":5,
     "keys":[{"join_keys":["h1"],"completed":1,"ends":{"expired":3},
       "unmatched_count":1,
       "partials":[{"reached":0,"events":[{"file":"…","line":10,"timestamp":…}],
         "end":{"reason":"expired","maxspan_millis":30000,
                "at":{...},"elapsed_millis":31000},
         "same_key_failed":[{"event":{...},"join_keys":[["h1"]],
                             "after_millis":800,"failed_terms":["…"]}],
         "other_keys":[{"event":{...},"join_keys":[["h2"]],"after_millis":3000}]}],
       "unmatched":[{"stage":1,"event":{...},
         "previous":{"event":{...},"passed":false,"failed_terms":["…"],
                     "before_millis":1500},
         "later_previous":{...}}]}],
     "warnings":[]}
  "kind" is event, sequence or sample (event and sample explanations have
  only events, matches, stages, warnings). Stages are 0-based (after
  with runs=N expansion for "reached", "stage_of_expanded", "unmatched");
  timestamps are epoch ms (absent for sample queries, which take events in
  input order). "terms" are the condition's top-level "and" terms;
  "failed" counts events of the category for which the term was not true,
  "only_failure" those where it was the only such term, "missing_when_failed"
  those of them without a value for the field. "near_misses": events of the
  category that failed the condition, fewest failed terms first (at most 10;
  "failed_terms" index "terms"); the lists of a partial sequence keep at most 3.
  "end.reason" is expired (maxspan exceeded; "at" = the next-stage event that
  came too late, absent when none came within maxspan; "replaced_by" = the
  newer sequence that later took its place), until ("at" = the until event),
  replaced ("by" = the newer sequence's last event: one pending sequence per
  stage and join key), no-next-event (the input ended first) or missing-event
  ("at" = the event of the ![…] stage). "same_key_failed": events of the key
  with the next stage's category that failed its condition; "other_keys":
  events that passed the next stage's filter under other join keys (both
  within maxspan, before the sequence ended). "ends" counts partial sequences
  by reason; "partials" and "unmatched" list the first 100 of each join key
  in time order ("unmatched_count" counts all). "unmatched": events that passed
  a stage while no sequence of their key waited at the previous stage, with
  the latest earlier event of the key of the previous stage's category
  ("previous", within maxspan) and the first later one that passed it
  ("later_previous").`;

/** At most this many partial sequences and unmatched events are printed per join key in text. */
export const MAX_TEXT_ITEMS_PER_KEY = 20;

/** At most this many join keys are printed in text (JSON has them all). */
export const MAX_TEXT_KEYS = 50;

function formatTime(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** `800 ms`, `31 s`, `2.407 s`, `2398 s`. */
export function formatDuration(ms: number): string {
  if (Math.abs(ms) < 1000) return `${ms} ms`;
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function where(e: EventRef): string {
  return `${e.file}:${e.line}`;
}

function stageName(stage: number): string {
  return stage < 0 ? 'until' : `stage ${stage + 1}`;
}

function formatStage(s: StageStats, kind: Explanation['kind']): string[] {
  const category = s.category ?? 'any';
  const name = kind === 'event' ? 'query' : stageName(s.stage);
  const lines = [
    `  ${name} [${category}]: ${s.passed} of ${plural(s.passedCategory, `${category} event`)} passed the condition (${plural(s.events, 'event')} in all)`,
  ];
  const failing = s.terms.map((t, i) => ({ t, i })).filter(({ t }) => t.failed > 0);
  failing.sort((a, b) => b.t.failed - a.t.failed || a.i - b.i);
  if (failing.length > 0) {
    lines.push(`    terms not true, most often first (of the ${plural(s.passedCategory, `${category} event`)}):`);
    for (const { t } of failing) {
      const notes: string[] = [];
      if (t.onlyFailure > 0) notes.push(`the only failing term for ${t.onlyFailure}`);
      for (const f of t.fields) if (f.missingWhenFailed > 0) notes.push(`${f.field} has no value in ${f.missingWhenFailed}`);
      lines.push(`      ${t.term}  ${t.failed}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
      // An `or` block: how often each branch was not true (the block fails only when all are).
      for (const b of t.branches ?? []) {
        const missing = b.fields.filter((f) => f.missingWhenFailed > 0).map((f) => `${f.field} has no value in ${f.missingWhenFailed}`);
        lines.push(`        branch ${b.term}  not true for ${b.failed}${missing.length > 0 ? ` (${missing.join('; ')})` : ''}`);
      }
    }
  }
  if (s.passed === 0) {
    // A term no event of the category satisfies is enough to explain an empty stage.
    for (const t of s.terms) {
      if (s.passedCategory === 0 || t.failed !== s.passedCategory) continue;
      const f = t.fields.find((x) => x.missingWhenFailed === s.passedCategory);
      const why = f ? `: no ${category} event has a value for ${f.field}` : '';
      lines.push(`    ${t.term} is not true for any of the ${plural(s.passedCategory, `${category} event`)}${why}`);
    }
  }
  if (s.nearMisses.length > 0) {
    lines.push('    closest near misses (fewest failing terms):');
    for (const m of s.nearMisses) {
      const terms = m.failedTerms.map((i) => s.terms[i].term).join('; ');
      const time = m.event.timestamp === undefined ? '' : `  ${formatTime(m.event.timestamp)}`;
      lines.push(`      ${where(m.event)}${time}  not true: ${terms}`);
    }
  }
  return lines;
}

function formatEnd(end: PartialEnd, next: number | undefined): string {
  const nextName = next === undefined ? 'next stage' : stageName(next);
  switch (end.reason) {
    case 'expired':
      if (end.at) {
        return `expired: the ${nextName} event ${where(end.at)} came ${formatDuration(end.elapsedMillis ?? 0)} after the first event (maxspan ${formatDuration(end.maxspanMillis)})`;
      }
      return `expired: no ${nextName} event with this join key within maxspan ${formatDuration(end.maxspanMillis)}${end.replacedBy ? ` (later replaced by ${where(end.replacedBy)})` : ''}`;
    case 'until':
      return `cancelled by the until event ${where(end.at)}`;
    case 'replaced':
      return `replaced by a newer sequence at the same stage (${where(end.by)}): one pending sequence per stage and join key`;
    case 'no-next-event':
      return `no ${nextName} event with this join key before the end of the input`;
    case 'missing-event':
      return `the missing-event stage matched ${where(end.at)}`;
  }
}

function nextPositive(p: PartialSequence, e: Extract<Explanation, { kind: 'sequence' }>, missing: boolean[]): number | undefined {
  let next = p.reached + 1;
  while (next < e.stageOfExpanded.length && missing[next]) next++;
  return next < e.stageOfExpanded.length ? next : undefined;
}

function formatNearMiss(m: SequenceNearMiss, withKeys: boolean): string {
  const keys = withKeys ? `  join keys ${m.joinKeys.length === 0 ? '(none)' : m.joinKeys.map((k) => stringifyExact(k)).join(' ')}` : '';
  const terms = m.failedTerms ? `  not true: ${m.failedTerms.join('; ')}` : '';
  return `${where(m.event)} (+${formatDuration(m.afterMillis)})${keys}${terms}`;
}

function formatPartial(p: PartialSequence, e: Extract<Explanation, { kind: 'sequence' }>, missing: boolean[]): string[] {
  const first = p.events.find((x) => x !== null)!;
  const next = nextPositive(p, e, missing);
  const filled = p.events.map((x) => (x ? where(x) : '(missing)')).join(', ');
  const lines = [
    `    partial: reached stage ${p.reached + 1} of ${e.stageOfExpanded.length}, started ${formatTime(first.timestamp)} (${filled})`,
    `      ${formatEnd(p.end, next)}`,
  ];
  const nextName = next === undefined ? 'the next stage' : stageName(next);
  for (const m of p.sameKeyFailed) lines.push(`      same join key, ${nextName} category, condition failed: ${formatNearMiss(m, false)}`);
  for (const m of p.otherKeys) lines.push(`      passed ${nextName} under another join key: ${formatNearMiss(m, true)}`);
  return lines;
}

function formatUnmatched(u: UnmatchedStageEvent, missing: boolean[]): string[] {
  let prev = u.stage - 1;
  while (prev >= 0 && missing[prev]) prev--;
  const lines = [`    ${where(u.event)} passed ${stageName(u.stage)}, but no sequence of this join key was waiting at ${stageName(prev)}`];
  if (u.previous) {
    const p = u.previous;
    lines.push(
      p.passed
        ? `      the latest ${stageName(prev)} event of this key before it, ${where(p.event)} (${formatDuration(p.beforeMillis)} before), passed but its sequence had already ended or advanced`
        : `      the latest ${stageName(prev)} category event of this key before it, ${where(p.event)} (${formatDuration(p.beforeMillis)} before), failed: ${p.failedTerms.join('; ')}`,
    );
  }
  if (u.laterPrevious) lines.push(`      a ${stageName(prev)} event of this key came only after it: ${where(u.laterPrevious)} (a sequence keeps stage order)`);
  return lines;
}

const END_LABELS: Record<string, string> = {
  expired: 'expired',
  until: 'cancelled by until',
  replaced: 'replaced',
  'no-next-event': 'waiting when the input ended',
  'missing-event': 'discarded by a missing-event stage',
};

/** `3 partial sequences (2 expired, 1 replaced)`. */
function formatEnds(ends: KeyExplanation['ends']): string {
  const entries = Object.entries(ends).filter(([, n]) => (n ?? 0) > 0) as Array<[string, number]>;
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const detail = entries.map(([reason, n]) => `${n} ${END_LABELS[reason] ?? reason}`).join(', ');
  return `${plural(total, 'partial sequence')}${detail ? ` (${detail})` : ''}`;
}

function formatKey(k: KeyExplanation, e: Extract<Explanation, { kind: 'sequence' }>, missing: boolean[]): string[] {
  const lines = [
    `  join keys ${stringifyExact(k.joinKeys)}: ${plural(k.completed, 'sequence')} completed, ${formatEnds(k.ends)}, ${plural(k.unmatchedCount, 'unmatched event')}`,
  ];
  const partialCount = Object.values(k.ends).reduce((sum, n) => sum + (n ?? 0), 0);
  for (const p of k.partials.slice(0, MAX_TEXT_ITEMS_PER_KEY)) lines.push(...formatPartial(p, e, missing));
  const shownPartials = Math.min(k.partials.length, MAX_TEXT_ITEMS_PER_KEY);
  if (partialCount > shownPartials) lines.push(`    … and ${partialCount - shownPartials} more partial sequences`);
  for (const u of k.unmatched.slice(0, MAX_TEXT_ITEMS_PER_KEY)) lines.push(...formatUnmatched(u, missing));
  const shownUnmatched = Math.min(k.unmatched.length, MAX_TEXT_ITEMS_PER_KEY);
  if (k.unmatchedCount > shownUnmatched) lines.push(`    … and ${k.unmatchedCount - shownUnmatched} more unmatched events`);
  return lines;
}

/**
 * Formats an explanation as text lines (no trailing newlines), control characters escaped.
 *
 * @param e the explanation.
 */
export function formatExplanationText(e: Explanation): string[] {
  const lines = ['explanation:'];
  if (e.kind === 'sequence') {
    const span = e.maxspanMillis !== undefined ? `; maxspan ${formatDuration(e.maxspanMillis)}` : '';
    lines.push(`  ${plural(e.events, 'event')} replayed; ${plural(e.completed, 'sequence')} completed, ${e.matches} returned${span}`);
  } else {
    lines.push(`  ${plural(e.events, 'event')} replayed; ${plural(e.matches, 'match', 'matches')} returned`);
  }
  for (const s of e.stages) lines.push(...formatStage(s, e.kind));
  if (e.kind === 'sequence') {
    if (e.until) lines.push(...formatStage(e.until, e.kind));
    const first = e.missingStages.indexOf(false);
    if (first >= 0 && e.stages[e.stageOfExpanded[first]].passed === 0) {
      lines.push(`  no event passed ${stageName(first)}: no sequence could start`);
    }
    lines.push(`  ${formatEnds(e.ends)} never completed; ${plural(e.unmatchedCount, 'unmatched event')} (passed a stage with nothing waiting at the previous one)`);
    if (e.keys.length === 0) lines.push('  no join key had a sequence in progress');
    for (const k of e.keys.slice(0, MAX_TEXT_KEYS)) lines.push(...formatKey(k, e, e.missingStages));
    if (e.keys.length > MAX_TEXT_KEYS) lines.push(`  … and ${e.keys.length - MAX_TEXT_KEYS} more join keys (--format json lists them all)`);
  }
  return lines.map(escapeControlCharacters);
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Renames object keys to snake_case, recursively (join key values are never objects). */
function toSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnake);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[snakeCase(k)] = toSnake(v);
    return out;
  }
  return value;
}

/**
 * Serialises an explanation as the final line of `--format json` output (no newline): `type`
 * first, then the explanation's fields in snake_case (see {@link EXPLAIN_JSON_NOTES}); DEL, C1
 * controls, U+2028, U+2029 and bidirectional formatting characters escaped as `\uXXXX`.
 */
export function explanationToJsonLine(e: Explanation): string {
  return toSafeJsonLine({ type: 'explanation', ...(toSnake(e) as object) });
}
