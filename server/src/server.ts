/**
 * The EQL Workbench language server: LSP connection wiring only. Each handler is one call into a
 * service under `services/`; every handler catches and logs, so no text and no request can stop
 * the server.
 *
 * Documents are `.eql` queries and detection-rules `.toml` files: `services/ruleDocument.ts` turns
 * each into its EQL text plus a position mapping, the services work on the EQL text alone, and the
 * positions they take and return are mapped here (cursor: document → query; ranges and edits:
 * query → document). A TOML file that is not an EQL rule gets nothing.
 *
 * Transport is chosen from the command line by `vscode-languageserver/node` (`--node-ipc`,
 * `--stdio`, `--socket=N`, `--pipe=NAME`).
 */
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ErrorCodes,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
// Requests registered by type rather than `connection.onHover` & co., whose progress hooks read
// the parameters before any check (a null one would be an internal error, not InvalidParams).
import { CodeActionRequest, CompletionRequest, DocumentHighlightRequest, HoverRequest, SignatureHelpRequest } from 'vscode-languageserver/node';
import { CompletionResolveRequest, DocumentFormattingRequest, DocumentRangeFormattingRequest, DocumentSymbolRequest, FoldingRangeRequest, SelectionRangeRequest, SemanticTokensRangeRequest, SemanticTokensRequest } from 'vscode-languageserver/node';
import { checkCompletionItem, checkFormattingParams, checkRangeParams, checkSelectionRangeParams, checkTextDocumentParams } from './requestParams';
import type { CodeAction, Diagnostic, Hover, Position } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ExplainEventRequest, ExplainReplayRequest, ListRuleTestsRequest, RecordReplayRequest, RecordRuleTestCaseRequest, ReplayRequest, RunRuleTestsRequest } from './protocol';
import { listRuleTests, recordReplayAsTestCase, recordRuleTestCase, RecordInputError, runRuleTests } from './ruletests/ruleTestService';
import {
  codeActionsInDocument,
  completionsInDocument,
  diagnosticsInDocument,
  hoverInDocument,
  signatureHelpInDocument,
} from './services/documentFeatures';
import { computeCompletions, resolveCompletionItem, type CompletionOptions } from './services/completion';
import { warmFieldItems } from './services/fieldCompletionItems';
import { ReplayInputError, replayRule, type ReplayHooks } from './services/replayService';
import { explainEventInWorker, explainReplayInWorker, replayRuleInWorker } from './services/replayInWorker';
import { reportReplayProgress } from './services/replayProgress';
import { ReplayCancelledError, ReplayRuns } from './services/replayRuns';
import { ruleFromToml, type RuleReplayOptions } from './samples/ruleFile';
import { isTomlDocument, ruleDocument, type RuleDocumentResult } from './services/ruleDocument';
import { checkCodeActionParams, checkPositionParams, checkReplayParams, InvalidParamsError } from './requestParams';
import { serverTransport } from './transport';
import { WorkspaceFields } from './services/workspaceFields';
import { ruleMetadataDiagnostics } from './services/ruleMetadata';
import { attackDiagnostics, attackHover, attackQuickFixes } from './services/attackThreat';
import { AttackNameIndex } from './services/attackNames';
import { SEMANTIC_TOKENS_LEGEND, semanticTokensInDocument } from './services/semanticTokens';
import { documentHighlightsInDocument, documentSymbolsInDocument, foldingRangesInDocument, formattingInDocument, selectionRangesInDocument } from './services/documentFeatures';
import { DEFAULT_SAMPLES_GLOB, SampleIndexer } from './services/sampleIndexer';
import { SampleTextNotification } from './protocol';
import type { Disposable } from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';

/** Delay between the last keystroke and checking the document, in ms. */
const DIAGNOSTICS_DEBOUNCE_MS = 150;

