// The desktop host: @vscode/test-electron with a VS Code given in VSCODE_EXECUTABLE_PATH or
// downloaded into the cache. Used wherever such a VS Code can be had; the suite is the same.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './build.mjs';
import { cacheRoot } from './host-install.mjs';
import { raceTestRun, runCommand, spawnTracked, trackTempDir } from './processes.mjs';

const requireFromRepo = createRequire(join(REPO_ROOT, 'package.json'));
const testElectron = () => requireFromRepo('@vscode/test-electron');
/** The release feed query @vscode/test-electron itself uses to resolve `stable` (not re-exported from its index). */
const fetchStableVersions = (released, timeoutMs) => requireFromRepo('@vscode/test-electron/out/download').fetchStableVersions(released, timeoutMs);
/** Stand-in extensionDevelopmentPath for the installed-extension phase (both hosts need one to start tests). */
export const EMPTY_EXTENSION = new URL('../fixtures/empty-extension', import.meta.url).pathname;

let executable;

/**
 * Whether a desktop VS Code can be used: VSCODE_EXECUTABLE_PATH, or a quick probe (≤ 5 s)
 * of the release feed @vscode/test-electron downloads from.
 * @returns {Promise<{ ok: boolean, reason?: string }>}
 */
export async function electronAvailable({ log }) {
  if (process.platform === 'linux' && !process.env.DISPLAY && !xvfbPath()) {
    return { ok: false, reason: 'no DISPLAY and no Xvfb for a desktop VS Code' };
  }
  const given = process.env.VSCODE_EXECUTABLE_PATH;
  if (given) {
    if (!existsSync(given)) return { ok: false, reason: `VSCODE_EXECUTABLE_PATH=${given} does not exist` };
    executable = given;
    return { ok: true };
  }
  try {
    const probe = fetchStableVersions(true, 4000);
    const timer = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref());
    const versions = await Promise.race([probe, timer]);
    if (!Array.isArray(versions) || versions.length === 0) return { ok: false, reason: 'the VS Code release feed answered with no versions' };
    log(`VS Code ${versions[0]} can be downloaded`);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `VS Code cannot be downloaded: ${err instanceof Error ? err.message : err}` };
  }
}

/**
 * The VS Code executable: VSCODE_EXECUTABLE_PATH, else a stable VS Code downloaded into the
 * cache by @vscode/test-electron (kept there for later runs).
 */
export async function ensureElectronExecutable({ log }) {
  if (executable) return executable;
  const given = process.env.VSCODE_EXECUTABLE_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`VSCODE_EXECUTABLE_PATH=${given} does not exist`);
    executable = given;
    return executable;
  }
  log('downloading VS Code (stable) with @vscode/test-electron');
  try {
    executable = await testElectron().downloadAndUnzipVSCode({ version: 'stable', cachePath: join(cacheRoot(), 'vscode'), timeout: 30_000 });
  } catch (err) {
    throw new Error(`VS Code could not be downloaded (${err instanceof Error ? err.message : err}); set VSCODE_EXECUTABLE_PATH or use --host code-server`);
  }
  return executable;
}

function xvfbPath() {
  try {
    return execFileSync('sh', ['-c', 'command -v Xvfb'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Linux without a display: starts Xvfb when it is installed, else throws saying what to install. */
export function ensureDisplay() {
  if (process.platform !== 'linux' || process.env.DISPLAY) return;
  const xvfb = xvfbPath();
  if (!xvfb) throw new Error('the electron host needs a display: set DISPLAY or install Xvfb (Debian: xvfb)');
  const display = `:${90 + (process.pid % 100)}`;
  spawnTracked('Xvfb', xvfb, [display, '-screen', '0', '1400x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  process.env.DISPLAY = display;
}

/**
 * Runs one phase in desktop VS Code. VS Code is started here rather than through
 * `runTests` (same arguments as @vscode/test-electron passes) so that its whole process group
 * can be ended on timeout or SIGINT and its output read line by line.
 * @param {string} phase
 * @param {object} o
 * @param {string} o.workspace folder to open
 * @param {Record<string, string>} o.env environment of the extension host (EQL_E2E_*)
 * @param {string} o.suiteIndex absolute path of the suite's index.js
 * @param {string | undefined} o.vsix .vsix to install first (installed-extension phase)
 * @param {(msg: string) => void} o.log
 * @param {number} o.timeoutMs
 * @param {number} [o.startTimeoutMs]
 * @param {() => boolean} [o.isStarted]
 * @param {(type: string, line: string) => void} o.onLog every output line of VS Code
 * @returns {Promise<number>} VS Code's exit code: 0 when the suite's `run()` resolved
 */
export async function runElectronPhase(phase, { workspace, env, suiteIndex, vsix, log, timeoutMs, startTimeoutMs = 90_000, isStarted = () => true, onLog }) {
  const exe = await ensureElectronExecutable({ log });
  const profile = mkdtempSync(join(tmpdir(), `eql-e2e-electron-${phase}-`));
  trackTempDir(profile);
  const userDataDir = join(profile, 'user-data');
  const extensionsDir = join(profile, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });

  if (vsix) {
    const [cli, ...cliArgs] = testElectron().resolveCliArgsFromVSCodeExecutablePath(exe);
    await runCommand(cli, [...cliArgs, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], { timeoutMs: 60_000 });
  }
  const args = [
    workspace,
    '--no-sandbox',
    '--disable-gpu-sandbox',
    '--disable-gpu',
    '--disable-updates',
    '--skip-welcome',
    '--skip-release-notes',
    '--disable-workspace-trust',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    `--extensionDevelopmentPath=${vsix ? EMPTY_EXTENSION : REPO_ROOT}`,
    `--extensionTestsPath=${suiteIndex}`,
  ];
  // In the main phase nothing but the extension under development should load.
  if (!vsix) args.push('--disable-extensions');
  const child = spawnTracked('VS Code', exe, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const [stream, type] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']]) {
    let buffered = '';
    stream.on('data', (d) => {
      buffered += d;
      const lines = buffered.split(/\r?\n/);
      buffered = lines.pop();
      for (const line of lines) onLog(type, line);
    });
    stream.on('end', () => { if (buffered) onLog(type, buffered); });
  }
  const exit = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  return raceTestRun(exit, { timeoutMs, startTimeoutMs, isStarted });
}
