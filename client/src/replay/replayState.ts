/**
 * The last replay shown in the editor: which rule, over which sample files, and what matched,
 * whether it is still up to date, and which rule is being replayed right now.
 * The CodeLens, the decorations and the results view all render from this one store.
 */
import * as vscode from 'vscode';
import type { ExplainReplayResult, OpenSample, ReplayRequestOptions, ReplayResult } from '../../../server/src/protocol';
import type { StaleReason } from './format';

/** One replay of one rule. URIs are `Uri.toString()` strings, as sent to the server. */
export interface ReplaySession {
  ruleUri: string;
  sampleUris: string[];
  result: ReplayResult;
  /** The `eqlWorkbench.samples` glob the sample files were found with. */
  glob?: string;
  /** Set once the rule, a sample file or a setting changed after the replay (the first reason wins). */
  stale?: StaleReason;
  /** Sample files (`uriKey`) edited since the replay: their decorations are dropped (their lines moved). */
  changedSamples?: Set<string>;
  /** The replay settings sent with the request (explanations are asked with the same). */
  options?: ReplayRequestOptions;
  /** Unsaved sample texts replayed instead of the files (explanations use the same). */
  openSamples?: OpenSample[];
  /** The cache budget sent with the replay (MiB): explanations read the samples from the same cache. */
  sampleCacheBudgetMB?: number;
  /** The exception files sent with the replay: explanations leave out the same events. */
  exceptionUris?: string[];
  /** The replay's explanation (per-stage counts, "Why not?"), once the server sent it. */
  explanation?: ExplainReplayResult;
  /** Why the latest live re-run of this rule failed (the server's message); cleared by the next replay shown. */
  liveFailure?: string;
}

/** Holds the current replay (at most one) and tells listeners when it changes. */
export class ReplayStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly runningChanged = new vscode.EventEmitter<void>();
  private session: ReplaySession | undefined;
  private runningRule: string | undefined;
  /** Number of the latest replay run started ({@link startRun}); 0 before any. */
  private latestRun = 0;

  /** Fires after {@link set}, {@link clear}, {@link markStale}, {@link markSampleChanged} and {@link markLiveFailure}. */
  readonly onDidChange: vscode.Event<void> = this.changed.event;

  /** Fires after {@link setRunning} (only the CodeLens shows it; the views need no redraw). */
  readonly onDidChangeRunning: vscode.Event<void> = this.runningChanged.event;

  /** The current replay, or `undefined` before any replay and after a clear. */
  get current(): ReplaySession | undefined {
    return this.session;
  }

  /** `uriKey` of the rule whose replay is running, if any. */
  get running(): string | undefined {
    return this.runningRule;
  }

  /** Replaces the current replay. */
  set(session: ReplaySession): void {
    this.session = session;
    this.changed.fire();
  }

  /**
   * Attaches the explanation of the replay `result` (no-op when another replay is shown now).
   * Fires {@link onDidChange}.
   */
  setExplanation(result: ReplayResult, explanation: ExplainReplayResult): void {
    if (!this.session || this.session.result !== result) return;
    this.session = { ...this.session, explanation };
    this.changed.fire();
  }

  /** Forgets the current replay. */
  clear(): void {
    this.session = undefined;
    this.changed.fire();
  }

  /**
   * Records why a live re-run of the shown rule failed (the replay shown stays, from before):
   * the latest failure wins. No-op without a replay, or when it shows another rule. Fires
   * {@link onDidChange} when the message changes.
   */
  markLiveFailure(ruleUri: vscode.Uri | string, message: string): void {
    const session = this.session;
    if (!session || uriKey(session.ruleUri) !== uriKey(ruleUri) || session.liveFailure === message) return;
    this.session = { ...session, liveFailure: message };
    this.changed.fire();
  }

  /** Marks the current replay out of date (keeps the first reason); no-op without a replay. */
  markStale(reason: StaleReason): void {
    if (!this.session || this.session.stale) return;
    this.session = { ...this.session, stale: reason };
    this.changed.fire();
  }

  /**
   * A sample file of the current replay was edited: its decorations go (their lines may have
   * moved) and the replay is out of date. No-op for files the replay did not read.
   */
  markSampleChanged(uri: vscode.Uri | string): void {
    const session = this.session;
    if (!session) return;
    const key = uriKey(uri);
    if (session.changedSamples?.has(key) || !session.sampleUris.some((u) => uriKey(u) === key)) return;
    this.session = { ...session, stale: session.stale ?? 'samples', changedSamples: new Set([...(session.changedSamples ?? []), key]) };
    this.changed.fire();
  }

  /** Records the rule being replayed (`undefined` when the replay is over). */
  setRunning(ruleUri: vscode.Uri | string | undefined): void {
    this.runningRule = ruleUri === undefined ? undefined : uriKey(ruleUri);
    this.runningChanged.fire();
  }

  /**
   * Starts a replay run of `ruleUri`: records it as running and returns its sequence number
   * (1, 2, …). A later {@link startRun} supersedes it: its result must not be stored
   * ({@link isLatestRun}) and its end does not reset the running state ({@link finishRun}).
   */
  startRun(ruleUri: vscode.Uri | string): number {
    this.latestRun++;
    this.setRunning(ruleUri);
    return this.latestRun;
  }

  /** Whether run `run` (from {@link startRun}) is still the latest one started. */
  isLatestRun(run: number): boolean {
    return run === this.latestRun;
  }

  /** Ends run `run`: clears the running state unless a later run started since (it still runs). */
  finishRun(run: number): void {
    if (this.isLatestRun(run)) this.setRunning(undefined);
  }

  dispose(): void {
    this.changed.dispose();
    this.runningChanged.dispose();
  }
}

/** Normalises a URI string so the server's echo and an editor's `document.uri` compare equal. */
export function uriKey(uri: string | vscode.Uri): string {
  return (typeof uri === 'string' ? vscode.Uri.parse(uri) : uri).toString();
}
