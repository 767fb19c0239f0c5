/**
 * `eqlWorkbench.replay`: replays an EQL rule over the workspace's NDJSON sample files (setting
 * `eqlWorkbench.samples`) through the language server, then shows the result: decorations in the
 * sample files, the rule's CodeLens, the results view, malformed lines as warnings.
 */
import * as vscode from 'vscode';
import { type BaseLanguageClient, LSPErrorCodes, ResponseError, WorkDoneProgress, type WorkDoneProgressBegin, type WorkDoneProgressReport } from 'vscode-languageclient';
import { ExplainReplayRequest, type MalformedLine, type OpenSample, type ReplayParams, type ReplayResult, ReplayRequest } from '../../../server/src/protocol';
import { fileNameOfUri, malformedLineColumn, noSampleFilesMessage, plural, replaySummary, type StaleReason } from './format';
import { type ReplayStore, uriKey } from './replayState';
import { isRuleDocument } from './ruleDocuments';
import { exceptionParams } from '../testing/exceptionFiles';

/** Error message shown when the rule has errors (the diagnostics already show where). */
export const RULE_HAS_ERRORS_MESSAGE = 'The rule has errors; fix them before replaying';

/** Default of the `eqlWorkbench.samples` setting (as in package.json): NDJSON and JSON Lines files. */
export const DEFAULT_SAMPLES_GLOB = '**/*.{ndjson,jsonl}';

/** Error message shown when there is no rule to replay. */
export const NO_RULE_MESSAGE = 'Open an EQL rule (.eql, or a detection-rules .toml with an EQL query) to replay it on the sample files.';

/**
 * What the command returns (for tests and other extensions): plain data.
 * Lines are 1-based, stages 0-based; `file` is a file system path (`Uri.fsPath`), '' for the
 * placeholder of a missing-event stage `![…]`.
 */
export interface ReplayCommandResult {
  /** The rule document, `Uri.toString()`. */
  ruleUri: string;
  /** Sample files replayed over, in replay order (`Uri.fsPath`). */
  sampleFiles: string[];
  /** Matches in Elasticsearch's order; `joinKeys` is `[]` for event queries. */
  matches: Array<{
    type: 'event' | 'sequence' | 'sample';
    joinKeys: unknown[];
    events: Array<{ file: string; line: number; stage: number; missing: boolean }>;
  }>;
  malformedLines: Array<{ file: string; line: number; message: string }>;
  /** Messages of the rule's errors; non-empty means nothing was replayed. */
  ruleErrors: string[];
  /** The notifications this run showed (error, warning and information messages), in order. */
  notifications: string[];
}

/** What the replay command needs from the extension. */
export interface ReplayDeps {
  client: BaseLanguageClient;
  /** Resolves once the language server is running. */
  clientReady: Promise<void>;
  store: ReplayStore;
  output: vscode.LogOutputChannel;
  /** Warnings on malformed sample lines, shown in the Problems view. */
  sampleProblems: vscode.DiagnosticCollection;
  /** Called after a replay was stored (e.g. to show the results view); awaited. */
  afterReplay?: () => Promise<unknown>;
  /** Called when a replay request has been sent, with what it was computed from now recorded. */
  onRequestSent?: () => void;
}

/** How a replay was asked for. */
export interface ReplayRunOptions {
  /**
   * A live re-run after an edit of the rule ({@link LiveReplay}): a rule with errors keeps the
   * last replay shown as out of date (the diagnostics say what is wrong) and nothing pops up
   * for what the author already saw (no sample files, a failed request).
   */
  live?: boolean;
}

/** Action of the no-sample-files notification: opens the settings at `eqlWorkbench.samples`. */
export const OPEN_SETTINGS_ACTION = 'Open Settings';

/** Action of the malformed-lines notification: shows the “EQL Workbench” output. */
export const SHOW_OUTPUT_ACTION = 'Show Output';

/**
 * The malformed lines of the last replay that notified about them, as one key
 * (`uri:line:message` sorted); a replay with the same set does not notify again.
 */
let notifiedMalformed = '';

