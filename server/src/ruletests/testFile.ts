/**
 * Rule test files: `<name>.test.toml`, TOML (parsed by smol-toml), naming the rule under test, the
 * sample logs it is replayed over, and cases with expectations. The format is documented in the
 * README ("Rule tests"); in short:
 *
 * ```toml
 * rule = "incoming_execution_via_powershell_remoting.toml"   # relative to this file
 * samples = ["../logs/**\/*.ndjson", "../logs/endpoint/wks-07.jsonl"]
 * exceptions = ["admin-hosts.exceptions.toml"]                 # optional
 * [options]                                                     # optional replay options
 * timestamp_field = "@timestamp"
 *
 * [[case]]
 * name = "remote commands on two hosts"
 * matches = 2                    # or min_matches / max_matches
 * must_not_match = ["../logs/endpoint/win-dc01.ndjson:8", { "event.id" = "n-17" }]
 * [[case.match]]
 * events = ["../logs/endpoint/win-dc01.ndjson:4", { "event.id" = "p-6" }]
 * ```
 *
 * The reader checks everything and reports every problem with its 1-based line; a file with any
 * problem is not run.
 */
import * as nodePath from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { isTable, tomlErrorMessage } from '../samples/ruleFile';
import type { ReplayOptions } from '../engine/types';
import { indexTomlLines, lineOf } from './tomlLines';

/** File names of rule test files: `*.test.toml`. */
export const TEST_FILE_SUFFIX = '.test.toml';

/** A path written in a test file, relative to its folder (absolute paths are kept). */
export function inFolder(dir: string, path: string): string {
  return nodePath.isAbsolute(path) ? path : nodePath.join(dir, path);
}

/** Whether a file name is a rule test file's. */
export function isRuleTestFileName(name: string): boolean {
  return name.toLowerCase().endsWith(TEST_FILE_SUFFIX);
}

/**
 * One event named by a test: by sample file and 1-based line (`path:line`, the path relative to the
 * test file's folder), or by the value of a field (`{ "event.id" = "x" }`: the event whose field has
 * that value, or, for an array field, holds it).
 */
export type EventRef =
  | { kind: 'line'; file: string; line: number; text: string; at: number }
  | { kind: 'field'; field: string; value: string | number | boolean; text: string; at: number };

/** A match a case expects: its events in stage order (missing-event placeholders are not written). */
export interface ExpectedMatch {
  events: EventRef[];
  /** 1-based line of its `[[case.match]]` header. */
  at: number;
}

/**
 * Replay options, with the meaning of the `_eql/search` parameters of the same names; `mapping` is
 * the path of an index mapping (JSON) relative to the test file's folder.
 */
export type TestReplayOptions = ReplayOptions & { mapping?: string };

/** The expected number of matches. */
export interface CountExpectation {
  exactly?: number;
  atLeast?: number;
  atMost?: number;
}

/** One case of a test file. */
export interface RuleTestCase {
  name: string;
  /** 1-based line of its `[[case]]` header. */
  at: number;
  /** Sample files, folders or globs, relative to the test file's folder (the case's own, or the file's). */
  samples: string[];
  /** Exception files (Kibana export `.ndjson`, or `.toml`), relative to the test file's folder. */
  exceptions: string[];
  /** The file's `[options]` with the case's `[case.options]` over them. */
  options: TestReplayOptions;
  /** Absent keys: no count expectation of that kind. */
  count: CountExpectation;
  matches: ExpectedMatch[];
  mustNotMatch: EventRef[];
}

/** A test file that was read without problems. */
export interface RuleTestFile {
  /** The path as given. */
  path: string;
  /** The rule file path: `rule` joined onto the test file's folder. */
  rule: string;
  cases: RuleTestCase[];
}

/** A problem of a test file: 1-based line (and column for TOML syntax errors). */
export interface TestFileProblem {
  file: string;
  line: number;
  column?: number;
  message: string;
}

const TOP_KEYS = new Set(['rule', 'samples', 'exceptions', 'options', 'case', 'description']);
const CASE_KEYS = new Set(['name', 'description', 'samples', 'exceptions', 'options', 'matches', 'min_matches', 'max_matches', 'match', 'must_not_match']);
const MATCH_KEYS = new Set(['events', 'description']);
const OPTION_KEYS: Record<string, keyof TestReplayOptions> = {
  timestamp_field: 'timestampField',
  tiebreaker_field: 'tiebreakerField',
  event_category_field: 'eventCategoryField',
  size: 'size',
  result_position: 'resultPosition',
  max_samples_per_key: 'maxSamplesPerKey',
  mapping: 'mapping',
};

/**
 * Reads the text of a rule test file.
 *
 * @param text the file's content.
 * @param path the file's path as given (recorded in problems; relative paths in the file are joined
 *   onto its folder).
 * @returns `{ testFile }` when the file is valid, else `{ problems }`: every problem found, each with
 *   its 1-based line (TOML syntax errors: the parser's line and column, and nothing else is checked).
 */
