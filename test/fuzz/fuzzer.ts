/**
 * Fuzzing of the whole path a rule and a log take: random and mutated EQL rules through `analyze`,
 * and when they have no error through `replay` (and `explainReplay`, and the sample replay's raw-line
 * prefilter) over ECS and Endgame events;
 * mutated NDJSON lines through `parseNdjsonText` and a few replays. The property: no input ever
 * gives an `internal` diagnostic or an error that is neither a rule error Elasticsearch also reports
 * (`EqlEvaluationError`, a script failing on one event) nor a reported input problem.
 *
 * Seeds: the rules and logs under `samples/`, the inputs of `test/fuzz/corpus/` (every input that
 * ever failed), a built-in list covering the grammar, and when present the Elasticsearch
 * conformance suite and the prebuilt detection rules under `../shared`. A seeded PRNG makes every
 * run reproducible (`seed`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { analyze } from '../../server/src/eql/analyze';
import { EqlEvaluationError } from '../../server/src/engine/errors';
import { explainReplay } from '../../server/src/engine/explain';
import { compilePrefilter } from '../../server/src/engine/prefilter';
import { replay, type ReplayRunOptions } from '../../server/src/engine/replay';
import type { EventRecord } from '../../server/src/engine/types';
import { parseNdjsonText } from '../../server/src/samples/ndjson';
import { computeCompletions } from '../../server/src/services/completion';
import { computeHover } from '../../server/src/services/hover';
import { prng } from './prng';

export const ROOT = path.resolve(__dirname, '..', '..');
const SHARED = path.resolve(ROOT, '..', 'shared');
export const CORPUS = path.join(ROOT, 'test', 'fuzz', 'corpus');

/** One input that broke a property. */
export interface FuzzFailure {
  kind: 'rule' | 'ndjson';
  input: string;
  error: string;
}

export interface FuzzReport {
  /** Inputs tried (rules + NDJSON texts). */
  inputs: number;
  rules: number;
  /** Rules without errors, replayed. */
  replayed: number;
  ndjson: number;
  failures: FuzzFailure[];
  ms: number;
}

export interface FuzzOptions {
  inputs: number;
  seed?: number;
  /** Share of NDJSON inputs (0..1); default 0.25. */
  ndjsonShare?: number;
  /** Called for each failure as it is found. */
  onFailure?: (f: FuzzFailure) => void;
  /** Called every 10,000 inputs. */
  onProgress?: (done: number) => void;
}

const BUILT_IN_RULES = [
  'process where process.name == "cmd.exe"',
  'process where process.name : ("cmd*", "powershell.exe") and not process.args : "-enc*"',
  'any where true | head 3',
  'network where destination.port in (80, 443) and source.ip != "127.0.0.1" | tail 2',
  'process where length(process.command_line) > 10 and startsWith~(process.name, "CMD")',
  'process where process.pid + 1 - 2 * 3 / 4 % 5 >= -1',
  'file where file.path like~ "C:\\\\Windows\\\\*" or file.name regex "[a-z]{2,5}\\\\.exe"',
  'sequence by host.id with maxspan=30s [network where true] [process where event.type == "start"]',
  'sequence by host.id [process where true] with runs=3 until [process where event.type == "end"]',
  'sequence with maxspan=1h [process where true] by process.pid ![file where true] [network where true] by process.pid',
  'sample by host.id [process where true] [network where true]',
  'process where cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16")',
  'process where concat(process.name, "-", process.pid) : "*-1*"',
  'process where ?process.missing == null and `weird field` != "x"',
  'process where between(process.command_line, "a", "z", false) != "" and indexOf(process.name, "e") > 0',
  'process where number(process.args, 16) == 255 or string(process.pid) == "4"',
  'process where add(process.pid, 1) == multiply(2, 3) and divide(10, process.pid) > 0',
  'registry where registry.path : "HKLM\\\\*" and registry.data.strings : "*.dll"',
  'process where process.name in~ ("CMD.EXE", "pwsh.exe") and process.pid not in (0, 4)',
  'process where endsWith(process.executable, ".exe") and stringContains(process.name, "sh")',
  'process where substring(process.name, 0, 3) == "cmd" and trim(" a ") == "a"',
  'process where process.args_count > 2 and modulo(process.pid, 2) == 0',
  'library where startswith~(dll.name, process.name)',
];

