/**
 * EQL Workbench for VS Code: wiring only. Starts the language server (`dist/server.js`, over
 * IPC) for `eql` documents and detection-rules `.toml` files (the server serves a TOML file only
 * when its `[rule]` is EQL) and registers the replay command, CodeLens, decorations and results
 * view that live in `replay/`.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ReplayCodeLensProvider } from './replay/codeLens';
import { registerReplayDebugger } from './debug/replayDebugger';
import { type AppliedDecoration, decorationsFor, type LineDecoration, MAX_DECORATED_LINES, MatchDecorations, mostCappedFile } from './replay/decorations';
import { decorationCapNote, fileNameOfUri } from './replay/format';
import { OPEN_MATCH_EVENT_COMMAND, openMatchEvent } from './replay/openMatchEvent';
import { clearReplayCommand, type ReplayCommandResult, replayCommand } from './replay/replayCommand';
import { ReplayStore, uriKey } from './replay/replayState';
import { createResultsView, type ResultsTreeItem } from './replay/resultsView';
import { isRuleDocument, isToml, RULE_DOCUMENT_SELECTOR } from './replay/ruleDocuments';
import { RuleTestController, type ReportedOutcome, type RuleTestItemInfo } from './testing/ruleTestController';
import { configuredExceptionFiles } from './testing/exceptionFiles';
import { ADD_EXCEPTION_COMMAND, AddExceptionActions, addExceptionForValue } from './testing/addException';
import {
  RECORD_COMMAND,
  RECORD_REPLAY_COMMAND,
  RecordCodeLensProvider,
  RecordedTexts,
  RecordReplayCodeLensProvider,
  recordReplay,
  recordRuleTestCase,
} from './testing/recordCommand';
import { SAMPLE_HOVER_SELECTOR, SampleHoverProvider } from './replay/sampleHover';
import { StageCountHintsProvider } from './replay/stageCountHints';
import { LiveReplay } from './replay/liveReplay';
import { UnsavedSamples } from './samples/unsavedSamples';
import { SampleTextNotification } from '../../server/src/protocol';
import { registerNotePreview, rulesWithNoteContext } from './notePreview';

/** Context key: the active editor holds a TOML file with an EQL rule (shows the replay button in its title bar). */
const TOML_RULE_EDITOR_CONTEXT = 'eqlWorkbench.tomlRuleEditor';

/**
 * Returned by `activate()` for in-editor tests: what VS Code's API does not let a test observe.
 * (CodeLenses are observable with `vscode.executeCodeLensProvider`; diagnostics with
 * `vscode.languages.getDiagnostics`.)
 */
export interface EqlWorkbenchApi {
  /** Match decorations of a sample file for the current replay: `line` 1-based, `text` the after-line text. */
  getDecorations(uri: vscode.Uri | string): LineDecoration[];
  /** The results view as plain data: matches with their event children (event-query matches are single rows). */
  getResultsTree(): ResultsTreeItem[];
  /** The results view's message (`TreeView.message`) and description, as set now. */
  getResultsHeader(): { message: string; description: string };
  /** Whether the results view is visible (`TreeView.visible`). */
  isResultsViewVisible(): boolean;
  /** Number of `eqlWorkbench/replay` requests sent so far (a replay's inputs are recorded by then). */
  replayRequestsSent(): number;
  /** The Testing view's rule test items (after the first discovery), and what the last run reported per item id. */
  ruleTestItems(): Promise<RuleTestItemInfo[]>;
  ruleTestOutcome(id: string): ReportedOutcome | undefined;
  /** Starts "Debug test" on a rule test item (as the Testing view's Debug profile does); whether a session started. */
  debugRuleTest(id: string): Promise<boolean>;
  /** What the editors of a sample file last received: per decorated range its 1-based line, label and the line's text. */
  getAppliedDecorations(uri: vscode.Uri | string): AppliedDecoration[];
  /** The results view's "Why not?" item with everything under it, or undefined before the replay's explanation arrived. */
  getWhyNotTree(): ResultsTreeItem | undefined;
  /** The paths of the open rules whose editors show the investigation guide button (the `eqlWorkbench.rulesWithNote` context key). */
  rulesWithNote(): readonly string[];
}

/** The activity-bar container of the results view, as contributed in package.json. */
const VIEW_CONTAINER_ID = 'eqlWorkbench';

let client: LanguageClient | undefined;