/** The message of the last live re-run failure notified; a replay that succeeds forgets it. */
let notifiedLiveFailure = '';

/** `2 malformed NDJSON lines skipped (first: mixed.ndjson:2).` */
export function malformedLinesMessage(lines: readonly MalformedLine[]): string {
  const first = lines[0];
  return `${plural(lines.length, 'malformed NDJSON line')} skipped (first: ${fileNameOfUri(first.uri)}:${first.line}).`;
}

/**
 * Runs the replay.
 *
 * @param deps the extension's client, store and channels.
 * @param ruleArg optional rule document (`Uri` or URI string): an `.eql` file or a detection-rules
 *   `.toml` file; default: the active editor when it holds a rule. An open document is replayed
 *   with its unsaved text, and so are open sample files with unsaved edits.
 * @returns the result as plain data, or `undefined` when there is no rule to replay or the server
 *   failed (an error message is shown in both cases). When another replay started while this one
 *   ran, this one's result is returned but not shown (the latest run's is), with no notifications.
 *   When the rule or a sample file was edited while the replay ran, the result is shown as out of
 *   date (`rule` or `samples` changed).
 */
export async function replayCommand(deps: ReplayDeps, ruleArg?: vscode.Uri | string, runOptions: ReplayRunOptions = {}): Promise<ReplayCommandResult | undefined> {
  const ruleUri = resolveRuleUri(ruleArg);
  if (!ruleUri) {
    void vscode.window.showErrorMessage(NO_RULE_MESSAGE);
    return undefined;
  }
  const name = ruleUri.path.slice(ruleUri.path.lastIndexOf('/') + 1);
  // Runs may overlap (a second click while the first runs): only the latest one is shown.
  const run = deps.store.startRun(ruleUri);
  try {
    // A replay asked for shows its progress (events read, percentage of the bytes) in a
    // notification whose Cancel button cancels the request; a live re-run stays in the status bar.
    const live = runOptions.live === true;
    return await vscode.window.withProgress(
      live
        ? { location: vscode.ProgressLocation.Window, title: `Replaying ${name} on samples` }
        : { location: vscode.ProgressLocation.Notification, title: `Replaying ${name} on samples`, cancellable: true },
      (progress, token) => runReplay(deps, ruleUri, run, live, progress, token),
    );
  } finally {
    deps.store.finishRun(run);
  }
}

/** The open documents among `uris`, by `uriKey`. */
function openDocuments(uris: readonly vscode.Uri[]): Map<string, vscode.TextDocument> {
  const wanted = new Set(uris.map((u) => uriKey(u)));
  const open = new Map<string, vscode.TextDocument>();
  for (const d of vscode.workspace.textDocuments) {
    const key = uriKey(d.uri);
    if (wanted.has(key)) open.set(key, d);
  }
  return open;
}

/**
 * Whether a document changed since the request was sent: its version moved, or it was not open then
 * (the server read the file) and is now open with unsaved edits.
 */
function changedSince(sentVersion: number | undefined, now: vscode.TextDocument | undefined): boolean {
  if (!now) return false;
  return sentVersion === undefined ? now.isDirty : now.version !== sentVersion;
}

/** Number of work-done progress tokens made so far (they must be unique per client). */
let progressTokens = 0;

/**
 * Shows the server's `$/progress` reports on `token` in `progress`: its message (`1,234 events
 * read`) and the growth of its percentage. Returns the subscription to dispose of.
 */
function showServerProgress(deps: ReplayDeps, token: string, progress: vscode.Progress<{ message?: string; increment?: number }>): vscode.Disposable {
  let shown = 0;
  return deps.client.onProgress(WorkDoneProgress.type, token, (value) => {
    if (value.kind === 'end') return;
    const report = value as WorkDoneProgressBegin | WorkDoneProgressReport;
    const increment = report.percentage !== undefined && report.percentage > shown ? report.percentage - shown : undefined;
    if (increment !== undefined) shown += increment;
    progress.report({ ...(report.message ? { message: report.message } : {}), ...(increment !== undefined ? { increment } : {}) });
  });
}