// A client stream that cannot be read ends the server with a message instead of leaving it deaf.
const transport = serverTransport(process.argv.slice(2));
const connection = transport ? createConnection(ProposedFeatures.all, transport.reader, transport.writer) : createConnection(ProposedFeatures.all);
// The stream ended without `shutdown` (the client is gone): exit as vscode-languageserver does.
let shutdownReceived = false;
connection.onShutdown(() => void (shutdownReceived = true));
transport?.reader.onClose(() => process.exit(shutdownReceived ? 0 : 1));
const documents = new TextDocuments(TextDocument);
/** The replay running, cancelled by a newer replay request or by `$/cancelRequest`. */
const replayRuns = new ReplayRuns();
/** The explanations running (in the replay worker), each cancelled by a newer one of its kind or by `$/cancelRequest`. */
const explainEventRuns = new ReplayRuns('explanation');
const explainReplayRuns = new ReplayRuns('explanation');
const pending = new Map<string, NodeJS.Timeout>();
/** The rule of each open document, for the version it was read from (TOML is parsed once per version). */
const rules = new Map<string, { version: number; result: RuleDocumentResult }>();
/** What the client's completion accepts (from its `initialize` capabilities). */
let completionOptions: CompletionOptions = {};
/** Known fields (ECS, samples, mappings, detection-rules schemas) and the unknown-field settings. */
let fields = new WorkspaceFields();
/** Whether the client answers `workspace/configuration` and registers for configuration changes. */
let configuration = { pull: false, register: false, watch: false };
/** The workspace folder (a path), where samples are searched. */
let workspaceFolder: string | undefined;
/** Fields learnt from the workspace's samples, indexed in the background. */
const samples = new SampleIndexer(
  () => {
    fields.setSampleFields(samples.fields.fieldSource());
    recheckOpenDocuments();
    warmCompletionWhenIndexed();
  },
  (message) => connection.console.warn(`EQL Workbench: sample fields: ${message}`),
);

connection.onInitialize(
  (params): InitializeResult => {
    const completion = params.capabilities.textDocument?.completion;
    completionOptions = {
      snippetSupport: completion?.completionItem?.snippetSupport === true,
      editRangeDefault: completion?.completionList?.itemDefaults?.includes('editRange') === true,
    };
    fields = new WorkspaceFields(params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined);
    configuration = {
      pull: params.capabilities.workspace?.configuration === true,
      register: params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      watch: params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    };
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    workspaceFolder = folder?.startsWith('file:') ? fileURLToPath(folder) : undefined;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        completionProvider: { triggerCharacters: ['.', '"', '[', '|'], resolveProvider: true },
        hoverProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [','] },
        semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true, range: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentHighlightProvider: true,
        selectionRangeProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
      },
      serverInfo: { name: 'eql-workbench' },
    };
  },
);

/** ATT&CK names the workspace's TOML rules give to ids, for the hover and checks of `[[rule.threat]]`. */
const attackNames = new AttackNameIndex();

connection.onInitialized(() => {
  if (workspaceFolder) void attackNames.indexFolder(workspaceFolder).then(recheckOpenDocuments, () => undefined);
  if (configuration.register) send('register for configuration changes', connection.client.register(DidChangeConfigurationNotification.type, undefined).then(() => undefined));
  setImmediate(() => guarded('load the field catalogue', () => fields.warm()));
  // A turn later, after the messages read meanwhile (`didOpen` starts its diagnostics' debounce).
  setImmediate(() => setImmediate(warmCompletion));
  void readSettings();
});
connection.onDidChangeConfiguration(() => void readSettings());
connection.onDidChangeWatchedFiles(({ changes }) => {
  for (const change of changes) {
    if (!change.uri.startsWith('file:')) continue;
    const file = fileURLToPath(change.uri);
    if (change.type === FileChangeType.Deleted) samples.remove(file);
    else void samples.update(file);
  }
});

connection.onNotification(SampleTextNotification, (params) =>
  guarded('index an open sample', () => {
    if (typeof params?.uri !== 'string' || !params.uri.startsWith('file:') || (typeof params.text !== 'string' && params.text !== null)) {
      throw new Error(`eqlWorkbench/sampleText needs {uri: a file: URI, text: a string or null}, got ${JSON.stringify(params)?.slice(0, 200)}`);
    }
    void samples.editorText(fileURLToPath(params.uri), params.text ?? undefined);
  }),
);

documents.onDidChangeContent(({ document }) => {
  if (isTomlDocument(document.uri, document.languageId)) attackNames.set(document.uri, document.getText());
  schedule(document.uri, () => publishDiagnostics(document.uri));
});
documents.onDidClose(({ document }) => {
  cancel(document.uri);
  rules.delete(document.uri);
  fields.forget(document.uri);
  send(`clear diagnostics of ${document.uri}`, connection.sendDiagnostics({ uri: document.uri, diagnostics: [] }));
});

