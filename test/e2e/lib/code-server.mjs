// Runs a test suite inside code-server's VS Code: starts the server on loopback, opens the
// workbench in headless Chromium (playwright-core) with a test payload, streams the extension
// host's output and returns the exit code the workbench reports through `codeAutomationExit`.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raceTestRun, runCommand, spawnTracked, track, trackTempDir } from './processes.mjs';

/** Chromium to drive: `EQL_E2E_CHROMIUM`, else Debian's. */
export function chromiumPath() {
  const candidates = [process.env.EQL_E2E_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p) => p && existsSync(p));
}

function entryScript(hostDir) {
  return join(hostDir, 'node_modules/code-server/out/node/entry.js');
}

/** A throw-away home with user data, extension and XDG folders for one code-server. */
export function makeProfile(label) {
  const home = mkdtempSync(join(tmpdir(), `eql-e2e-${label}-`));
  trackTempDir(home);
  const dirs = {
    home,
    userDataDir: join(home, 'user-data'),
    extensionsDir: join(home, 'extensions'),
    config: join(home, 'config'),
    data: join(home, 'data'),
    cache: join(home, 'cache'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return dirs;
}

function serverEnv(profile, extraEnv) {
  return {
    ...process.env,
    HOME: profile.home,
    XDG_CONFIG_HOME: profile.config,
    XDG_DATA_HOME: profile.data,
    XDG_CACHE_HOME: profile.cache,
    // No marketplace lookups.
    EXTENSIONS_GALLERY: '{}',
    ...extraEnv,
  };
}

function commonArgs(profile) {
  return [
    '--auth', 'none',
    '--user-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
}

/**
 * Installs a .vsix into the profile's extensions folder with code-server's own CLI.
 * @returns {Promise<string>} the CLI's output
 */
export function installVsix(hostDir, profile, vsixPath) {
  return runCommand(process.execPath, [entryScript(hostDir), ...commonArgs(profile), '--install-extension', vsixPath], {
    env: serverEnv(profile, {}),
    timeoutMs: 60_000,
  });
}

/**
 * Starts code-server on 127.0.0.1 with a free port.
 * @returns {Promise<{ port: number, output: () => string }>}
 */
export function startServer(hostDir, profile, { extraEnv = {}, timeoutMs = 60_000 } = {}) {
  const child = spawnTracked(
    'code-server',
    process.execPath,
    [entryScript(hostDir), ...commonArgs(profile), '--bind-addr', '127.0.0.1:0'],
    { env: serverEnv(profile, extraEnv), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (d) => {
      output += d;
      const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited early (${code ?? signal}):\n${output}`));
    });
  });
}

/**
 * Launches headless Debian Chromium through the host's playwright-core, with the flags this machine
 * needs (no sandbox as root, no GPU, no background network traffic), and tracks it for cleanup.
 * @param {string} hostDir the installed e2e host (holds playwright-core)
 * @returns {Promise<import('playwright-core').Browser>}
 * @throws when no Chromium is installed
 */
export async function launchChromium(hostDir) {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found: install Debian\'s chromium (bash .ci/install-e2e-deps.sh) or set EQL_E2E_CHROMIUM');
  const { chromium } = createRequire(join(hostDir, 'package.json'))('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // The runner's own signal handlers close the browser and everything else; playwright's
    // would exit the process on SIGINT before code-server is stopped.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  track('chromium', () => browser.close());
  return browser;
}

/**
 * Opens the workbench on `folder` with a test payload and waits for the tests' exit code.
 * `extensionDevelopmentPath` is optional (the .vsix phase runs against the installed copy).
 * @param {object} o
 * @param {string} o.hostDir
 * @param {number} o.port
 * @param {string} o.folder absolute path of the workspace folder
 * @param {string | undefined} o.extensionDevelopmentPath absolute path
 * @param {string} o.extensionTestsPath absolute path of the suite's index.js
 * @param {number} o.timeoutMs
 * @param {number} [o.startTimeoutMs] fail when `isStarted()` is still false this long after the page opened
 * @param {() => boolean} [o.isStarted] whether the suite has begun (printed its first line)
 * @param {(type: string, message: string) => void} o.onLog extension host and workbench log lines
 * @returns {Promise<number>} 0 when the suite's `run()` resolved
 */
export async function runInBrowser({ hostDir, port, folder, extensionDevelopmentPath, extensionTestsPath, timeoutMs, startTimeoutMs = 90_000, isStarted = () => true, onLog }) {
  const browser = await launchChromium(hostDir);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();

  const remote = (p) => `vscode-remote://127.0.0.1:${port}${encodeURI(p)}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);

  let resolveExit;
  const exit = new Promise((resolve) => { resolveExit = resolve; });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  await page.exposeFunction('codeAutomationLog', (type, message) => onLog(String(type), String(message)));
  page.on('pageerror', (err) => onLog('pageerror', err.message));
  page.on('crash', () => resolveExit(Promise.reject(new Error('the workbench page crashed'))));

  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

  try {
    return await raceTestRun(exit, { timeoutMs, startTimeoutMs, isStarted });
  } finally {
    if (process.env.EQL_E2E_SCREENSHOT) {
      await page.screenshot({ path: process.env.EQL_E2E_SCREENSHOT }).catch(() => {});
    }
    await browser.close().catch(() => {});
  }
}
