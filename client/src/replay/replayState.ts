/**
 * The last replay shown in the editor: which rule, over which sample files, and what matched.
 * The CodeLens, the decorations and the results view all render from this one store.
 */
import * as vscode from 'vscode';
import type { ReplayResult } from '../../../server/src/protocol';

/** One replay of one rule. URIs are `Uri.toString()` strings, as sent to the server. */
export interface ReplaySession {
  ruleUri: string;
  sampleUris: string[];
  result: ReplayResult;
}

/** Holds the current replay (at most one) and tells listeners when it changes. */
export class ReplayStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private session: ReplaySession | undefined;

  /** Fires after {@link set} or {@link clear}. */
  readonly onDidChange: vscode.Event<void> = this.changed.event;

  /** The current replay, or `undefined` before any replay and after a clear. */
  get current(): ReplaySession | undefined {
    return this.session;
  }

  /** Replaces the current replay. */
  set(session: ReplaySession): void {
    this.session = session;
    this.changed.fire();
  }

  /** Forgets the current replay. */
  clear(): void {
    this.session = undefined;
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Normalises a URI string so the server's echo and an editor's `document.uri` compare equal. */
export function uriKey(uri: string | vscode.Uri): string {
  return (typeof uri === 'string' ? vscode.Uri.parse(uri) : uri).toString();
}