/** Snippets the mutator inserts: every kind of token and some hostile ones. */
const SNIPPETS = [
  ' and ', ' or ', ' not ', '(', ')', '[', ']', ' where ', ' true ', ' false ', ' null ', '==', '!=', '<', '<=', '>', '>=', ':', ' : ',
  ' like ', ' like~ ', ' regex ', ' regex~ ', ' in ', ' in~ ', ' not in ', '+', '-', '*', '/', '%', ',', '.', '~', '?', '!',
  '"a*"', '"*"', '"?"', '"\\\\"', '"\\u{1F600}"', '"x\\"y"', '"""raw"""', "'single'", '"[a-z]+"', '"(a|b)*c"', '"a{2,5}"', '"#"', '"@"', '"<1-100>"',
  '0', '1', '-1', '2147483648', '9223372036854775807', '9223372036854775808', '18446744073709551616', '1e308', '1.5', '0.0',
  '9'.repeat(400), 'process.name', 'process.pid', 'host.id', 'event.category', 'user.name', '`a b`', '?opt.field', 'constructor', '__proto__',
  'toString', 'length(', 'concat(', 'cidrMatch(', 'number(', 'startsWith~(', 'between(', 'substring(', 'add(', 'divide(', 'modulo(',
  ' | head 1', ' | tail 1', ' | head -1', ' | count', ' | unique x', ' with maxspan=1s', ' with maxspan=0s', ' with runs=2', ' with runs=100',
  ' by host.id', ' until [process where true]', ' sequence ', ' sample ', ' any ', '![file where true]', '/* c */', '// c\n', '\n', '\t',
  '\u200b', '\ufeff', '\u0000', '\u202e', '\ud800',
];

/** Hand-worked hostile shapes: long chains, deep nesting, big lists (bounded sizes to stay fast). */
function generatedRule(rand: () => number): string {
  const n = 1 + Math.floor(rand() * 400);
  switch (Math.floor(rand() * 8)) {
    case 0:
      return 'process where ' + Array.from({ length: n }, (_, i) => `process.name == "p${i}"`).join(rand() < 0.5 ? ' or ' : ' and ');
    case 1:
      return 'process where process.pid == ' + Array(n).fill('1').join(rand() < 0.5 ? ' + ' : ' - ');
    case 2:
      return 'process where process.name : (' + Array.from({ length: n * 5 }, (_, i) => `"p${i}*"`).join(', ') + ')';
    case 3:
      return `process where ${'not '.repeat(n * 2)}true`;
    case 4:
      return `process where ${'('.repeat(n * 2)}true${')'.repeat(n * 2)}`;
    case 5:
      return `process where process.pid == ${'-'.repeat(n * 2)}1`;
    case 6:
      return `process where ${'length('.repeat(Math.min(n, 60))}process.name${')'.repeat(Math.min(n, 60))} > 0`;
    default:
      return `sequence by host.id ${Array.from({ length: Math.min(n, 20) }, () => '[process where true]').join(' ')}`;
  }
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

/** One random edit of `text`: insert, delete, replace, duplicate a span, or splice with another seed. */
export function mutate(rand: () => number, text: string, seeds: readonly string[]): string {
  let t = text;
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (t.length + 1));
    const len = Math.floor(rand() * Math.min(12, t.length - at + 1));
    switch (Math.floor(rand() * 6)) {
      case 0:
        t = t.slice(0, at) + pick(rand, SNIPPETS) + t.slice(at);
        break;
      case 1:
        t = t.slice(0, at) + t.slice(at + len);
        break;
      case 2:
        t = t.slice(0, at) + pick(rand, SNIPPETS) + t.slice(at + len);
        break;
      case 3:
        t = t.slice(0, at + len) + t.slice(at, at + len).repeat(1 + Math.floor(rand() * 4)) + t.slice(at + len);
        break;
      case 4: {
        const other = pick(rand, seeds);
        t = t.slice(0, at) + other.slice(Math.floor(rand() * other.length));
        break;
      }
      default:
        t = t.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + t.slice(at + len);
    }
  }
  return t;
}