connection.onRequest(CodeActionRequest.type, (params) =>
  request('code actions', async () => (checkCodeActionParams(params), [...tomlQuickFixes(params.textDocument.uri, params.context.diagnostics), ...withRule(params.textDocument.uri, [], (r) => codeActionsInDocument(r, params.context.diagnostics))])),
);
connection.onRequest(CompletionRequest.type, (params) =>
  request('completion', async () =>
    (checkPositionParams(params), withRule(params.textDocument.uri, null, (r) => completionsInDocument(r, params.position, (text, offset) => computeCompletions(text, offset, { ...completionOptions, samples: samples.fields })))),
  ),
);
connection.onRequest(CompletionResolveRequest.type, (item) => request('completion resolve', async () => (checkCompletionItem(item), resolveCompletionItem(item))));
connection.onRequest(SemanticTokensRequest.type, (params) => request('semantic tokens', async () => (checkTextDocumentParams(params), withRule(params.textDocument.uri, { data: [] }, (r) => semanticTokensInDocument(r, fieldsOf(r))))));
connection.onRequest(SemanticTokensRangeRequest.type, (params) => request('semantic tokens', async () => (checkRangeParams(params), withRule(params.textDocument.uri, { data: [] }, (r) => semanticTokensInDocument(r, fieldsOf(r), params.range)))));
connection.onRequest(DocumentFormattingRequest.type, (params) => request('formatting', async () => (checkFormattingParams(params), withRule(params.textDocument.uri, [], (r) => formattingInDocument(r)))));
connection.onRequest(DocumentRangeFormattingRequest.type, (params) => request('range formatting', async () => (checkFormattingParams(params, true), withRule(params.textDocument.uri, [], (r) => formattingInDocument(r, params.range)))));
connection.onRequest(DocumentSymbolRequest.type, (params) => request('document symbols', async () => (checkTextDocumentParams(params), withRule(params.textDocument.uri, [], (r) => documentSymbolsInDocument(r)))));
connection.onRequest(FoldingRangeRequest.type, (params) => request('folding ranges', async () => (checkTextDocumentParams(params), withRule(params.textDocument.uri, [], (r) => foldingRangesInDocument(r)))));
connection.onRequest(DocumentHighlightRequest.type, (params) => request('document highlight', async () => (checkPositionParams(params), withRule(params.textDocument.uri, null, (r) => documentHighlightsInDocument(r, params.position)))));
connection.onRequest(SelectionRangeRequest.type, (params) => request('selection ranges', async () => (checkSelectionRangeParams(params), withRule(params.textDocument.uri, [], (r) => selectionRangesInDocument(r, params.positions)))));
connection.onRequest(HoverRequest.type, (params) => request('hover', async () => (checkPositionParams(params), tomlHover(params.textDocument.uri, params.position) ?? withRule(params.textDocument.uri, null, (r) => hoverInDocument(r, params.position, samples.fields, fieldsOf(r))))));
connection.onRequest(SignatureHelpRequest.type, (params) => request('signature help', async () => (checkPositionParams(params), withRule(params.textDocument.uri, null, (r) => signatureHelpInDocument(r, params.position)))));
connection.onRequest(ReplayRequest, (params, token) =>
  request('replay', async () => {
    checkReplayParams(params);
    // `$/progress` on the client's workDoneToken (none given: nothing is sent).
    const progress = reportReplayProgress(connection.window.attachWorkDoneProgress(params.workDoneToken), 'Replaying on samples');
    try {
      const result = await replayRuns.run(token, (signal) => replayOpenOrSaved(params, signal, progress.onProgress));
      progress.finished(result.events);
      return result;
    } finally {
      progress.done();
    }
  }),
);
connection.onRequest(ExplainEventRequest, (params, token) =>
  request('explain event', () => (checkReplayParams(params), explainEventRuns.run(token, (signal) => explainEventInWorker(params, openRuleQuery(params.uri), { signal, ruleOptions: openRuleOptions(params.uri) })))),
);
connection.onRequest(ExplainReplayRequest, (params, token) => request('explain replay', () => (checkReplayParams(params), explainReplayRuns.run(token, (signal) => explainReplayOpenOrSaved(params, signal)))));
connection.onRequest(ListRuleTestsRequest, (params) => request('list rule tests', () => listRuleTests(params)));
connection.onRequest(RunRuleTestsRequest, (params) => request('run rule tests', () => runRuleTests(params)));
connection.onRequest(RecordRuleTestCaseRequest, (params) => request('record rule test case', () => recordRuleTestCase(params)));
connection.onRequest(RecordReplayRequest, (params) => request('record replay', () => recordReplayAsTestCase(params)));

documents.listen(connection);
connection.listen();

