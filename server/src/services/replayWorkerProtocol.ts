/** What the language server and its replay worker thread (`replayWorker.ts`) send each other: plain, structured-clonable data. */
import type { ReplayParams, ReplayResult } from '../protocol';
import type { SampleProgress } from '../samples/pipeline';
import type { RuleReplayOptions } from '../samples/ruleFile';

/** One replay, given to the worker as its `workerData`. */
export interface ReplayJob {
  params: ReplayParams;
  /** The open rule document's query text (unsaved edits included); `undefined`: read the file. */
  ruleText?: string;
  /** The options of an open detection-rules TOML document. */
  ruleOptions?: RuleReplayOptions;
}

/** Messages from the worker: any number of `progress`, then one `result` or one `error`. */
export type ReplayWorkerMessage =
  | { kind: 'progress'; progress: SampleProgress }
  | { kind: 'result'; result: ReplayResult }
  /** `inputError`: a `ReplayInputError` (the rule's or the input's problem, not a defect). */
  | { kind: 'error'; inputError: boolean; message: string; stack?: string };
