/**
 * Runs `replayRule` in a `worker_threads` worker, one thread per replay: the language server's
 * main thread stays free for diagnostics, completion and the rest while logs are read, and a
 * cancelled replay is stopped at once by terminating its thread (the pipeline's own checks run only
 * between chunks). The worker is `replayWorker.js` beside the bundle (`dist/`, built by
 * scripts/build.mjs); run from the TypeScript sources (tests), `replayWorker.ts` through tsx.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReplayParams, ReplayResult } from '../protocol';
import { ReplayInputError, type ReplayHooks } from './replayService';
import type { ReplayJob, ReplayWorkerMessage } from './replayWorkerProtocol';

/** How to start the worker: a bundled script, or the TypeScript source through tsx. */
function workerScript(): { file: string; eval: boolean } | undefined {
  const bundled = path.join(__dirname, 'replayWorker.js');
  if (existsSync(bundled)) return { file: bundled, eval: false };
  const source = path.join(__dirname, 'replayWorker.ts');
  if (existsSync(source)) return { file: `require('tsx/cjs'); require(${JSON.stringify(source)});`, eval: true };
  return undefined;
}

/**
 * Replays `params` in a worker thread, as `replayRule(params, openText, hooks)` would in this one.
 *
 * @param params the replay request.
 * @param ruleText the open rule document's query text, or `undefined` to read the rule file.
 * @param hooks `signal` terminates the worker as soon as it aborts (the promise rejects with the
 *   signal's reason); `onProgress` is called with bytes and events read after each chunk;
 *   `ruleOptions` as for `replayRule`.
 * @returns the replay's result (plain data, copied from the worker).
 * @throws ReplayInputError as `replayRule` does; an `Error` when the worker failed otherwise
 *   (a defect, or the thread could not start or died), with the worker's message.
 */
export function replayRuleInWorker(params: ReplayParams, ruleText: string | undefined, hooks: ReplayHooks = {}): Promise<ReplayResult> {
  const { signal } = hooks;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const script = workerScript();
  if (!script) return Promise.reject(new Error(`the replay worker (replayWorker.js) is missing beside ${__dirname}`));
  const job: ReplayJob = { params, ...(ruleText !== undefined ? { ruleText } : {}), ...(hooks.ruleOptions ? { ruleOptions: hooks.ruleOptions } : {}) };
  return new Promise<ReplayResult>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(script.file, { eval: script.eval, workerData: job });
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      settle();
      void worker.terminate();
    };
    const onAbort = (): void => finish(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: ReplayWorkerMessage) => {
      if (settled) return;
      if (message.kind === 'progress') {
        hooks.onProgress?.(message.progress);
      } else if (message.kind === 'result') {
        finish(() => resolve(message.result));
      } else {
        const error = message.inputError ? new ReplayInputError(message.message) : new Error(message.message);
        if (message.stack && !message.inputError) error.stack = message.stack;
        finish(() => reject(error));
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the replay worker stopped (exit code ${code}) before it answered`))));
  });
}
