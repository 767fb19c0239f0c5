/**
 * Runs `replayRule` and the explanations (`explainEvent`, `explainReplayOfRule`) in a
 * `worker_threads` worker: the language server's main thread stays free for diagnostics,
 * completion and the rest while logs are read. One worker lives as long as the server and runs one
 * job at a time, keeping parsed sample files between jobs (its `SampleCache`), so live re-runs
 * after a rule edit, and the explanations that follow a replay, skip reading and parsing unchanged
 * samples.
 *
 * Cancelling a replay answers at once; the worker stops the job at its next chunk (it reads a shared
 * flag). A worker that has not stopped {@link STOP_GRACE_MS} ms later (a long step between two
 * checks, such as ordering millions of kept events) is terminated, losing its cache, and a new one
 * starts for the next replay. The worker is `replayWorker.js` beside the bundle (`dist/`, built by
 * scripts/build.mjs); run from the TypeScript sources (tests), `replayWorker.ts` through tsx.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExplainEventParams, ExplainEventResult, ExplainReplayResult, ReplayParams, ReplayResult } from '../protocol';
import { ReplayInputError, type ReplayHooks } from './replayService';
import type { ReplayJob, ReplayJobMessage, ReplayWorkerMessage, WorkerJobKind, WorkerJobKinds } from './replayWorkerProtocol';

/** How long a cancelled job may take to stop before its worker is terminated (ms). */
export const STOP_GRACE_MS = 250;

/** How to start the worker: a bundled script, or the TypeScript source through tsx. */
function workerScript(): { file: string; eval: boolean } | undefined {
  const bundled = path.join(__dirname, 'replayWorker.js');
  if (existsSync(bundled)) return { file: bundled, eval: false };
  const source = path.join(__dirname, 'replayWorker.ts');
  if (existsSync(source)) return { file: `require('tsx/cjs'); require(${JSON.stringify(source)});`, eval: true };
  return undefined;
}

/** A job asked of the worker, waiting or running. */
interface Pending {
  id: number;
  job: ReplayJob;
  hooks: ReplayHooks;
  /** Shared with the worker: set to 1 to stop the job. */
  cancel: Int32Array;
  /** Answers the caller once (later calls do nothing). */
  settle: (outcome: { result: WorkerJobKinds[WorkerJobKind]['result'] } | { error: unknown }) => void;
}

/** The worker thread and its queue of jobs (the latest request is usually the only one). */
class ReplayWorkerHost {
  private worker: Worker | undefined;
  private running: Pending | undefined;
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;

  run<K extends WorkerJobKind>(job: ReplayJob<K>, hooks: ReplayHooks): Promise<WorkerJobKinds[K]['result']> {
    const { signal } = hooks;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<WorkerJobKinds[K]['result']>((resolve, reject) => {
      let settled = false;
      const pending: Pending = {
        id: this.nextId++,
        job,
        hooks,
        cancel: new Int32Array(new SharedArrayBuffer(4)),
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          if ('result' in outcome) resolve(outcome.result as WorkerJobKinds[K]['result']);
          else reject(outcome.error);
        },
      };
      const onAbort = (): void => this.cancel(pending, signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(pending);
      this.next();
    });
  }

  /** Answers `pending` with `reason` at once, and stops it: unqueued, or flagged in the worker. */
  private cancel(pending: Pending, reason: unknown): void {
    pending.settle({ error: reason });
    const at = this.waiting.indexOf(pending);
    if (at >= 0) {
      this.waiting.splice(at, 1);
      return;
    }
    if (this.running !== pending) return;
    Atomics.store(pending.cancel, 0, 1);
    this.stopTimer ??= setTimeout(() => {
      this.stopTimer = undefined;
      if (this.running === pending) this.replaceWorker();
    }, STOP_GRACE_MS);
  }

  /** Sends the next waiting job when the worker is free. */
  private next(): void {
    if (this.running) return;
    const pending = this.waiting.shift();
    if (!pending) {
      // Idle: the worker alone does not keep the process alive.
      this.worker?.unref();
      return;
    }
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (e) {
      pending.settle({ error: e });
      this.next();
      return;
    }
    worker.ref();
    this.running = pending;
    const message: ReplayJobMessage = { kind: 'job', id: pending.id, job: pending.job, cancel: pending.cancel.buffer as SharedArrayBuffer };
    worker.postMessage(message);
  }

