/**
 * Comparing a case's expectations with the matches of a replay: the number of matches, the matches
 * that must be found (each an ordered list of events), and the events that must be in no match.
 * Plain data in, plain data out.
 */
import { getFieldValues } from '../engine/fields';
import type { EventRecord, Match } from '../engine/types';
import * as nodePath from 'node:path';
import type { CountExpectation, EventRef, ExpectedMatch, RuleTestCase } from './testFile';

/** A `must_not_match` event found in a match. */
export interface ForbiddenHit {
  ref: EventRef;
  /** 0-based index of the match in the replay's results. */
  matchIndex: number;
}

/** The outcome of comparing one case. */
export interface CaseComparison {
  passed: boolean;
  /** One sentence per failed expectation, in the order: count, missing, unexpected, must-not-match, unknown events. */
  reasons: string[];
  /** Expected matches found: expected index → match index. */
  found: Array<{ expected: number; match: number }>;
  /** Expected matches not found (indexes into the case's `matches`). */
  missing: number[];
  /** Matches no expected match took (indexes into the results); a failure only when the case lists its matches and gives no count. */
  unexpected: number[];
  /** Whether `unexpected` matches make the case fail. */
  unexpectedFail: boolean;
  forbidden: ForbiddenHit[];
  /** Events named by the case that no sample event is (a typo in a line number or an id). */
  unknown: EventRef[];
}

/** Whether an event is the one a reference names. */
export function refersTo(ref: EventRef, event: EventRecord): boolean {
  if (ref.kind === 'line') return event.source.line === ref.line && nodePath.resolve(event.source.file) === nodePath.resolve(ref.file);
  return getFieldValues(event.doc, ref.field).some((v) => v === ref.value || (typeof v !== 'object' && String(v) === String(ref.value)));
}

/** The events of a match that are not missing-event placeholders, in stage order. */
export function matchEvents(match: Match): EventRecord[] {
  return match.events.flatMap((e) => (e.event ? [e.event] : []));
}

function satisfies(expected: ExpectedMatch, match: Match): boolean {
  const events = matchEvents(match);
  return events.length === expected.events.length && expected.events.every((ref, i) => refersTo(ref, events[i]));
}

/** The count a case expects, stated for a message: "exactly 2", "at least 1", "between 1 and 3". */
export function describeCount(count: CountExpectation): string | undefined {
  if (count.exactly !== undefined) return `exactly ${count.exactly}`;
  if (count.atLeast !== undefined && count.atMost !== undefined) return `between ${count.atLeast} and ${count.atMost}`;
  if (count.atLeast !== undefined) return `at least ${count.atLeast}`;
  if (count.atMost !== undefined) return `at most ${count.atMost}`;
  return undefined;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 'es'}`;

/**
 * Compares a case with the replay's matches.
 *
 * - Count: the case's `matches` / `min_matches` / `max_matches`; when it gives none but lists
 *   matches, exactly the listed ones are expected (extra matches are unexpected).
 * - Each listed match must be found: a result with the same events, in the same order (its
 *   missing-event placeholders left aside). Each result serves one listed match at most.
 * - No `must_not_match` event may be in any result.
 *
 * @param testCase the case.
 * @param matches the replay's results, in result order.
 * @param events every event read from the samples (to tell a reference that names no event).
 */
export function compareCase(testCase: RuleTestCase, matches: readonly Match[], events: readonly EventRecord[]): CaseComparison {
  const reasons: string[] = [];
  const used = new Set<number>();
  const found: CaseComparison['found'] = [];
  const missing: number[] = [];
  testCase.matches.forEach((expected, i) => {
    const m = matches.findIndex((match, j) => !used.has(j) && satisfies(expected, match));
    if (m < 0) missing.push(i);
    else {
      used.add(m);
      found.push({ expected: i, match: m });
    }
  });
  const unexpected = matches.map((_, j) => j).filter((j) => !used.has(j));
  const implied = describeCount(testCase.count) === undefined && testCase.matches.length > 0;
  const count: CountExpectation = implied ? { exactly: testCase.matches.length } : testCase.count;
  const n = matches.length;
  const countOk =
    (count.exactly === undefined || n === count.exactly) &&
    (count.atLeast === undefined || n >= count.atLeast) &&
    (count.atMost === undefined || n <= count.atMost);
  if (!countOk) reasons.push(`expected ${describeCount(count)} ${count.exactly === 1 || (count.exactly === undefined && (count.atLeast ?? count.atMost) === 1) ? 'match' : 'matches'}, got ${n}`);
  if (missing.length > 0) reasons.push(`${plural(missing.length, 'expected match')} not found`);
  const unexpectedFail = implied && unexpected.length > 0;
  if (unexpectedFail) reasons.push(`${plural(unexpected.length, 'unexpected match')}`);
  const forbidden: ForbiddenHit[] = [];
  for (const ref of testCase.mustNotMatch) {
    matches.forEach((match, j) => {
      if (matchEvents(match).some((e) => refersTo(ref, e))) forbidden.push({ ref, matchIndex: j });
    });
  }
  if (forbidden.length > 0) reasons.push(`${forbidden.length} must-not-match event${forbidden.length === 1 ? '' : 's'} matched`);
  const refs = [...testCase.matches.flatMap((m) => m.events), ...testCase.mustNotMatch];
  const unknown = refs.filter((ref) => !events.some((e) => refersTo(ref, e)));
  if (unknown.length > 0) reasons.push(`${unknown.length} named event${unknown.length === 1 ? ' is' : 's are'} in no sample: ${unknown.map((r) => r.text).join(', ')}`);
  return { passed: reasons.length === 0, reasons, found, missing, unexpected, unexpectedFail, forbidden, unknown };
}