async function runReplay(
  deps: ReplayDeps,
  ruleUri: vscode.Uri,
  run: number,
  live: boolean,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  cancel: vscode.CancellationToken,
): Promise<ReplayCommandResult | undefined> {
  const notifications: string[] = [];
  const config = vscode.workspace.getConfiguration('eqlWorkbench', ruleUri);
  const glob = config.get<string>('samples', DEFAULT_SAMPLES_GLOB) || DEFAULT_SAMPLES_GLOB;
  const samples = await findSampleFiles(ruleUri, glob);

  let result: ReplayResult;
  let params: ReplayParams;
  // What the request is computed from, recorded as it is sent: edits made while it runs make the
  // result out of date.
  const sentVersions = new Map<string, number>();
  try {
    await deps.clientReady;
    const open = openDocuments([ruleUri, ...samples]);
    for (const [key, document] of open) sentVersions.set(key, document.version);
    // Unsaved sample text, spelled as in `sampleUris` so the server finds it.
    const openSamples: OpenSample[] = samples.flatMap((u) => {
      const document = open.get(uriKey(u));
      return document?.isDirty ? [{ uri: u.toString(), text: document.getText() }] : [];
    });
    params = {
      uri: ruleUri.toString(),
      sampleUris: samples.map((u) => u.toString()),
      ...(openSamples.length > 0 ? { openSamples } : {}),
      ...exceptionParams(),
      sampleCacheBudgetMB: config.get<number>('replay.cacheBudgetMB', 512),
      options: {
        timestampField: config.get<string>('timestampField', '@timestamp'),
        tiebreakerField: config.get<string>('tiebreakerField', ''),
        eventCategoryField: config.get<string>('eventCategoryField', 'event.category'),
        indexFilter: config.get<boolean>('replay.indexFilter', true),
      },
    };
    const workDoneToken = `eqlWorkbench.replay.${++progressTokens}`;
    const progressShown = showServerProgress(deps, workDoneToken, progress);
    try {
      // Cancelling the notification sends $/cancelRequest; the server stops the replay.
      const response = deps.client.sendRequest(ReplayRequest, { ...params, workDoneToken }, cancel);
      deps.onRequestSent?.();
      result = await response;
    } finally {
      progressShown.dispose();
    }
  } catch (e) {
    if (e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled && !deps.store.isLatestRun(run)) {
      // The server cancels a running replay when a newer one is requested: not a failure.
      deps.output.info(`${ruleUri.fsPath}: a later replay started while this one ran; this one was cancelled.`);
      return undefined;
    }
    const message = e instanceof Error ? e.message : String(e);
    if (cancel.isCancellationRequested) {
      deps.output.info(`Replay of ${ruleUri.fsPath} cancelled.`);
      return undefined;
    }
    deps.output.error(`Replay of ${ruleUri.fsPath} failed: ${message}`);
    if (deps.store.isLatestRun(run) && !live) void vscode.window.showErrorMessage(`EQL replay failed: ${message}`);
    if (deps.store.isLatestRun(run) && live) {
      // Live re-runs follow keystrokes: the results view says why while it lasts, and a message
      // pops up once per distinct failure (a bad setting fails every re-run the same way).
      deps.store.markLiveFailure(ruleUri, message);
      if (message !== notifiedLiveFailure) {
        notifiedLiveFailure = message;
        void vscode.window.showErrorMessage(`EQL live replay failed: ${message}`);
      }
    }
    return undefined;
  }
  const ruleErrors = (result.diagnostics ?? []).map((d) => (typeof d.message === 'string' ? d.message : d.message.value));
  if (!deps.store.isLatestRun(run)) {
    deps.output.info(`${ruleUri.fsPath}: a later replay started while this one ran; its result is not shown.`);
    return { ...toCommandResult(ruleUri, samples, result, ruleErrors), notifications };
  }

  if (ruleErrors.length > 0 && live) {
    // Half-typed: the last replay stays, marked out of date, until the rule checks again.
    deps.output.info(`${ruleUri.fsPath}: not replayed again yet, the rule has ${plural(ruleErrors.length, 'error')}.`);
  } else if (ruleErrors.length > 0) {
    deps.output.warn(`${ruleUri.fsPath}: not replayed, the rule has ${plural(ruleErrors.length, 'error')}.`);
    // Results of an earlier version of this rule would be misleading now.
    if (deps.store.current?.ruleUri === ruleUri.toString()) clearReplayCommand(deps);
    void vscode.window.showErrorMessage(RULE_HAS_ERRORS_MESSAGE);
    notifications.push(RULE_HAS_ERRORS_MESSAGE);
  } else {
    notifiedLiveFailure = '';
    const now = openDocuments([ruleUri, ...samples]);
    const ruleKey = uriKey(ruleUri);
    const ruleChanged = changedSince(sentVersions.get(ruleKey), now.get(ruleKey));
    const changedSamples = new Set(samples.map((u) => uriKey(u)).filter((k) => changedSince(sentVersions.get(k), now.get(k))));
    const stale: StaleReason | undefined = ruleChanged ? 'rule' : changedSamples.size > 0 ? 'samples' : undefined;
    deps.store.set({
      ruleUri: ruleUri.toString(),
      sampleUris: samples.map((u) => u.toString()),
      result,
      glob,
      ...(stale ? { stale } : {}),
      ...(changedSamples.size > 0 ? { changedSamples } : {}),
      options: params.options,
      ...(params.openSamples ? { openSamples: params.openSamples } : {}),
      ...(params.sampleCacheBudgetMB !== undefined ? { sampleCacheBudgetMB: params.sampleCacheBudgetMB } : {}),
      ...(params.exceptionUris ? { exceptionUris: params.exceptionUris } : {}),
    });
    // Lines of a sample edited meanwhile may have moved: its malformed-line warnings would be misplaced.
    const malformed = reportMalformedLines(
      deps,
      result.malformedLines.filter((m) => !changedSamples.has(uriKey(m.uri))),
    );
    if (malformed) notifications.push(malformed);
    for (const w of result.warnings) deps.output.warn(w);
    deps.output.info(
      `${ruleUri.fsPath}: replayed over ${plural(result.sampleFiles, 'sample file')} (${plural(result.events, 'event')}): ` +
        replaySummary(result.matches, result.sampleFiles),
    );
    if (samples.length === 0 && !live) {
      const message = noSampleFilesMessage(glob);
      deps.output.warn(message);
      notifications.push(message);
      void vscode.window.showWarningMessage(message, OPEN_SETTINGS_ACTION).then((choice) => {
        if (choice === OPEN_SETTINGS_ACTION) void vscode.commands.executeCommand('workbench.action.openSettings', 'eqlWorkbench.samples');
      });
    }
    try {
      await deps.afterReplay?.();
    } catch {
      // showing the results view is a convenience; the replay itself succeeded
    }
    // The explanation re-reads every event and keeps them all (near misses may lie anywhere): it
    // runs after the replay is shown, not before, and only up to a size where that stays cheap.
    if (result.events <= MAX_EXPLAINED_EVENTS) void explainReplay(deps, params, result);
    else deps.output.info(tooManyToExplain(result.events));
  }
  return { ...toCommandResult(ruleUri, samples, result, ruleErrors), notifications };
}

