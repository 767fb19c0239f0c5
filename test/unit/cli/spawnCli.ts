/**
 * Runs the `eql-workbench` command line as a child process, from the TypeScript sources through
 * tsx (so tests need no build), with the repository root as working directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
 *   of a pipe (then `stdout` is returned as ''); `input`: bytes piped into the child's standard input
 *   (default: none, standard input is ignored).
 */
export function spawnCli(args: readonly string[], options: { stdoutFd?: number; input?: Buffer } = {}): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'server/src/cli.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: [options.input ? 'pipe' : 'ignore', options.stdoutFd ?? 'pipe', 'pipe'],
    input: options.input,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr };
}

/**
 * Runs `eql-workbench ...args` as a user to whom file permissions apply: the current user, or
 * when that is root (who reads every folder) the unprivileged user 65534 through `setpriv`
 * (util-linux), for tests of unreadable folders.
 * @returns the run, or a string saying why it cannot be done here (no POSIX permissions, no
 *   `setpriv`, or user 65534 cannot read the checkout, e.g. one inside a private folder): skip then.
 */
export function spawnCliWithPermissions(args: readonly string[]): CliRun | string {
  if (process.platform === 'win32') return 'needs POSIX permissions';
  if (process.getuid?.() !== 0) return spawnCli(args);
  if (!existsSync(SETPRIV)) return 'run as root, and setpriv (util-linux) is not installed to run as another user';
  const run = (a: readonly string[]) => {
    const r = spawnSync(SETPRIV, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', join(repoRoot, 'server/src/cli.ts'), ...a], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr };
  };
  if (run(['--version']).status !== 0) return 'user 65534 cannot run the command from this checkout (its folder is not readable to others)';
  return run(args);
}

const SETPRIV = '/usr/bin/setpriv';