export function parseRuleTestFile(
  text: string,
  path: string,
): { testFile: RuleTestFile; problems?: undefined } | { testFile?: undefined; problems: TestFileProblem[] } {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const line = e instanceof TomlError ? e.line : 1;
    const column = e instanceof TomlError ? e.column : undefined;
    return { problems: [{ file: path, line, ...(column !== undefined ? { column } : {}), message: tomlErrorMessage(e) }] };
  }
  const index = indexTomlLines(text);
  const problems: TestFileProblem[] = [];
  const report = (at: string, message: string, needle?: string): void => {
    problems.push({ file: path, line: lineOf(index, text, at, needle), message });
  };
  const dir = nodePath.dirname(path);

  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) report(key, `unknown key \`${key}\` (expected one of: ${[...TOP_KEYS].join(', ')})`);
  }
  let rule = '';
  if (typeof doc.rule === 'string' && doc.rule.trim() !== '') rule = inFolder(dir, doc.rule);
  else report(doc.rule === undefined ? '' : 'rule', doc.rule === undefined ? 'missing `rule`: the path of the rule file (.eql or detection-rules .toml) this file tests' : '`rule` must be a non-empty string: the path of the rule file');

  const fileSamples = readPaths(doc.samples, 'samples', report);
  const fileExceptions = readPaths(doc.exceptions, 'exceptions', report) ?? [];
  const fileOptions = readOptions(doc.options, 'options', report);

  const cases: RuleTestCase[] = [];
  if (!Array.isArray(doc.case) || doc.case.length === 0) {
    report(doc.case === undefined ? '' : 'case', 'no test case: add at least one `[[case]]` table with a `name`');
  } else {
    const names = new Map<string, number>();
    doc.case.forEach((raw: unknown, i: number) => {
      const at = `case[${i}]`;
      const headerLine = lineOf(index, text, at);
      if (!isTable(raw)) {
        report(at, '`case` must be an array of tables (`[[case]]`)');
        return;
      }
      for (const key of Object.keys(raw)) {
        if (!CASE_KEYS.has(key)) report(`${at}.${key}`, `unknown key \`${key}\` in a case (expected one of: ${[...CASE_KEYS].join(', ')})`);
      }
      let name = '';
      if (typeof raw.name === 'string' && raw.name.trim() !== '') {
        name = raw.name;
        const first = names.get(name);
        if (first !== undefined) report(`${at}.name`, `duplicate case name "${name}" (first at line ${first})`);
        else names.set(name, lineOf(index, text, `${at}.name`));
      } else {
        report(raw.name === undefined ? at : `${at}.name`, raw.name === undefined ? 'the case has no `name`' : '`name` must be a non-empty string');
      }
      const samples = readPaths(raw.samples, `${at}.samples`, report) ?? fileSamples;
      if (samples === undefined || samples.length === 0) {
        report(at, 'no samples: set `samples` (files, folders or globs) at the top of the file or in the case');
      }
      const exceptions = readPaths(raw.exceptions, `${at}.exceptions`, report) ?? fileExceptions;
      const options = { ...fileOptions, ...readOptions(raw.options, `${at}.options`, report) };
      const count: CountExpectation = {};
      for (const [key, field] of [['matches', 'exactly'], ['min_matches', 'atLeast'], ['max_matches', 'atMost']] as const) {
        const v = raw[key];
        if (v === undefined) continue;
        if (isCount(v)) count[field] = Number(v);
        else report(`${at}.${key}`, `\`${key}\` must be a whole number ≥ 0`);
      }
      if (count.exactly !== undefined && (count.atLeast !== undefined || count.atMost !== undefined)) {
        report(`${at}.matches`, '`matches` (exactly) cannot be combined with `min_matches` or `max_matches`');
      }
      if (count.atLeast !== undefined && count.atMost !== undefined && count.atLeast > count.atMost) {
        report(`${at}.min_matches`, `\`min_matches\` (${count.atLeast}) is greater than \`max_matches\` (${count.atMost})`);
      }
      const matches: ExpectedMatch[] = [];
      if (raw.match !== undefined) {
        if (!Array.isArray(raw.match)) report(`${at}.match`, '`match` must be an array of tables (`[[case.match]]`)');
        else {
          raw.match.forEach((m: unknown, j: number) => {
            const mAt = `${at}.match[${j}]`;
            if (!isTable(m)) {
              report(mAt, 'each `[[case.match]]` must be a table with `events`');
              return;
            }
            for (const key of Object.keys(m)) {
              if (!MATCH_KEYS.has(key)) report(`${mAt}.${key}`, `unknown key \`${key}\` in a match (expected: events, description)`);
            }
            if (!Array.isArray(m.events) || m.events.length === 0) {
              report(m.events === undefined ? mAt : `${mAt}.events`, '`events` must be a non-empty array of events ("file:line" or { "field" = value }), in stage order');
              return;
            }
            const events = m.events.map((e: unknown, k: number) => readEventRef(e, `${mAt}.events[${k}]`, dir, report, index, text));
            if (events.every((e): e is EventRef => e !== undefined)) matches.push({ events, at: lineOf(index, text, mAt) });
          });
        }
      }
      const mustNotMatch: EventRef[] = [];
      if (raw.must_not_match !== undefined) {
        if (!Array.isArray(raw.must_not_match)) report(`${at}.must_not_match`, '`must_not_match` must be an array of events ("file:line" or { "field" = value })');
        else {
          raw.must_not_match.forEach((e: unknown, k: number) => {
            const ref = readEventRef(e, `${at}.must_not_match[${k}]`, dir, report, index, text);
            if (ref) mustNotMatch.push(ref);
          });
        }
      }
      cases.push({ name, at: headerLine, samples: samples ?? [], exceptions, options, count, matches, mustNotMatch });
    });
  }
  if (problems.length > 0) return { problems: problems.sort((a, b) => a.line - b.line) };
  return { testFile: { path, rule, cases } };
}