/**
 * Most events of a replay that the editor explains (stage counts, "Why not?", hover): the
 * explanation holds every event in memory; `eql-workbench replay --explain` has no such limit.
 */
export const MAX_EXPLAINED_EVENTS = 200_000;

/** `Not explained in the editor: the replay read 1,234,567 events (more than 200,000); eql-workbench replay --explain explains it.` */
export function tooManyToExplain(events: number): string {
  return `Not explained in the editor: the replay read ${events.toLocaleString('en-US')} events (more than ${MAX_EXPLAINED_EVENTS.toLocaleString('en-US')}); eql-workbench replay --explain explains it.`;
}

/**
 * Asks the server why the replay matched what it did (per-stage counts beside the rule, "Why not?"
 * in the results view) and attaches the answer to the shown replay. A failure is logged: the
 * replay itself stands.
 */
async function explainReplay(deps: ReplayDeps, params: ReplayParams, result: ReplayResult): Promise<void> {
  try {
    const explanation = await deps.client.sendRequest(ExplainReplayRequest, params);
    deps.store.setExplanation(result, explanation);
  } catch (e) {
    deps.output.warn(`The explanation of the replay failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Clears the replay: decorations, lens titles, results view and malformed-line warnings. */
export function clearReplayCommand(deps: Pick<ReplayDeps, 'store' | 'sampleProblems'>): void {
  notifiedMalformed = '';
  deps.store.clear();
  deps.sampleProblems.clear();
}

function resolveRuleUri(arg: vscode.Uri | string | undefined): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.parse(arg);
  const editor = vscode.window.activeTextEditor;
  return editor && isRuleDocument(editor.document) ? editor.document.uri : undefined;
}

/**
 * Sample files matching `glob`: in the rule's workspace folder when it has one, else in every
 * workspace folder; `node_modules` excluded. Sorted by path (UTF-16 code units) so the replay order,
 * which decides timestamp ties, is the same on every machine.
 */
async function findSampleFiles(ruleUri: vscode.Uri, glob: string): Promise<vscode.Uri[]> {
  if (!vscode.workspace.workspaceFolders?.length) return [];
  const folder = vscode.workspace.getWorkspaceFolder(ruleUri);
  const include = folder ? new vscode.RelativePattern(folder, glob) : glob;
  const found = await vscode.workspace.findFiles(include, '**/node_modules/**');
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Shows malformed sample lines as warnings in the Problems view (from the message's `at column N`
 * to the end of the line, else the whole line) and, when the set differs from the last one
 * notified, as a notification with a “Show Output” button. Returns the notification's text, if shown.
 */
function reportMalformedLines(deps: ReplayDeps, lines: MalformedLine[]): string | undefined {
  deps.sampleProblems.clear();
  const key = lines.map((m) => `${m.uri}:${m.line}:${m.message}`).sort().join('\n');
  const changed = key !== notifiedMalformed;
  notifiedMalformed = key;
  if (lines.length === 0) return undefined;
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const m of lines) {
    const uri = vscode.Uri.parse(m.uri);
    deps.output.warn(`${uri.fsPath}:${m.line}: ${m.message}`);
    const line = Math.max(0, m.line - 1);
    const diagnostic = new vscode.Diagnostic(
      new vscode.Range(line, malformedLineColumn(m.message) ?? 0, line, Number.MAX_SAFE_INTEGER),
      `Malformed NDJSON line skipped by the replay: ${m.message}`,
      vscode.DiagnosticSeverity.Warning,
    );
    diagnostic.source = 'eql-workbench';
    const key = uri.toString();
    byFile.set(key, [...(byFile.get(key) ?? []), diagnostic]);
  }
  for (const [key, diagnostics] of byFile) deps.sampleProblems.set(vscode.Uri.parse(key), diagnostics);
  if (!changed) return undefined;
  const message = malformedLinesMessage(lines);
  void vscode.window.showWarningMessage(message, SHOW_OUTPUT_ACTION).then((choice) => {
    if (choice === SHOW_OUTPUT_ACTION) deps.output.show(true);
  });
  return message;
}

function toCommandResult(ruleUri: vscode.Uri, samples: vscode.Uri[], result: ReplayResult, ruleErrors: string[]): ReplayCommandResult {
  const fsPath = (uri: string): string => (uri ? vscode.Uri.parse(uri).fsPath : '');
  return {
    ruleUri: ruleUri.toString(),
    sampleFiles: samples.map((u) => u.fsPath),
    matches: result.matches.map((m) => ({
      type: m.type,
      joinKeys: m.joinKeys ?? [],
      events: m.events.map((e) => ({ file: fsPath(e.uri), line: e.line, stage: e.stage, missing: e.missing })),
    })),
    malformedLines: result.malformedLines.map((m) => ({ file: fsPath(m.uri), line: m.line, message: m.message })),
    ruleErrors,
    notifications: [],
  };
}
