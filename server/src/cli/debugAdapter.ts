/**
 * `eql-workbench debug-adapter`: the replay debugger (`debug/debugSession.ts`) over stdin/stdout, for
 * any Debug Adapter Protocol client. The process ends when the client disconnects or closes stdin.
 *
 * Input that is not a protocol message: a frame whose body is not a JSON message object is reported
 * on stderr and in the Debug Console and skipped (the frames after it are still in step, so the
 * session goes on); a frame header without a valid `Content-Length` (missing, not a number,
 * negative; checked by `dapFrames.ts`, as the library would silently drop that message and the
 * next) and a failing stdin or stdout end the process with exit code 1 after saying why on stderr,
 * as the language server does (`transport.ts`).
 */
import { EqlReplayDebugSession } from '../debug/debugSession';
import { DapFrameChecker } from './dapFrames';
import { ExitCode } from './io';

/** Exit code of an adapter whose standard streams failed (the language server's code for unreadable input). */
export const UNREADABLE_INPUT_EXIT_CODE = 1;

/**
 * Runs one debug session on the process's standard streams.
 * @param exit ends the process (a parameter for tests); called once, after the message is written.
 * @returns a promise that settles with {@link ExitCode.ok} when stdin ends (a `disconnect` request
 *   ends the process itself, as `@vscode/debugadapter` does for adapters run alone).
 */
export function runDebugAdapter(exit: (code: number) => void = (code) => process.exit(code)): Promise<number> {
  const session = new EqlReplayDebugSession();
  let ended = false;
  const unreadable = ({ reason, fatal }: { reason: string; fatal: boolean }): void => {
    if (ended) return;
    if (!fatal) {
      process.stderr.write(`eql-workbench debug adapter: cannot read a message from the client (${reason}); the message is skipped\n`);
      return;
    }
    ended = true;
    process.stderr.write(
      `eql-workbench debug adapter: cannot read a message from the client (${reason}); exiting so that the client can start a new session\n`,
    );
    exit(UNREADABLE_INPUT_EXIT_CODE);
  };
  session.on('unreadableInput', unreadable);
  // Registered before the session's reader, so a bad frame is named before the library reads it.
  const frames = new DapFrameChecker();
  process.stdin.on('data', (chunk: Buffer) => {
    const reason = frames.feed(chunk);
    if (reason !== undefined) unreadable({ reason, fatal: true });
  });
  return new Promise((resolve) => {
    process.stdin.on('end', () => resolve(ExitCode.ok));
    session.start(process.stdin, process.stdout);
  });
}
