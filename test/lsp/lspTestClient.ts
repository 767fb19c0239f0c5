/**
 * A minimal LSP client for tests: starts the EQL Workbench language server as a child process over
 * stdio and speaks JSON-RPC to it with `vscode-jsonrpc`, the library VS Code's own client uses.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';

/** Repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** `file://` URI string of a path relative to the repository root. */
export function fileUri(relative: string): string {
  return pathToFileURL(path.join(ROOT, relative)).toString();
}

/** A running server and the client side of its connection. */
export interface TestServer {
  connection: MessageConnection;
  process: ChildProcess;
  /** Everything the server wrote to stderr (it logs there only on trouble). */
  stderr(): string;
  /** Every `window/logMessage` the server sent. */
  logMessages: string[];
  /** The capabilities the server registered (`client/registerCapability`) and has not unregistered, by id. */
  registrations: Map<string, { method: string; registerOptions?: unknown }>;
  /** Sends `textDocument/didOpen` for an `eql` document. */
  open(uri: string, text: string, version?: number): Promise<void>;
  /** Sends `textDocument/didChange`. */
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void>;
  /** Sends `textDocument/didClose`. */
  close(uri: string): Promise<void>;
  /**
   * Resolves with the first `publishDiagnostics` for `uri` that satisfies `accept` (default: any),
   * including ones already received since the last {@link forget}; rejects after `timeoutMs`.
   */
  diagnostics(uri: string, accept?: (p: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  /** All `publishDiagnostics` received for `uri`, oldest first. */
  received(uri: string): PublishDiagnosticsParams[];
  /** Drops the notifications received so far for `uri`. */
  forget(uri: string): void;
  /** `shutdown` + `exit`, then waits for the process to end (kills it after 3 s). */
  stop(): Promise<number | null>;
}

/** Optional client behaviour for {@link startServer}. */
export interface StartOptions {
  /**
   * Settings the client answers `workspace/configuration` with, by section (`eqlWorkbench` →
   * `{ unknownFieldSeverity: 'off' }`). When given, the client declares the `workspace.configuration`
   * capability; without it the server reads no settings.
   */
  settings?: Record<string, unknown>;
  /**
   * The workspace folder (`rootUri`), whose sample files the server indexes; default: none, so
   * that answers do not depend on the sample files lying around.
   */
  rootUri?: string;
  /**
   * More `textDocument` client capabilities than `publishDiagnostics.versionSupport` (e.g. VS Code's
   * `completion` capabilities, for answers shaped as the editor gets them).
   */
  textDocument?: Record<string, unknown>;
  /**
   * More `workspace` client capabilities (e.g. `didChangeWatchedFiles: { dynamicRegistration: true }`,
   * for the server to register file watchers).
   */
  workspace?: Record<string, unknown>;
  /** Extra options for the server's `node` process, before the script (e.g. `--cpu-prof` to profile it). */
  nodeArgs?: string[];
}

/**
 * Starts the server and completes the `initialize` handshake.
 *
 * @param entry `source`: `server/src/server.ts` through tsx (the default); `dist`: the bundle
 *   `dist/server.js` that the extension ships.
 */
export async function startServer(entry: 'source' | 'dist' = 'source', options: StartOptions = {}): Promise<TestServer> {
  const args =
    entry === 'source'
      ? [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'server/src/server.ts'), '--stdio']
      : [...(options.nodeArgs ?? []), path.join(ROOT, 'dist/server.js'), '--stdio'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published = new Map<string, PublishDiagnosticsParams[]>();
  const waiters: Array<{ uri: string; accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }> = [];
  const logMessages: string[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
    for (const w of waiters.slice()) {
      if (w.uri === p.uri && w.accept(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  connection.onNotification('window/logMessage', (p: { message: string }) => void logMessages.push(p.message));
  const registrations = new Map<string, { method: string; registerOptions?: unknown }>();
  connection.onRequest('client/registerCapability', (p: { registrations: Array<{ id: string; method: string; registerOptions?: unknown }> }) => {
    for (const r of p.registrations) registrations.set(r.id, { method: r.method, registerOptions: r.registerOptions });
  });
  // The field is misspelt `unregisterations` by the protocol itself (LSP 3.17, UnregistrationParams).
  connection.onRequest('client/unregisterCapability', (p: { unregisterations: Array<{ id: string }> }) => {
    for (const r of p.unregisterations) registrations.delete(r.id);
  });
  connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map((i) => options.settings?.[i.section ?? ''] ?? null));
  connection.listen();

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A server that dies while starting fails the test with its stderr instead of hanging it.
  const died = exited.then((code) => {
    throw new Error(`the language server exited with code ${code} during initialize; stderr:\n${stderr}`);
  });
  await Promise.race([
    connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: options.rootUri ?? null,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, ...options.textDocument }, ...(options.settings || options.workspace ? { workspace: { ...(options.settings ? { configuration: true } : {}), ...options.workspace } } : {}) },
      workspaceFolders: null,
    }),
    died,
  ]);
  died.catch(() => undefined);
  await connection.sendNotification('initialized', {});

  return {
    connection,
    process: child,
    stderr: () => stderr,
    logMessages,
    registrations,
    open: (uri, text, version = 1) =>
      connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'eql', version, text } }),
    change: (uri, version, contentChanges) =>
      connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges }),
    close: (uri) => connection.sendNotification('textDocument/didClose', { textDocument: { uri } }),
    diagnostics(uri, accept = () => true, timeoutMs = 10_000) {
      const already = (published.get(uri) ?? []).find(accept);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = { uri, accept, resolve: (p: PublishDiagnosticsParams) => (clearTimeout(timer), resolve(p)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching publishDiagnostics for ${uri} within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    received: (uri) => published.get(uri) ?? [],
    forget: (uri) => void published.delete(uri),
    async stop() {
      if (child.exitCode === null) {
        try {
          await connection.sendRequest('shutdown');
          await connection.sendNotification('exit');
        } catch {
          // The process may already be gone; it is killed below.
        }
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      const code = await exited;
      clearTimeout(timer);
      connection.dispose();
      return code;
    },
  };
}
