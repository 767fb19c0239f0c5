/**
 * Recording a case's expected result: the case's listed matches and count keys are replaced by the
 * matches of a replay, each written as a `[[case.match]]` table whose events are named by a stable
 * id when they have one (`event.id`, `_id`, …: robust to lines moving) and by `file:line` otherwise.
 * Everything else in the file (comments, other cases, `must_not_match`, options) is kept as written.
 */
import * as nodePath from 'node:path';
import type { EventRecord, Match } from '../engine/types';
import { matchEvents } from './expectations';
import { getFieldValues } from '../engine/fields';
import { TEST_FILE_SUFFIX } from './testFile';

/** Fields that identify an event across edits of its file, tried in this order when recording. */
export const STABLE_ID_FIELDS = ['event.id', '_id', 'process.entity_id', 'winlog.record_id', 'event.sequence'] as const;

/** The value of the first stable id field an event has (for `{ "field" = value }` references). */
export function stableId(event: EventRecord): { field: string; value: string | number } | undefined {
  for (const field of STABLE_ID_FIELDS) {
    const values = getFieldValues(event.doc, field);
    if (values.length === 1 && (typeof values[0] === 'string' || typeof values[0] === 'number')) return { field, value: values[0] };
  }
  return undefined;
}

/** How an event is written in a test file, relative to the test file's folder (with `/`). */
export function eventRefText(event: EventRecord, testFileDir: string): string {
  const id = stableId(event);
  if (id) return `{ ${JSON.stringify(id.field)} = ${JSON.stringify(id.value)} }`;
  const rel = nodePath.relative(testFileDir, event.source.file).split(nodePath.sep).join('/');
  return JSON.stringify(`${rel}:${event.source.line}`);
}

/** The `[[case.match]]` tables for the matches (no trailing blank line). */
export function matchTables(matches: readonly Match[], testFileDir: string): string[] {
  const lines: string[] = [];
  for (const m of matches) {
    lines.push('[[case.match]]', `events = [${matchEvents(m).map((e) => eventRefText(e, testFileDir)).join(', ')}]`);
  }
  return lines;
}

const HEADER = /^\s*\[/;
const CASE_HEADER = /^\s*\[\[\s*case\s*\]\]/;
const CASE_MATCH_HEADER = /^\s*\[\[\s*case\s*\.\s*match\s*\]\]/;
const CASE_SUBTABLE = /^\s*\[\[?\s*case\s*\./;
const COUNT_KEY = /^\s*(matches|min_matches|max_matches)\s*=/;

/**
 * Rewrites the case whose `[[case]]` header is on `caseLine` so that it expects exactly `matches`.
 *
 * @param text the test file's text.
 * @param caseLine 1-based line of the case's `[[case]]` header.
 * @param matches the matches to record, in result order.
 * @param testFileDir the test file's folder (event paths are written relative to it).
 * @returns the new text (line ends as in `text`).
 * @throws Error when `caseLine` is not a `[[case]]` header.
 */
export function recordCase(text: string, caseLine: number, matches: readonly Match[], testFileDir: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r\n|\n/);
  const start = caseLine - 1;
  if (!CASE_HEADER.test(lines[start] ?? '')) throw new Error(`line ${caseLine} is not a [[case]] header`);
  // The case runs to the next header that is not one of its own sub-tables.
  let end = start + 1;
  while (end < lines.length && !(HEADER.test(lines[end]) && !CASE_SUBTABLE.test(lines[end]))) end++;
  // Trailing blank lines and comments before the next table stay outside the case.
  let bodyEnd = end;
  while (bodyEnd > start + 1 && /^\s*(#.*)?$/.test(lines[bodyEnd - 1])) bodyEnd--;
  const kept: string[] = [];
  let inMatch = false;
  for (let i = start; i < bodyEnd; i++) {
    const line = lines[i];
    if (CASE_MATCH_HEADER.test(line)) {
      inMatch = true;
      continue;
    }
    if (HEADER.test(line)) inMatch = false;
    if (inMatch) continue;
    if (COUNT_KEY.test(line)) continue;
    kept.push(line);
  }
  while (kept.length > 1 && /^\s*$/.test(kept[kept.length - 1])) kept.pop();
  const recorded = matches.length > 0 ? matchTables(matches, testFileDir) : ['matches = 0'];
  // With no match, `matches = 0` must sit among the case's keys, before any sub-table.
  if (matches.length === 0) {
    const firstSub = kept.findIndex((l, k) => k > 0 && HEADER.test(l));
    if (firstSub > 0) kept.splice(firstSub, 0, ...recorded);
    else kept.push(...recorded);
  } else kept.push(...recorded);
  return [...lines.slice(0, start), ...kept, ...lines.slice(bodyEnd)].join(eol);
}

/** The test file beside a rule: `x.eql` / `x.toml` → `x.test.toml`. */
export function testFileFor(rulePath: string): string {
  return rulePath.replace(/\.(eql|toml)$/i, '') + TEST_FILE_SUFFIX;
}
