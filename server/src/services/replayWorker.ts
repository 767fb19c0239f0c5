/**
 * Entry point of the replay worker thread (`dist/replayWorker.js`): runs `replayRule` and the
 * explanations (`explainEvent`, `explainReplayOfRule`) off the language server's main thread, so
 * diagnostics and completion keep answering while samples are read.
 * The thread lives as long as the server and runs one job at a time ({@link ReplayJobMessage});
 * it keeps the parsed sample files between jobs (`SampleCache`, budget from the job's
 * `sampleCacheBudgetMB`), so a re-run after a rule edit does not read and parse unchanged files
 * again. Messages out are {@link ReplayWorkerMessage}s: progress after each chunk read, then one
 * result or one error. A job whose shared `cancel` flag is set stops at its next chunk.
 */
import { parentPort } from 'node:worker_threads';
import { SampleCache } from '../samples/sampleCache';
import { sampleCacheBudgetBytes } from './replayCacheBudget';
import { ReplayMemoryError } from '../samples/memoryGuard';
import { explainEvent, explainReplayOfRule } from './explainService';
import { ReplayInputError, replayRule, type OpenDocumentText, type ReplayHooks } from './replayService';
import type { ReplayJob, ReplayJobMessage, ReplayWorkerMessage, WorkerJobKinds } from './replayWorkerProtocol';

const port = parentPort;
if (port) {
  const cache = new SampleCache(0);
  const post = (message: ReplayWorkerMessage): void => port.postMessage(message);
  let queue = Promise.resolve();
  port.on('message', (message: ReplayJobMessage) => {
    queue = queue.then(() => run(message));
  });

  const run = async ({ id, job, cancel }: ReplayJobMessage): Promise<void> => {
    const flag = new Int32Array(cancel);
    const controller = new AbortController();
    cache.setBudget(sampleCacheBudgetBytes(job.params));
    try {
      const result = await runJob(job, (uri) => (uri === job.params.uri ? job.ruleText : undefined), {
        ruleOptions: job.ruleOptions,
        cache,
        signal: controller.signal,
        onProgress: (progress) => {
          if (Atomics.load(flag, 0) !== 0) controller.abort(new Error(`the ${job.kind === 'replay' ? 'replay' : 'explanation'} was cancelled`));
          post({ kind: 'progress', id, progress });
        },
      });
      post({ kind: 'result', id, result });
    } catch (e) {
      post({
        kind: 'error',
        id,
        inputError: e instanceof ReplayInputError || e instanceof ReplayMemoryError,
        message: e instanceof Error ? e.message : String(e),
        ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
      });
    }
  };
}

/** Runs one job with the worker's hooks (its cache, the job's cancellation and progress). */
function runJob(job: ReplayJob, openText: OpenDocumentText, hooks: ReplayHooks): Promise<WorkerJobKinds[keyof WorkerJobKinds]['result']> {
  switch (job.kind) {
    case 'replay':
      return replayRule(job.params, openText, hooks);
    case 'explainEvent':
      return explainEvent(job.params as WorkerJobKinds['explainEvent']['params'], openText, hooks);
    case 'explainReplay':
      return explainReplayOfRule(job.params, openText, hooks);
  }
}
