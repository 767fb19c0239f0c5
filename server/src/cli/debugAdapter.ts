/**
 * `eql-workbench debug-adapter`: the replay debugger (`debug/debugSession.ts`) over stdin/stdout, for
 * any Debug Adapter Protocol client. The process ends when the client disconnects or closes stdin.
 */
import { EqlReplayDebugSession } from '../debug/debugSession';
import { ExitCode } from './io';

/**
 * Runs one debug session on the process's standard streams.
 * @returns a promise that settles with {@link ExitCode.ok} when stdin ends (a `disconnect` request
 *   ends the process itself, as `@vscode/debugadapter` does for adapters run alone).
 */
export function runDebugAdapter(): Promise<number> {
  const session = new EqlReplayDebugSession();
  return new Promise((resolve) => {
    process.stdin.on('end', () => resolve(ExitCode.ok));
    session.start(process.stdin, process.stdout);
  });
}
