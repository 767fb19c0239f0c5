/**
 * One replay at a time in the language server: a new replay request cancels the one running (its
 * result would be out of date), and `$/cancelRequest` cancels a replay. Cancellation reaches the
 * sample pipeline through an `AbortSignal`, which it checks between two chunks read (256 KiB), so a
 * replay stops within one chunk's work. A request cancelled before it was dispatched (the server
 * was busy when both messages came) is cancelled too.
 */
import type { CancellationToken } from 'vscode-languageserver';

/** The reason a replay stopped early; the request answers LSP's `RequestCancelled`. */
export class ReplayCancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayCancelledError';
  }
}

/** Runs replays (or explanations) so that the latest one wins. */
export class ReplayRuns {
  private running: AbortController | undefined;

  /** @param what what is run, as the cancellation messages name it ("replay", "explanation"). */
  constructor(private readonly what = 'replay') {}

  /**
   * Runs `replay`, first cancelling the replay still running.
   * @param token the request's cancellation token (`$/cancelRequest`).
   * @param replay the work, given the signal to check.
   * @returns its result.
   * @throws {@link ReplayCancelledError} when cancelled by `token` (`replay` is not started when
   *   `token` is already cancelled) or by a newer replay; the replay's own errors otherwise.
   */
  async run<T>(token: CancellationToken | undefined, replay: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.running?.abort(new ReplayCancelledError(`a newer ${this.what} started`));
    // A `$/cancelRequest` read before the request was dispatched gives an already cancelled token
    // (vscode-jsonrpc's `CancellationToken.Cancelled`) whose `onCancellationRequested` never fires.
    if (token?.isCancellationRequested) throw new ReplayCancelledError(`the ${this.what} was cancelled`);
    const controller = new AbortController();
    this.running = controller;
    const listener = token?.onCancellationRequested(() => controller.abort(new ReplayCancelledError(`the ${this.what} was cancelled`)));
    try {
      const result = await replay(controller.signal);
      // A replay that ended between the cancellation and its next check is cancelled all the same.
      controller.signal.throwIfAborted();
      return result;
    } finally {
      listener?.dispose();
      if (this.running === controller) this.running = undefined;
    }
  }
}