/**
 * Activation (on `onLanguage:eql`, `onLanguage:toml`, and `workspaceContains:**\/*.eql`, as listed in
 * package.json): registers everything, then starts the language server.
 */
export async function activate(context: vscode.ExtensionContext): Promise<EqlWorkbenchApi> {
  const output = vscode.window.createOutputChannel('EQL Workbench', { log: true });
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = { documentSelector: RULE_DOCUMENT_SELECTOR, outputChannel: output };
  const languageClient = new LanguageClient('eqlWorkbench', 'EQL Workbench', serverOptions, clientOptions);
  client = languageClient;
  const clientReady = languageClient.start();

  const store = new ReplayStore();
  const sampleProblems = vscode.languages.createDiagnosticCollection('eql-workbench-samples');
  const results = createResultsView(store, VIEW_CONTAINER_ID);
  const afterReplay = async (): Promise<void> => {
    const session = store.current;
    const capped = session && mostCappedFile(session.result);
    if (capped) output.info(decorationCapNote(MAX_DECORATED_LINES, capped.matchedLines, fileNameOfUri(capped.uri)));
    await results.revealAfterFirstReplay();
  };
  let requestsSent = 0;
  const onRequestSent = (): void => {
    requestsSent++;
  };
  const deps = { client: languageClient, clientReady, store, output, sampleProblems, afterReplay, onRequestSent };
  const lenses = new ReplayCodeLensProvider(store);
  const debuggers = (context.extension.packageJSON as { contributes?: { debuggers?: Array<{ type?: string }> } }).contributes?.debuggers ?? [];
  const ruleTests = new RuleTestController(languageClient, clientReady, configuredExceptionFiles, debuggers.some((d) => d.type === 'eql-replay'));
  const recorded = new RecordedTexts();
  const recordReplayLenses = new RecordReplayCodeLensProvider(store);
  const decorations = new MatchDecorations(store, vscode.Uri.joinPath(context.extensionUri, 'client', 'media', 'match.svg'));
  const stageCounts = new StageCountHintsProvider(store);
  // The fields learnt from the samples follow their unsaved edits.
  context.subscriptions.push(
    new UnsavedSamples((uri, text) => {
      clientReady.then(() => languageClient.sendNotification(SampleTextNotification, { uri, text })).catch((e: unknown) => output.warn(`sending the unsaved text of ${uri} failed: ${e}`));
    }),
  );
  context.subscriptions.push(
    decorations,
    stageCounts,
    vscode.languages.registerInlayHintsProvider(RULE_DOCUMENT_SELECTOR, stageCounts),
    vscode.languages.registerHoverProvider(SAMPLE_HOVER_SELECTOR, new SampleHoverProvider(languageClient, clientReady, store)),
  );
  context.subscriptions.push(
    output,
    store,
    sampleProblems,
    ...results.disposables,
    lenses,
    vscode.languages.registerCodeLensProvider(RULE_DOCUMENT_SELECTOR, lenses),
    ...trackTomlRuleEditor(),
    ...registerReplayDebugger(),
    ruleTests,
    ...recorded.register(),
    recordReplayLenses,
    vscode.languages.registerCodeLensProvider(RULE_DOCUMENT_SELECTOR, recordReplayLenses),
    vscode.commands.registerCommand(RECORD_REPLAY_COMMAND, (rule?: vscode.Uri | string, options?: { confirmed?: boolean }) =>
      recordReplay({ client: languageClient, clientReady, recorded, store }, rule?.toString(), options),
    ),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file', pattern: '**/*.{ndjson,jsonl,NDJSON,JSONL}' }, new AddExceptionActions(store), {
      providedCodeActionKinds: AddExceptionActions.kinds,
    }),
    vscode.commands.registerCommand(ADD_EXCEPTION_COMMAND, (field: string, value: string | number, from: string) => addExceptionForValue(store, field, value, from)),
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/*.test.toml' }, new RecordCodeLensProvider((d) => ruleTests.casesOf(d))),
    vscode.commands.registerCommand(RECORD_COMMAND, (uri?: vscode.Uri | string, caseName?: string, options?: { confirmed?: boolean }) =>
      recordRuleTestCase({ client: languageClient, clientReady, recorded }, uri, caseName, options, (d) => ruleTests.casesOf(d)),
    ),
    ...trackStaleness(store, sampleProblems),
    ...registerNotePreview(),
    new LiveReplay(store, (rule) => replayCommand(deps, rule, { live: true })),
    vscode.commands.registerCommand('eqlWorkbench.replay', (rule?: vscode.Uri | string): Promise<ReplayCommandResult | undefined> =>
      replayCommand(deps, rule),
    ),
    vscode.commands.registerCommand('eqlWorkbench.clearReplay', () => clearReplayCommand(deps)),
    vscode.commands.registerCommand(OPEN_MATCH_EVENT_COMMAND, (uri: vscode.Uri | string, line: number) => {
      warnIfSampleChanged(store, uri, line, (rule) => replayCommand(deps, rule));
      return openMatchEvent(uri, line);
    }),
  );

  try {
    await clientReady;
  } catch (e) {
    output.error(`The EQL language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    getDecorations: (uri) => decorationsFor(store, uri),
    getResultsTree: () => results.provider.snapshot(),
    getResultsHeader: () => ({ message: results.view.message ?? '', description: results.view.description ?? '' }),
    isResultsViewVisible: () => results.view.visible,
    replayRequestsSent: () => requestsSent,
    ruleTestItems: async () => {
      await ruleTests.discovered;
      return ruleTests.snapshot();
    },
    ruleTestOutcome: (id) => ruleTests.reported.get(id),
    debugRuleTest: async (id) => {
      let found: vscode.TestItem | undefined;
      ruleTests.controller.items.forEach((f) => {
        if (f.id === id) found = f;
        f.children.forEach((c) => void (c.id === id && (found = c)));
      });
      return found ? ruleTests.debug(new vscode.TestRunRequest([found])) : false;
    },
    getAppliedDecorations: (uri) => decorations.appliedTo(uri),
    getWhyNotTree: () => results.provider.whyNotSnapshot(),
    rulesWithNote: () => rulesWithNoteContext(),
  };
}

/**
 * Keeps the {@link TOML_RULE_EDITOR_CONTEXT} context key in step with the active editor and its
 * edits (a TOML file becomes a rule once it has an EQL `[rule] query`).
 */
function trackTomlRuleEditor(): vscode.Disposable[] {
  let last: boolean | undefined;
  const update = (): void => {
    const document = vscode.window.activeTextEditor?.document;
    const value = document !== undefined && isToml(document) && isRuleDocument(document);
    if (value === last) return;
    last = value;
    void vscode.commands.executeCommand('setContext', TOML_RULE_EDITOR_CONTEXT, value);
  };
  update();
  return [
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) update();
    }),
  ];
}

