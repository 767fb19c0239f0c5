/** What the language server and its replay worker thread (`replayWorker.ts`) send each other: plain, structured-clonable data. */
import type { ExplainEventParams, ExplainEventResult, ExplainReplayResult, ReplayParams, ReplayResult } from '../protocol';
import type { SampleProgress } from '../samples/pipeline';
import type { RuleReplayOptions } from '../samples/ruleFile';

/**
 * What the worker runs, each with its params and result: a replay (`replayRule`), an event's
 * explanation (`explainEvent`) and a replay's explanation (`explainReplayOfRule`).
 */
export interface WorkerJobKinds {
  replay: { params: ReplayParams; result: ReplayResult };
  explainEvent: { params: ExplainEventParams; result: ExplainEventResult };
  explainReplay: { params: ReplayParams; result: ExplainReplayResult };
}

export type WorkerJobKind = keyof WorkerJobKinds;

/** One job of kind `K`, run by the worker. */
export interface ReplayJob<K extends WorkerJobKind = WorkerJobKind> {
  kind: K;
  params: WorkerJobKinds[K]['params'];
  /** The open rule document's query text (unsaved edits included); `undefined`: read the file. */
  ruleText?: string;
  /** The options of an open detection-rules TOML document. */
  ruleOptions?: RuleReplayOptions;
}

/**
 * A job for the worker (one at a time: the next is sent once the worker answered the last).
 * `cancel` is a shared 4-byte flag (an `Int32Array`'s buffer): the server sets it to 1 to stop the
 * job, the worker reads it after each chunk (a worker busy with a job cannot receive messages).
 */
export interface ReplayJobMessage {
  kind: 'job';
  id: number;
  job: ReplayJob;
  cancel: SharedArrayBuffer;
}

/** Messages from the worker about job `id`: any number of `progress`, then one `result` or one `error`. */
export type ReplayWorkerMessage =
  | { kind: 'progress'; id: number; progress: SampleProgress }
  | { kind: 'result'; id: number; result: WorkerJobKinds[WorkerJobKind]['result'] }
  /** `inputError`: a `ReplayInputError` (the rule's or the input's problem, not a defect). */
  | { kind: 'error'; id: number; inputError: boolean; message: string; stack?: string };
