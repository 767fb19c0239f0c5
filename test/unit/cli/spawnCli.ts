/**
 * Runs the `eql-workbench` command line as a child process, from the TypeScript sources through
 * tsx (so tests need no build), with the repository root as working directory.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The repository root. */
export const repoRoot = join(__dirname, '../../..');

/** Exit status and the two output streams of one run. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `eql-workbench ...args` and waits for it.
 * @param args command-line arguments (paths relative to the repository root, or absolute).
 * @param options `stdoutFd`: an open file descriptor to use as the child's standard output instead
 *   of a pipe (then `stdout` is returned as '').
 */
export function spawnCli(args: readonly string[], options: { stdoutFd?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'server/src/cli.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', options.stdoutFd ?? 'pipe', 'pipe'],
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr };
}