  private start(): Worker {
    const script = workerScript();
    if (!script) throw new Error(`the replay worker (replayWorker.js) is missing beside ${__dirname}`);
    const worker = new Worker(script.file, { eval: script.eval });
    this.worker = worker;
    worker.on('message', (message: ReplayWorkerMessage) => {
      if (worker === this.worker) this.onMessage(message);
    });
    worker.on('error', (e) => {
      if (worker === this.worker) this.onDeath(e);
    });
    worker.on('exit', (code) => {
      if (worker === this.worker) this.onDeath(new Error(`the replay worker stopped (exit code ${code}) before it answered`));
    });
    return worker;
  }

  private onMessage(message: ReplayWorkerMessage): void {
    const pending = this.running;
    if (!pending || message.id !== pending.id) return;
    if (message.kind === 'progress') {
      if (Atomics.load(pending.cancel, 0) === 0) pending.hooks.onProgress?.(message.progress);
      return;
    }
    this.jobEnded();
    if (message.kind === 'result') {
      pending.settle({ result: message.result });
    } else {
      const error = message.inputError ? new ReplayInputError(message.message) : new Error(message.message);
      if (message.stack && !message.inputError) error.stack = message.stack;
      pending.settle({ error });
    }
    this.next();
  }

  /** The worker failed or exited: the running job fails, a new worker starts for the next. */
  private onDeath(error: Error): void {
    const pending = this.running;
    this.worker = undefined;
    this.jobEnded();
    pending?.settle({ error });
    this.next();
  }

  /** Terminates a worker that did not stop a cancelled job in time (its cache goes with it). */
  private replaceWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.jobEnded();
    void worker?.terminate();
    this.next();
  }

  private jobEnded(): void {
    this.running = undefined;
    if (this.stopTimer !== undefined) clearTimeout(this.stopTimer);
    this.stopTimer = undefined;
  }
}

let host: ReplayWorkerHost | undefined;

/**
 * Replays `params` in the replay worker thread, as `replayRule(params, openText, hooks)` would in
 * this one, with the worker's cache of parsed sample files (budget `params.sampleCacheBudgetMB`).
 *
 * @param params the replay request.
 * @param ruleText the open rule document's query text, or `undefined` to read the rule file.
 * @param hooks `signal` cancels the replay (the promise rejects at once with the signal's reason);
 *   `onProgress` is called with bytes and events read after each chunk; `ruleOptions` as for
 *   `replayRule` (`cache` is ignored: the worker has its own).
 * @returns the replay's result (plain data, copied from the worker).
 * @throws ReplayInputError as `replayRule` does; an `Error` when the worker failed otherwise
 *   (a defect, or the thread could not start or died), with the worker's message.
 */
export function replayRuleInWorker(params: ReplayParams, ruleText: string | undefined, hooks: ReplayHooks = {}): Promise<ReplayResult> {
  return runInWorker('replay', params, ruleText, hooks);
}

/**
 * Explains the event `params.sampleUri`:`params.line` in the replay worker thread, as
 * `explainEvent(params, openText, hooks)` would in this one, reading the samples from the worker's
 * cache (and caching them) as a replay does. Parameters, cancellation and errors as for
 * {@link replayRuleInWorker}.
 */
export function explainEventInWorker(params: ExplainEventParams, ruleText: string | undefined, hooks: ReplayHooks = {}): Promise<ExplainEventResult> {
  return runInWorker('explainEvent', params, ruleText, hooks);
}

/**
 * Explains a replay of `params.uri` in the replay worker thread, as
 * `explainReplayOfRule(params, openText, hooks)` would in this one (stage ends in the rule file's
 * text, or the query's for an open document). Parameters, cancellation and errors as for
 * {@link replayRuleInWorker}.
 */
export function explainReplayInWorker(params: ReplayParams, ruleText: string | undefined, hooks: ReplayHooks = {}): Promise<ExplainReplayResult> {
  return runInWorker('explainReplay', params, ruleText, hooks);
}

function runInWorker<K extends WorkerJobKind>(kind: K, params: WorkerJobKinds[K]['params'], ruleText: string | undefined, hooks: ReplayHooks): Promise<WorkerJobKinds[K]['result']> {
  const job: ReplayJob<K> = { kind, params, ...(ruleText !== undefined ? { ruleText } : {}), ...(hooks.ruleOptions ? { ruleOptions: hooks.ruleOptions } : {}) };
  host ??= new ReplayWorkerHost();
  return host.run(job, hooks);
}