type Report = (at: string, message: string, needle?: string) => void;

function isCount(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'bigint' && v >= 0n);
}

/** A string or an array of strings; undefined when absent (or invalid, after reporting). */
function readPaths(v: unknown, at: string, report: Report): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v !== '') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '')) return v as string[];
  report(at, `\`${at.replace(/^.*\./, '')}\` must be a path or glob, or an array of them (non-empty strings)`);
  return undefined;
}

function readOptions(v: unknown, at: string, report: Report): TestReplayOptions {
  const out: TestReplayOptions = {};
  if (v === undefined) return out;
  if (!isTable(v)) {
    report(at, '`options` must be a table');
    return out;
  }
  for (const [key, value] of Object.entries(v)) {
    const name = OPTION_KEYS[key];
    const where = `${at}.${key}`;
    if (!name) {
      report(where, `unknown option \`${key}\` (expected one of: ${Object.keys(OPTION_KEYS).join(', ')})`);
      continue;
    }
    if (name === 'size' || name === 'maxSamplesPerKey') {
      if (isCount(value) && !(name === 'maxSamplesPerKey' && Number(value) < 1)) out[name] = Number(value);
      else report(where, `\`${key}\` must be a whole number ≥ ${name === 'size' ? 0 : 1}`);
    } else if (name === 'resultPosition') {
      if (value === 'head' || value === 'tail') out.resultPosition = value;
      else report(where, '`result_position` must be "head" or "tail"');
    } else if ((name === 'timestampField' || name === 'eventCategoryField') && value === '') {
      // As `_eql/search` (`EqlSearchRequest.validate`: "@timestamp field is null or empty").
      report(where, `\`${key}\` must name a field (Elasticsearch rejects an empty one)`);
    } else if (typeof value === 'string') {
      out[name] = value;
    } else {
      report(where, `\`${key}\` must be a string`);
    }
  }
  return out;
}

/**
 * Reads an event reference: `"path:line"` (path relative to the test file's folder, 1-based line)
 * or a table holding one field and its value (`{ "event.id" = "x" }`; `{ event.id = "x" }`, which
 * TOML reads as a nested table, means the same).
 */
function readEventRef(
  v: unknown,
  at: string,
  dir: string,
  report: Report,
  index: ReturnType<typeof indexTomlLines>,
  text: string,
): EventRef | undefined {
  const line = (needle?: string) => lineOf(index, text, at, needle);
  if (typeof v === 'string') {
    const m = /^(.+):(\d+)$/.exec(v);
    if (!m || Number(m[2]) < 1) {
      report(at, `"${v}" is not an event: expected "file:line" (1-based line) or { "field" = value }`, v);
      return undefined;
    }
    return { kind: 'line', file: inFolder(dir, m[1]), line: Number(m[2]), text: v, at: line(v) };
  }
  if (isTable(v)) {
    const leaves: Array<[string, unknown]> = [];
    const walk = (obj: Record<string, unknown>, prefix: string): void => {
      for (const [k, val] of Object.entries(obj)) {
        const name = prefix ? `${prefix}.${k}` : k;
        if (isTable(val)) walk(val, name);
        else leaves.push([name, val]);
      }
    };
    walk(v, '');
    if (leaves.length === 1) {
      const [field, value] = leaves[0];
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
        const shown = `${field} = ${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)}`;
        const v2 = typeof value === 'bigint' ? Number(value) : value;
        const needle = field.split('.').pop();
        return { kind: 'field', field, value: v2, text: shown, at: line(needle) };
      }
    }
    report(at, 'an event given by a field must be a table with exactly one field and a string, number or boolean value, e.g. { "event.id" = "x" }', Object.keys(v)[0]);
    return undefined;
  }
  report(at, 'an event must be "file:line" or { "field" = value }');
  return undefined;
}