/**
 * Marks the shown replay out of date when what it was computed from changes: the rule's text
 * (`rule`), an `eqlWorkbench.*` setting (`settings`), or a sample file's text (`samples`: that
 * file's decorations go, as its lines may have moved). An edited sample file also loses its
 * malformed-line warnings, which the next replay recomputes.
 */
function trackStaleness(store: ReplayStore, sampleProblems: vscode.DiagnosticCollection): vscode.Disposable[] {
  return [
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0 || e.document.uri.scheme === 'output') return;
      const uri = e.document.uri;
      if (sampleProblems.has(uri)) sampleProblems.delete(uri);
      const session = store.current;
      if (!session) return;
      if (uriKey(uri) === uriKey(session.ruleUri)) store.markStale('rule');
      else store.markSampleChanged(uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('eqlWorkbench')) store.markStale('settings');
    }),
  ];
}

/** Action of the notice shown when a matched event's file was edited since the replay. */
const REPLAY_AGAIN_ACTION = 'Replay Again';

/**
 * When the results view opens an event of a sample file edited since the replay, the line may
 * no longer hold that event: says so, offering to replay the rule again.
 */
function warnIfSampleChanged(
  store: ReplayStore,
  uri: vscode.Uri | string,
  line: number,
  replayRule: (rule: string) => Promise<unknown>,
): void {
  const session = store.current;
  if (!session?.changedSamples?.has(uriKey(uri))) return;
  const message = `${fileNameOfUri(uriKey(uri))} changed since the replay; line ${line} may no longer hold the matched event.`;
  void vscode.window.showWarningMessage(message, REPLAY_AGAIN_ACTION).then((choice) => {
    if (choice === REPLAY_AGAIN_ACTION) void replayRule(session.ruleUri);
  });
}

/** Stops the language server. */
export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}