/** Mutations of one NDJSON line aimed at the reader: numbers, keys, nesting, BOM, NUL, surrogates. */
export function mutateLine(rand: () => number, line: string): string {
  const at = Math.floor(rand() * (line.length + 1));
  switch (Math.floor(rand() * 12)) {
    case 0:
      return line.slice(0, at) + line.slice(at + 1 + Math.floor(rand() * 10));
    case 1:
      return line.slice(0, at) + pick(rand, ['{', '}', '[', ']', ',', ':', '"', '\\', '\u0000', '\ufeff', '\ud800', '1e999', '-0']) + line.slice(at);
    case 2:
      return line.replace(/\d+/, pick(rand, ['9007199254740993', '18446744073709551616', '1e400', '-9223372036854775809', '0.1e-400']));
    case 3:
      return line.replace('{', '{"dup":1,"dup":2,');
    case 4:
      return line.replace('{', `{"deep":${'['.repeat(1 + Math.floor(rand() * 1200))}1${']'.repeat(1 + Math.floor(rand() * 1200))},`);
    case 5:
      return '\ufeff' + line;
    case 6:
      return line.replace('{', `{"constructor":"x","__proto__":{"a":1},"toString":[1,2],`);
    case 7:
      return line.replace('{', `{"process":{"name":[${Array.from({ length: 1 + Math.floor(rand() * 200) }, (_, i) => `"p${i}"`).join(',')}]},`);
    case 8:
      return line.slice(0, at);
    case 9:
      return line.replace(/"@timestamp":"[^"]*"/, pick(rand, ['"@timestamp":null', '"@timestamp":"x"', '"@timestamp":1e308', '"@timestamp":[]', '"@timestamp":{"a":1}', '"@timestamp":-1']));
    case 10:
      return line.replace(/"(\w+)":/, (_, k: string) => `"${k}.${k}":1,"${k}":`);
    default:
      return line + '\n' + line;
  }
}

function readIf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function filesUnder(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, ext));
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

/** Every `query` string of a TOML file (conformance suites, detection rules). */
function tomlQueries(file: string): string[] {
  const text = readIf(file);
  if (text === undefined) return [];
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch {
    return [];
  }
  const out: string[] = [];
  const stack: unknown[] = [doc];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'query' && typeof x === 'string') out.push(x);
        else stack.push(x);
      }
    }
  }
  return out;
}

/** The seed rules: built-in, samples, corpus, and the shared suites when present. */
export function seedRules(): string[] {
  const rules = [...BUILT_IN_RULES];
  for (const f of filesUnder(path.join(ROOT, 'samples'), /\.eql$/)) rules.push(readFileSync(f, 'utf8'));
  for (const f of filesUnder(path.join(ROOT, 'samples'), /\.toml$/)) rules.push(...tomlQueries(f));
  for (const f of filesUnder(path.join(SHARED, 'conformance'), /\.toml$/)) rules.push(...tomlQueries(f));
  for (const f of filesUnder(path.join(SHARED, 'detection-rules', 'rules'), /\.toml$/)) rules.push(...tomlQueries(f));
  return rules.filter((r) => r.trim() !== '');
}

/** The seed NDJSON lines: the samples' logs. */
export function seedLines(): string[] {
  const lines: string[] = [];
  for (const f of filesUnder(path.join(ROOT, 'samples'), /\.(ndjson|jsonl)$/)) {
    for (const l of readFileSync(f, 'utf8').split(/\r?\n/)) if (l.trim()) lines.push(l);
  }
  return lines;
}

interface EventSet {
  events: EventRecord[];
  options: ReplayRunOptions;
}

/** ECS events from the samples and, when present, the first Endgame events of the conformance data. */
export function eventSets(): EventSet[] {
  const sets: EventSet[] = [];
  const ecs = parseNdjsonText(seedLines().join('\n'), 'samples.ndjson').events;
  sets.push({ events: ecs, options: {} });
  const data = readIf(path.join(SHARED, 'conformance', 'elasticsearch', 'test_data.json'));
  if (data) {
    const docs = (JSON.parse(data) as Array<Record<string, unknown>>).slice(0, 60);
    sets.push({
      events: docs.map((doc, i) => ({ doc, source: { file: 'test_data.json', line: i + 1 } })),
      options: { eventCategoryField: 'event_type', timestampField: 'timestamp' },
    });
  }
  return sets;
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(e);
}

/** Whether the last {@link checkRule} got as far as replaying (the rule had no error). */
let lastRuleReplayed = false;

/**
 * Runs one rule through analyze, and when it has no error through replay and explain over each
 * event set; a hover and a completion at a position chosen by `rand`.
 * @returns what went wrong, or undefined when the properties hold.
 */