/** Publishes the diagnostics of an open document (skipped if it was closed meanwhile). */
function publishDiagnostics(uri: string): void {
  const document = documents.get(uri);
  if (!document) return;
  guarded(`check ${uri}`, () => {
    const read = ruleOf(document);
    const diagnostics = [...diagnosticsInDocument(read, read.rule ? fields.diagnosticsOptions(uri, read.rule.format === 'toml' ? document.getText() : undefined) : {})];
    if (isTomlDocument(uri, document.languageId)) diagnostics.push(...ruleMetadataDiagnostics(document), ...attackDiagnostics(document, attackNames));
    send(`publish diagnostics of ${uri}`, connection.sendDiagnostics({ uri, version: document.version, diagnostics }));
  });
}

function ruleOf(document: TextDocument): RuleDocumentResult {
  const cached = rules.get(document.uri);
  if (cached && cached.version === document.version) return cached.result;
  const result = ruleDocument(document);
  rules.set(document.uri, { version: document.version, result });
  return result;
}

/** The hover of a TOML rule's metadata (an ATT&CK id of `[[rule.threat]]`), in any TOML rule, EQL or not. */
function tomlHover(uri: string, position: Position): Hover | null {
  const document = documents.get(uri);
  return document && isTomlDocument(uri, document.languageId) ? attackHover(document, position, attackNames) : null;
}

/** Quick fixes of a TOML rule's metadata diagnostics (its ATT&CK mapping), EQL rule or not. */
function tomlQuickFixes(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
  const document = documents.get(uri);
  return document && isTomlDocument(uri, document.languageId) ? attackQuickFixes(document, diagnostics, attackNames) : [];
}

/** Runs `run` on the rule of the open document `uri`; `otherwise` when it is not open or holds no EQL rule. */
function withRule<T>(uri: string, otherwise: T, run: (rule: NonNullable<RuleDocumentResult['rule']>) => T): T {
  const document = documents.get(uri);
  const rule = document ? ruleOf(document).rule : undefined;
  return rule ? run(rule) : otherwise;
}

/**
 * Replays the rule `params.uri`: an open document's query (unsaved edits included; for TOML the
 * query string, with the diagnostics of a rule with errors placed in the TOML document), else the
 * file on disk (`replayRule` reads `.eql` and `.toml`).
 */
async function replayOpenOrSaved(params: Parameters<typeof replayRule>[0], signal?: AbortSignal, onProgress?: ReplayHooks['onProgress']): ReturnType<typeof replayRule> {
  const document = documents.get(params.uri);
  const read = document ? ruleOf(document) : undefined;
  if (document && read && !read.rule) {
    throw new ReplayInputError(`The rule ${params.uri} cannot be used: ${read.notRule}`);
  }
  const rule = read?.rule;
  const ruleOptions = rule?.format === 'toml' ? ruleFromToml(params.uri, rule.document.getText()).rule?.options : undefined;
  // In a worker thread: the server keeps answering while the logs are read.
  const result = await replayRuleInWorker(params, rule?.query.getText(), { signal, ruleOptions, onProgress });
  if (!rule || !result.diagnostics) return result;
  return { ...result, diagnostics: result.diagnostics.map((d) => ({ ...d, range: rule.toDocumentRange(d.range) })) };
}

/** The known fields for a rule document (its detection-rules schemas, the mappings, the samples, ECS). */
function fieldsOf(rule: NonNullable<RuleDocumentResult['rule']>) {
  return fields.diagnosticsOptions(rule.document.uri, rule.format === 'toml' ? rule.document.getText() : undefined).fields;
}

/** Reads the `eqlWorkbench` settings (when the client offers them) and checks the open documents again. */
async function readSettings(): Promise<void> {
  try {
    const settings = configuration.pull ? await connection.workspace.getConfiguration('eqlWorkbench') : {};
    const problems = await fields.applySettings(settings ?? {});
    for (const p of problems) connection.console.warn(`EQL Workbench: ${p}`);
    const glob = typeof settings?.samples === 'string' ? settings.samples : undefined;
    watchSamples(glob);
    void samples.configure(workspaceFolder, glob);
  } catch (e) {
    connection.console.error(`EQL Workbench: reading the settings failed: ${describe(e)}`);
  }
  recheckOpenDocuments();
}

/** The client's watcher of the sample files: its glob pattern and registration. */
let samplesWatcher: { pattern: string; registration: Promise<Disposable | undefined> } | undefined;

