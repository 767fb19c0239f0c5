/**
 * The `eql-replay` launch configuration: its attributes, and turning them into a rule and the
 * events to step through (reading the rule file, finding the sample files, reading NDJSON).
 *
 * The same attributes serve VS Code's `launch.json` and any other Debug Adapter Protocol client
 * (nvim-dap, Emacs dap-mode, JetBrains) talking to `eql-workbench debug-adapter`.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import picomatch from 'picomatch';
import { analyze } from '../eql/analyze';
import type { Statement } from '../eql/ast';
import { formatDiagnostic } from '../cli/ruleCheck';
import { DEFAULT_EVENT_CATEGORY_FIELD, ReplaySession } from '../engine/replay';
import { categoryWarningFor } from '../engine/categoryCheck';
import { compileFieldGetter } from '../engine/fields';
import { discoverSampleFiles, SAMPLE_FILE_GLOB } from '../samples/discover';
import { describeFsError } from '../samples/fsErrors';
import { formatNdjsonProblem } from '../samples/ndjson';
import { readRuleFile, type RuleSource } from '../samples/ruleFile';
import { SampleEventIndex } from './sampleEventIndex';

/** The launch attributes of an `eql-replay` debug configuration (all paths may be relative to `cwd`). */
export interface EqlReplayLaunchArguments {
  /** The rule: an `.eql` file or a detection-rules `.toml` file. */
  rule: string;
  /**
   * Sample files, folders (searched recursively for `*.ndjson` and `*.jsonl`) or globs
   * (`logs/**\/*.ndjson`). Default: the folder holding the rule's folder (`samples/` for
   * `samples/rules/x.eql`).
   */
  samples?: string[];
  /** Folder relative paths are resolved against; default: the adapter's working directory. */
  cwd?: string;
  /** Elasticsearch `timestamp_field`; default the TOML rule's `timestamp_override`, else `@timestamp`. */
  timestampField?: string;
  /** Elasticsearch `tiebreaker_field`; default the TOML rule's `tiebreaker_field`, else none. */
  tiebreakerField?: string;
  /** Elasticsearch `event_category_field`; default the TOML rule's `event_category_override`, else `event.category`. */
  eventCategoryField?: string;
  /** Stop before the first event (default true). */
  stopOnEntry?: boolean;
}

/** A launch that cannot start: a message for the person (one problem per line). */
export class LaunchError extends Error {}

/** Everything a replay debug session needs, read once per launch or restart. */
export interface PreparedReplay {
  rule: RuleSource;
  /** The rule file, absolute. */
  rulePath: string;
  /** The folder relative paths were resolved against (absolute). */
  cwd: string;
  statement: Statement;
  /** The events in replay order, read back from the files as needed; `source.file` absolute. */
  index: SampleEventIndex;
  /** The sample files read, absolute, in replay order. */
  files: string[];
  /** Per absolute file: 1-based lines skipped with the reason (malformed JSON, not an object). */
  skippedLines: Map<string, Map<number, string>>;
  options: { timestampField: string; tiebreakerField?: string; eventCategoryField: string };
  /** Readable notes for the debug console (unreadable files, malformed lines, warnings). */
  notes: string[];
}

/** At most this many malformed-line notes are printed per file. */
const MAX_NOTES_PER_FILE = 20;

/**
 * Reads the rule and indexes the samples of a launch (one streaming pass; see `SampleEventIndex`).
 *
 * @param args the launch attributes.
 * @returns the prepared replay; sample files that cannot be read are left out and noted. Its
 *   index holds the sample files open until `index.close()`.
 * @throws LaunchError when `rule` is missing or unreadable, the rule has errors
 *   (`path:line:column: error: message` per error), or no sample file can be read.
 */
