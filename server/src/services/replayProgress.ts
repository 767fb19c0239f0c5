/**
 * Work-done progress of a replay (LSP 3.17 "Work Done Progress", `$/progress` begin/report/end
 * on the `workDoneToken` the client put in the request): a percentage from the bytes read over
 * the bytes of all sample files, and the events read in the message. The client shows it in its
 * progress notification.
 */
import type { WorkDoneProgressReporter } from 'vscode-languageserver';
import type { SampleProgress } from '../samples/pipeline';

/** Least time between two reports with the same percentage (ms): `$/progress` stays cheap. */
export const PROGRESS_INTERVAL_MS = 200;

/**
 * What one `$/progress` report says: `percentage` 0-100 (whole numbers; absent when the size
 * of the samples is unknown, e.g. 0 bytes) and `message` (`1,234 events read`).
 */
export function progressReport(progress: SampleProgress): { percentage?: number; message: string } {
  const message = `${progress.events.toLocaleString('en-US')} ${progress.events === 1 ? 'event' : 'events'} read`;
  if (!(progress.totalBytes > 0)) return { message };
  return { percentage: Math.min(100, Math.floor((progress.bytesRead * 100) / progress.totalBytes)), message };
}

/**
 * Begins the progress on `reporter` and returns the `onProgress` hook that reports to it (at a
 * new percentage, else at most every {@link PROGRESS_INTERVAL_MS} ms), `finished(events)` that
 * reports 100 % with the replay's event count (the last line of a file may end without a line
 * break, after the last chunk's report), and `done()` that ends it.
 * `now` gives the time in ms (for tests).
 */
export function reportReplayProgress(
  reporter: WorkDoneProgressReporter,
  title: string,
  now: () => number = Date.now,
): { onProgress: (progress: SampleProgress) => void; finished: (events: number) => void; done: () => void } {
  reporter.begin(title, 0, 'starting', true);
  let lastPercentage: number | undefined = 0;
  let lastAt = now();
  return {
    onProgress: (progress) => {
      const report = progressReport(progress);
      const at = now();
      if (report.percentage === lastPercentage && at - lastAt < PROGRESS_INTERVAL_MS) return;
      lastPercentage = report.percentage;
      lastAt = at;
      if (report.percentage === undefined) reporter.report(report.message);
      else reporter.report(report.percentage, report.message);
    },
    finished: (events) => reporter.report(100, progressReport({ bytesRead: 1, totalBytes: 1, events }).message),
    done: () => reporter.done(),
  };
}
