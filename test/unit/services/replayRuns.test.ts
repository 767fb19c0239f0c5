/**
 * ReplayRuns: the latest replay wins, and the request's cancellation token cancels it, whenever the
 * `$/cancelRequest` came. vscode-jsonrpc cancels a request whose `$/cancelRequest` it read before
 * dispatching it by cancelling its `CancellationTokenSource` before the token is handed out: the
 * handler gets `CancellationToken.Cancelled`, whose `onCancellationRequested` is `Event.None`
 * (vscode-jsonrpc lib/common/cancellation.js, connection.js `knownCanceledRequests`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancellationToken, CancellationTokenSource } from 'vscode-jsonrpc/node';
import { ReplayCancelledError, ReplayRuns } from '../../../server/src/services/replayRuns';

/** A replay that runs until its signal aborts, and records that it was started. */
function untilAborted(started: string[], name: string) {
  return (signal: AbortSignal) => {
    started.push(name);
    return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  };
}

describe('ReplayRuns', () => {
  it('a request cancelled before it was dispatched is cancelled and its replay never starts', async () => {
    // What the connection does for a request whose $/cancelRequest was read first.
    const source = new CancellationTokenSource();
    source.cancel();
    const token = source.token;
    assert.equal(token, CancellationToken.Cancelled);
    const started: string[] = [];
    await assert.rejects(new ReplayRuns().run(token, untilAborted(started, 'replay')), ReplayCancelledError);
    assert.deepEqual(started, []);
  });

  it('a token cancelled while the replay runs cancels it', async () => {
    const source = new CancellationTokenSource();
    const started: string[] = [];
    const running = new ReplayRuns().run(source.token, untilAborted(started, 'replay'));
    source.cancel();
    await assert.rejects(running, (e) => e instanceof ReplayCancelledError && /was cancelled/.test(e.message));
    assert.deepEqual(started, ['replay']);
  });

  it('a newer replay cancels the one running, and completes', async () => {
    const runs = new ReplayRuns();
    const started: string[] = [];
    const first = runs.run(undefined, untilAborted(started, 'first'));
    const second = runs.run(undefined, async () => 'second result');
    await assert.rejects(first, (e) => e instanceof ReplayCancelledError && /a newer replay started/.test(e.message));
    assert.equal(await second, 'second result');
  });
});