export async function prepareReplay(args: EqlReplayLaunchArguments): Promise<PreparedReplay> {
  if (typeof args.rule !== 'string' || args.rule.trim() === '') {
    throw new LaunchError('The launch configuration has no "rule": give the path of an .eql or detection-rules .toml file.');
  }
  const cwd = args.cwd ? nodePath.resolve(args.cwd) : process.cwd();
  const rulePath = nodePath.resolve(cwd, args.rule);
  const read = await readRuleFile(rulePath);
  if (read.problem) {
    const p = read.problem;
    throw new LaunchError(p.kind === 'unreadable' ? `${rulePath}: ${p.message}` : `${rulePath}:${p.line}:${p.column}: error: ${p.message}`);
  }
  const rule = read.rule;
  const analysed = analyze(rule.query);
  const errors = analysed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !analysed.statement) {
    const lines = errors.map((d) => formatDiagnostic(rule, d));
    throw new LaunchError(`The rule has ${errors.length || 'no query and'} error${errors.length === 1 ? '' : 's'}; fix it to replay:\n${lines.join('\n')}`);
  }
  // A TOML rule's own options, read by the same reader as the replay's (`timestamp_override` …).
  const fromToml = rule.options ?? {};
  const options = {
    timestampField: args.timestampField || fromToml.timestampField || '@timestamp',
    tiebreakerField: args.tiebreakerField || fromToml.tiebreakerField || undefined,
    eventCategoryField: args.eventCategoryField || fromToml.eventCategoryField || DEFAULT_EVENT_CATEGORY_FIELD,
  };

  const notes: string[] = [];
  const sampleArgs = args.samples && args.samples.length > 0 ? args.samples : [nodePath.dirname(nodePath.dirname(rulePath))];
  const files = await resolveSamples(sampleArgs, cwd, notes);
  const skippedLines = new Map<string, Map<number, string>>();
  const shown = new Map<string, number>();
  const categoryOf = compileFieldGetter(options.eventCategoryField);
  let someHaveCategory = false;
  // The engine's own order (timestamp, tiebreaker, input order; input order for samples).
  const ordering = new ReplaySession(analysed.statement, [], options);
  const { index, unreadable } = await SampleEventIndex.build(files, (doc, i) => ordering.ordinal(doc, i), {
    problem: (p) => {
      if (p.severity !== 'warning') {
        if (!skippedLines.has(p.file)) skippedLines.set(p.file, new Map());
        skippedLines.get(p.file)!.set(p.line, p.message);
      }
      const n = (shown.get(p.file) ?? 0) + 1;
      shown.set(p.file, n);
      if (n <= MAX_NOTES_PER_FILE) notes.push(formatNdjsonProblem(p));
    },
    event: (doc) => {
      if (!someHaveCategory && categoryOf(doc).length > 0) someHaveCategory = true;
    },
    note: (text) => notes.push(text),
  });
  for (const [file, n] of shown) if (n > MAX_NOTES_PER_FILE) notes.push(`${file}: … and ${n - MAX_NOTES_PER_FILE} more problems not shown`);
  for (const u of unreadable) notes.push(`${u.path}: ${describeFsError(u.error)} (left out)`);
  if (index.files.length === 0) {
    throw new LaunchError(`No sample file could be read (samples: ${sampleArgs.join(', ')}).${notes.length ? `\n${notes.join('\n')}` : ''}`);
  }
  for (const file of index.files) if (!skippedLines.has(file)) skippedLines.set(file, new Map());
  const leftOut = index.leftOut();
  if (leftOut.first) {
    notes.push(`warning: ${leftOut.count} event(s) skipped: no readable "${options.timestampField}" value (first: ${leftOut.first.file}:${leftOut.first.line})`);
  }
  const category = categoryWarningFor(analysed.statement, index.read, someHaveCategory, options.eventCategoryField, 'the "eventCategoryField" launch attribute');
  if (category) notes.push(`warning: ${category}`);
  return { rule, rulePath, cwd, statement: analysed.statement, index, files: index.files, skippedLines, options, notes };
}

/**
 * Expands `samples` entries into absolute file paths: files and folders as the command line does
 * (`discoverSampleFiles`), globs (`*`, `?`, `[…]`, `{…}`) by walking their base folder and keeping
 * the files they match (sorted by path). Problems are pushed onto `notes`.
 */
async function resolveSamples(entries: readonly string[], cwd: string, notes: string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    out.push(file);
  };
  for (const entry of entries) {
    const absolute = nodePath.resolve(cwd, entry);
    const scan = picomatch.scan(absolute.split(nodePath.sep).join('/'));
    if (!scan.isGlob) {
      const found = await discoverSampleFiles([absolute]);
      notes.push(...found.errors);
      found.files.forEach((f) => add(nodePath.resolve(f)));
      continue;
    }
    const base = scan.base || '/';
    const isMatch = picomatch(scan.glob, { dot: true });
    let listed: string[];
    try {
      listed = (await fs.readdir(base, { recursive: true })) as string[];
    } catch (e) {
      notes.push(`${entry}: ${describeFsError(e)}`);
      continue;
    }
    const matched = listed.map((rel) => rel.split(nodePath.sep).join('/')).filter((rel) => isMatch(rel) && !rel.split('/').includes('node_modules'));
    matched.sort();
    let files = 0;
    for (const rel of matched) {
      const file = nodePath.join(base, ...rel.split('/'));
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile()) continue;
      add(file);
      files++;
    }
    if (files === 0) notes.push(`${entry}: no file matches this pattern (sample files are ${SAMPLE_FILE_GLOB})`);
  }
  return out;
}