/**
 * Asks the client to watch the files of the samples glob (when it registers watchers
 * dynamically); when the glob changed, the watcher of the old one is unregistered.
 */
function watchSamples(glob: string | undefined): void {
  const g = glob || DEFAULT_SAMPLES_GLOB;
  const pattern = g.startsWith('**/') ? g : `**/${g}`;
  if (!configuration.watch || samplesWatcher?.pattern === pattern) return;
  const previous = samplesWatcher?.registration;
  const registration = connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: pattern }] }).catch((e: unknown) => {
    connection.console.error(`EQL Workbench: watch the sample files failed: ${describe(e)}`);
    return undefined;
  });
  samplesWatcher = { pattern, registration };
  void previous?.then((watcher) => watcher?.dispose());
}

/** Checks every open document again (after the settings or the samples changed). */
function recheckOpenDocuments(): void {
  for (const document of documents.all()) schedule(document.uri, () => publishDiagnostics(document.uri));
}

/** The query text of the open rule document `uri` (unsaved edits included), or `undefined` when it is not open. */
function openRuleQuery(uri: string): string | undefined {
  const document = documents.get(uri);
  return document ? ruleOf(document).rule?.query.getText() : undefined;
}

/** The options of an open detection-rules TOML document (`timestamp_override`, `index`, …), which its text on disk may not have yet. */
function openRuleOptions(uri: string): RuleReplayOptions | undefined {
  const document = documents.get(uri);
  const rule = document ? ruleOf(document).rule : undefined;
  return rule?.format === 'toml' ? ruleFromToml(uri, rule.document.getText()).rule?.options : undefined;
}

/** Explains a replay of `params.uri` (in the replay worker); the stage ends of an open document are placed in it (TOML positions for TOML). */
async function explainReplayOpenOrSaved(params: Parameters<typeof explainReplayInWorker>[0], signal: AbortSignal): ReturnType<typeof explainReplayInWorker> {
  const document = documents.get(params.uri);
  const rule = document ? ruleOf(document).rule : undefined;
  const result = await explainReplayInWorker(params, rule?.query.getText(), { signal, ruleOptions: openRuleOptions(params.uri) });
  if (!rule) return result;
  return { ...result, stageEnds: result.stageEnds.map((s) => ({ ...s, position: rule.toDocumentPosition(s.position) })) };
}

/** Logs a failed notification (e.g. the client went away) instead of leaving an unhandled rejection. */
function send(what: string, sent: Promise<void>): void {
  sent.catch((e: unknown) => connection.console.error(`EQL Workbench: ${what} failed: ${describe(e)}`));
}

function schedule(uri: string, run: () => void): void {
  cancel(uri);
  pending.set(
    uri,
    setTimeout(() => {
      pending.delete(uri);
      run();
    }, DIAGNOSTICS_DEBOUNCE_MS),
  );
}

function cancel(uri: string): void {
  const timer = pending.get(uri);
  if (timer) clearTimeout(timer);
  pending.delete(uri);
}

/** Runs a notification handler; a thrown error is logged, never propagated. */
/** Builds completion's field items off the request path, so the first completion is as fast as the next. */
function warmCompletion(): void {
  guarded('build the completion items', () => warmFieldItems(samples.fields.fields()));
}

let completionWarmScheduled = false;
/** Builds the field items again once the samples being indexed are all in (once, not per file). */
function warmCompletionWhenIndexed(): void {
  if (completionWarmScheduled) return;
  completionWarmScheduled = true;
  const warm = (): void => void setImmediate(() => ((completionWarmScheduled = false), warmCompletion()));
  void samples.idle().then(warm, warm);
}

function guarded(what: string, run: () => void): void {
  try {
    run();
  } catch (e) {
    connection.console.error(`EQL Workbench: ${what} failed: ${describe(e)}`);
  }
}

/** Runs a request handler; input errors become `InvalidParams`, anything else is logged and `InternalError`. */
async function request<T>(what: string, run: () => Promise<T>): Promise<T | ResponseError<void>> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ReplayInputError || e instanceof InvalidParamsError || e instanceof RecordInputError) return new ResponseError(ErrorCodes.InvalidParams, e.message);
    if (e instanceof ReplayCancelledError) return new ResponseError(LSPErrorCodes.RequestCancelled, e.message);
    connection.console.error(`EQL Workbench: ${what} failed: ${describe(e)}`);
    return new ResponseError(ErrorCodes.InternalError, `EQL Workbench: ${what} failed: ${(e as Error)?.message ?? e}`);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
