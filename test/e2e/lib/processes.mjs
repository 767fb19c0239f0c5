// Keeps track of everything the runner starts (child process groups, the browser,
// temp folders) so that one cleanup pass can end them on success, failure, timeout
// and SIGINT alike.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/** @type {Array<{ name: string, close: () => Promise<void> | void }>} */
const resources = [];

/**
 * Registers something to release at cleanup; releases run in reverse order.
 * @param {string} name shown when the release fails
 * @param {() => Promise<void> | void} close
 */
export function track(name, close) {
  resources.push({ name, close });
}

/** Registers a temp folder to delete at cleanup unless EQL_E2E_KEEP=1. */
export function trackTempDir(dir) {
  track(`temp folder ${dir}`, () => {
    if (process.env.EQL_E2E_KEEP === '1') return;
    rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * Ends a child started with `detached: true` (so it leads its own process group):
 * SIGTERM to the whole group, SIGKILL after `graceMs` milliseconds if it is still there.
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} graceMs
 */
export async function killGroup(child, graceMs = 3000) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    // The leader is gone; its group may still hold children (the extension host).
    if (child.pid !== undefined) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* no such group */ }
    }
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
  const timer = new Promise((resolve) => setTimeout(resolve, graceMs));
  await Promise.race([exited, timer]);
  // Whatever is left in the group (the leader or its children) is forced out.
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group empty */ }
}

/**
 * Starts a command as the leader of a new process group and registers it for cleanup.
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 */
export function spawnTracked(name, command, args, options) {
  const child = spawn(command, args, { ...options, detached: true });
  track(name, () => killGroup(child));
  return child;
}

let cleaning;
/** Releases every tracked resource once (later calls wait for the first). */
export function cleanup() {
  cleaning ??= (async () => {
    while (resources.length > 0) {
      const r = resources.pop();
      try {
        await r.close();
      } catch (err) {
        process.stderr.write(`e2e: could not release ${r.name}: ${err instanceof Error ? err.message : err}\n`);
      }
    }
  })();
  return cleaning;
}

/**
 * Runs a command to completion, collecting its output; rejects with the output on a
 * non-zero exit or after `timeoutMs` (the process group is killed then).
 * @returns {Promise<string>} stdout + stderr
 */
export function runCommand(command, args, { cwd, env, timeoutMs = 120_000, echo = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d) => {
      output += d;
      if (echo) process.stdout.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const release = () => killGroup(child, 1000);
    track(`${command} ${args.join(' ')}`, release);
    const timer = setTimeout(() => {
      release();
      reject(new Error(`${command} ${args.join(' ')} took longer than ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}\n${output}`));
    });
  });
}

/**
 * Waits for a test run's exit code, failing when the whole run takes longer than `timeoutMs` or the
 * suite has not started (printed its first line) `startTimeoutMs` after the host opened: a wrong
 * payload or a broken suite bundle hangs silently otherwise.
 * @param {Promise<number>} exit resolves with the run's exit code
 * @param {{ timeoutMs: number, startTimeoutMs: number, isStarted: () => boolean }} limits times in ms
 * @returns {Promise<number>} the exit code
 */
export async function raceTestRun(exit, { timeoutMs, startTimeoutMs, isStarted }) {
  let timer;
  let startTimer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the tests did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    startTimer = setTimeout(() => {
      if (!isStarted()) reject(new Error(`the test suite did not start within ${Math.round(startTimeoutMs / 1000)} s (see EQL_E2E_VERBOSE=1)`));
    }, startTimeoutMs);
  });
  try {
    return await Promise.race([exit, timeout]);
  } finally {
    clearTimeout(timer);
    clearTimeout(startTimer);
  }
}
