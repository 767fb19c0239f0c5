/**
 * EQL Workbench for VS Code: wiring only. Starts the language server (`dist/server.js`, over
 * IPC) for `eql` documents and detection-rules `.toml` files (the server serves a TOML file only
 * when its `[rule]` is EQL) and registers the replay command, CodeLens, decorations and results
 * view that live in `replay/`.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ReplayCodeLensProvider } from './replay/codeLens';
import { decorationsFor, type LineDecoration, MatchDecorations } from './replay/decorations';
import { OPEN_MATCH_EVENT_COMMAND, openMatchEvent } from './replay/openMatchEvent';
import { clearReplayCommand, type ReplayCommandResult, replayCommand } from './replay/replayCommand';
import { ReplayStore } from './replay/replayState';
import { createResultsView, type ResultsTreeItem } from './replay/resultsView';
import { isRuleDocument, isToml, RULE_DOCUMENT_SELECTOR } from './replay/ruleDocuments';

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
  /** The results view as plain data: matches with their event children. */
  getResultsTree(): ResultsTreeItem[];
}

let client: LanguageClient | undefined;

/** Activation (on `onLanguage:eql`, `onLanguage:toml`): registers everything, then starts the language server. */
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
  const deps = { client: languageClient, clientReady, store, output, sampleProblems };
  const results = createResultsView(store);
  context.subscriptions.push(
    output,
    store,
    sampleProblems,
    ...results.disposables,
    new MatchDecorations(store, vscode.Uri.joinPath(context.extensionUri, 'client', 'media', 'match.svg')),
    vscode.languages.registerCodeLensProvider(RULE_DOCUMENT_SELECTOR, new ReplayCodeLensProvider(store)),
    ...trackTomlRuleEditor(),
    vscode.commands.registerCommand('eqlWorkbench.replay', (rule?: vscode.Uri | string): Promise<ReplayCommandResult | undefined> =>
      replayCommand(deps, rule),
    ),
    vscode.commands.registerCommand('eqlWorkbench.clearReplay', () => clearReplayCommand(deps)),
    vscode.commands.registerCommand(OPEN_MATCH_EVENT_COMMAND, (uri: vscode.Uri | string, line: number) => openMatchEvent(uri, line)),
  );

  try {
    await clientReady;
  } catch (e) {
    output.error(`The EQL language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    getDecorations: (uri) => decorationsFor(store, uri),
    getResultsTree: () => results.provider.snapshot(),
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

/** Stops the language server. */
export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}
