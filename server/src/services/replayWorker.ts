/**
 * Entry point of the replay worker thread (`dist/replayWorker.js`): runs one `replayRule` off
 * the language server's main thread, so diagnostics and completion keep answering during a
 * replay, and a cancelled replay is stopped by terminating the thread. The job comes in
 * `workerData` ({@link ReplayJob}); messages out are {@link ReplayWorkerMessage}s: progress after
 * each chunk read, then one result or one error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReplayInputError, replayRule } from './replayService';
import type { ReplayJob, ReplayWorkerMessage } from './replayWorkerProtocol';

const port = parentPort;
if (port) {
  const job = workerData as ReplayJob;
  const post = (message: ReplayWorkerMessage): void => port.postMessage(message);
  replayRule(job.params, (uri) => (uri === job.params.uri ? job.ruleText : undefined), {
    ruleOptions: job.ruleOptions,
    onProgress: (progress) => post({ kind: 'progress', progress }),
  }).then(
    (result) => post({ kind: 'result', result }),
    (e: unknown) =>
      post({
        kind: 'error',
        inputError: e instanceof ReplayInputError,
        message: e instanceof Error ? e.message : String(e),
        ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
      }),
  );
}
