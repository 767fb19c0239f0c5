/**
 * The EQL Workbench language server: LSP connection wiring only. Each handler is one call into a
 * service under `services/`; every handler catches and logs, so no text and no request can stop
 * the server.
 *
 * Transport is chosen from the command line by `vscode-languageserver/node` (`--node-ipc`,
 * `--stdio`, `--socket=N`, `--pipe=NAME`).
 */
import {
  CodeActionKind,
  createConnection,
  ErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ReplayRequest } from './protocol';
import { quickFixes } from './services/codeActions';
import { computeCompletions, resolveCompletionItem, type CompletionOptions } from './services/completion';
import { computeDiagnostics } from './services/diagnostics';
import { computeHover } from './services/hover';
import { ReplayInputError, replayRule } from './services/replayService';
import { computeSignatureHelp } from './services/signatureHelp';

/** Delay between the last keystroke and checking the document, in ms. */
const DIAGNOSTICS_DEBOUNCE_MS = 150;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const pending = new Map<string, NodeJS.Timeout>();
/** What the client's completion accepts (from its `initialize` capabilities). */
let completionOptions: CompletionOptions = {};

connection.onInitialize(
  (params): InitializeResult => {
    const completion = params.capabilities.textDocument?.completion;
    completionOptions = {
      snippetSupport: completion?.completionItem?.snippetSupport === true,
      editRangeDefault: completion?.completionList?.itemDefaults?.includes('editRange') === true,
    };
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        completionProvider: { triggerCharacters: ['.', '"', '[', '|'], resolveProvider: true },
        hoverProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [','] },
      },
      serverInfo: { name: 'eql-workbench' },
    };
  },
);

documents.onDidChangeContent(({ document }) => schedule(document.uri, () => publishDiagnostics(document.uri)));
documents.onDidClose(({ document }) => {
  cancel(document.uri);
  send(`clear diagnostics of ${document.uri}`, connection.sendDiagnostics({ uri: document.uri, diagnostics: [] }));
});

connection.onCodeAction((params) => request('code actions', async () => withDocument(params.textDocument.uri, [], (d) => quickFixes(d, params.context.diagnostics))));
connection.onCompletion((params) => request('completion', async () => withDocument(params.textDocument.uri, null, (d) => computeCompletions(d.getText(), d.offsetAt(params.position), completionOptions))));
connection.onCompletionResolve((item) => request('completion resolve', async () => resolveCompletionItem(item)));
connection.onHover((params) => request('hover', async () => withDocument(params.textDocument.uri, null, (d) => computeHover(d.getText(), d.offsetAt(params.position)))));
connection.onSignatureHelp((params) => request('signature help', async () => withDocument(params.textDocument.uri, null, (d) => computeSignatureHelp(d.getText(), d.offsetAt(params.position)))));
connection.onRequest(ReplayRequest, (params) => request('replay', () => replayRule(params, (uri) => documents.get(uri)?.getText())));

documents.listen(connection);
connection.listen();

/** Publishes the diagnostics of an open document (skipped if it was closed meanwhile). */
function publishDiagnostics(uri: string): void {
  const document = documents.get(uri);
  if (!document) return;
  guarded(`check ${uri}`, () => {
    const diagnostics = computeDiagnostics(document);
    send(`publish diagnostics of ${uri}`, connection.sendDiagnostics({ uri, version: document.version, diagnostics }));
  });
}

/** Logs a failed notification (e.g. the client went away) instead of leaving an unhandled rejection. */
function send(what: string, sent: Promise<void>): void {
  sent.catch((e: unknown) => connection.console.error(`EQL Workbench: ${what} failed: ${describe(e)}`));
}

/** Runs `run` on the open document `uri`, or returns `otherwise` when it is not open. */
function withDocument<T>(uri: string, otherwise: T, run: (document: TextDocument) => T): T {
  const document = documents.get(uri);
  return document ? run(document) : otherwise;
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
    if (e instanceof ReplayInputError) return new ResponseError(ErrorCodes.InvalidParams, e.message);
    connection.console.error(`EQL Workbench: ${what} failed: ${describe(e)}`);
    return new ResponseError(ErrorCodes.InternalError, `EQL Workbench: ${what} failed: ${(e as Error)?.message ?? e}`);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