export function checkRule(text: string, sets: readonly EventSet[], rand: () => number = Math.random): string | undefined {
  lastRuleReplayed = false;
  let result: ReturnType<typeof analyze>;
  try {
    result = analyze(text);
  } catch (e) {
    return `analyze threw ${describeError(e)}`;
  }
  const internal = result.diagnostics.find((d) => d.code === 'internal');
  if (internal) return `internal diagnostic: ${internal.message}`;
  if (rand() < 0.1) {
    const offset = Math.floor(rand() * (text.length + 1));
    try {
      computeHover(text, offset);
      computeCompletions(text, offset);
    } catch (e) {
      return `hover/completion at ${offset} threw ${describeError(e)}`;
    }
  }
  if (!result.statement || result.diagnostics.some((d) => d.severity === 'error')) return undefined;
  lastRuleReplayed = true;
  for (const set of sets) {
    try {
      replay(result.statement, set.events, set.options);
      // The sample replay's raw-line prefilter walks the same rule (the CLI and the editor use it).
      const keep = compilePrefilter(result.statement, { eventCategoryField: set.options.eventCategoryField || 'event.category', mapping: set.options.mapping });
      if (keep && set.events.length > 0) keep(Buffer.from(JSON.stringify(set.events[0].doc)));
      if (rand() < 0.2) explainReplay(result.statement, set.events, set.options);
    } catch (e) {
      // A script failing on one event is what Elasticsearch does too (the search fails).
      if (e instanceof EqlEvaluationError) continue;
      return `replay of a rule without errors threw ${describeError(e)}`;
    }
  }
  return undefined;
}

const NDJSON_RULES = [
  'any where true',
  'sequence by host.id [any where true] [any where true]',
  'process where process.name : "*e*" or length(process.name) > 3',
  'sample by host.id [any where true] [any where true]',
].map((q) => analyze(q).statement!);

/**
 * Reads an NDJSON text and replays a few rules over its events.
 * @returns what went wrong, or undefined when every line was either an event or a reported problem.
 */
export function checkNdjson(text: string): string | undefined {
  let read: ReturnType<typeof parseNdjsonText>;
  try {
    read = parseNdjsonText(text, 'fuzz.ndjson');
  } catch (e) {
    return `parseNdjsonText threw ${describeError(e)}`;
  }
  for (const statement of NDJSON_RULES) {
    try {
      replay(statement, read.events);
    } catch (e) {
      if (e instanceof EqlEvaluationError) continue;
      return `replay threw ${describeError(e)}`;
    }
  }
  return undefined;
}

/** The inputs of the regression corpus: `{ rules, ndjson }` texts, one file each. */
export function corpusInputs(): { rules: Array<[string, string]>; ndjson: Array<[string, string]> } {
  const rules: Array<[string, string]> = [];
  const ndjson: Array<[string, string]> = [];
  for (const f of filesUnder(CORPUS, /\.(eql|ndjson)$/)) {
    const text = readFileSync(f, 'utf8');
    (f.endsWith('.eql') ? rules : ndjson).push([path.relative(ROOT, f), text]);
  }
  return { rules, ndjson };
}

/** Runs `inputs` fuzz inputs (see the module comment). */
export function runFuzz(options: FuzzOptions): FuzzReport {
  const started = Date.now();
  const rand = prng(options.seed ?? 1);
  const seeds = seedRules();
  const lines = seedLines();
  const sets = eventSets();
  const share = options.ndjsonShare ?? 0.25;
  const report: FuzzReport = { inputs: 0, rules: 0, replayed: 0, ndjson: 0, failures: [], ms: 0 };
  const fail = (f: FuzzFailure): void => {
    report.failures.push(f);
    options.onFailure?.(f);
  };
  for (let i = 0; i < options.inputs; i++) {
    if (rand() < share) {
      const n = 1 + Math.floor(rand() * 4);
      const text = Array.from({ length: n }, () => (rand() < 0.8 ? mutateLine(rand, pick(rand, lines)) : pick(rand, lines))).join(rand() < 0.9 ? '\n' : '\r\n');
      report.ndjson++;
      const error = checkNdjson(text);
      if (error) fail({ kind: 'ndjson', input: text, error });
    } else {
      const r = rand();
      const text = r < 0.05 ? generatedRule(rand) : r < 0.15 ? pick(rand, seeds) : mutate(rand, pick(rand, seeds), seeds);
      report.rules++;
      const error = checkRule(text, sets, rand);
      if (lastRuleReplayed) report.replayed++;
      if (error) fail({ kind: 'rule', input: text, error });
    }
    report.inputs++;
    if (report.inputs % 10_000 === 0) options.onProgress?.(report.inputs);
  }
  report.ms = Date.now() - started;
  return report;
}
