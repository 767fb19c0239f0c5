#!/usr/bin/env node
// In-editor tests of EQL Workbench in a real VS Code.
//
//   node test/e2e/run.mjs [--host electron|code-server] [--vsix | --no-vsix] [--grep RE] [--timeout SECONDS] [--no-build]
//
// Phases: `main` runs test/e2e/suite against the extension loaded from this repo
// (extensionDevelopmentPath); `vsix` packages the extension, installs the .vsix into a fresh
// extensions folder and runs suite/installed.test.ts against the installed copy. By default
// both run; --vsix runs only the second, --no-vsix only the first.
//
// Host: @vscode/test-electron when VSCODE_EXECUTABLE_PATH names a VS Code or VS Code can be
// downloaded; otherwise code-server (test/e2e/host, installed once into
// ${XDG_CACHE_HOME:-~/.cache}/eql-workbench/) in headless Chromium. --host or EQL_E2E_HOST picks one.
//
// Environment: EQL_E2E_HOST, EQL_E2E_TIMEOUT (s, whole run including a first install, default 420), EQL_E2E_GREP,
// EQL_E2E_VERBOSE=1 (all workbench log lines), EQL_E2E_KEEP=1 (keep temp folders),
// EQL_E2E_CHROMIUM (browser path), EQL_E2E_SCREENSHOT (PNG of the workbench at the end).
//
// --no-build skips `npm run build` (use the dist/ that is there) while iterating on the tests.
//
// Exit code: 0 when every test of every phase passed, 1 otherwise, 2 when the host could not be set up.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanup, trackTempDir } from './lib/processes.mjs';
import { REPO_ROOT, buildSuite, ensureExtensionBuilt, packageVsix } from './lib/build.mjs';
import { E2E_DEBIAN_PACKAGES, ensureHostInstalled, hostCached, missingRunPrerequisites, which } from './lib/host-install.mjs';
import { makeProfile, installVsix, startServer, runInBrowser, chromiumPath } from './lib/code-server.mjs';
import { EMPTY_EXTENSION, electronAvailable, ensureDisplay, ensureElectronExecutable, runElectronPhase } from './lib/electron.mjs';

const { values: opts } = parseArgs({
  options: {
    host: { type: 'string' },
    vsix: { type: 'boolean' },
    'no-vsix': { type: 'boolean' },
    grep: { type: 'string' },
    timeout: { type: 'string' },
    'no-build': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  process.stdout.write('usage: node test/e2e/run.mjs [--host electron|code-server] [--vsix | --no-vsix] [--grep RE] [--timeout SECONDS] [--no-build]\n');
  process.exit(0);
}

const started = Date.now();
const log = (msg) => process.stdout.write(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const timeoutS = Number(opts.timeout ?? process.env.EQL_E2E_TIMEOUT ?? 420);
const verbose = process.env.EQL_E2E_VERBOSE === '1';
const grep = opts.grep ?? process.env.EQL_E2E_GREP;
const phases = opts.vsix ? ['vsix'] : opts['no-vsix'] ? ['main'] : ['main', 'vsix'];

class SetupError extends Error {}

let finishing = false;
async function finish(code, message) {
  if (finishing) return;
  finishing = true;
  if (message) process.stderr.write(`e2e: ${message}\n`);
  await cleanup();
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${code}`);
  process.exit(code);
}
process.on('SIGINT', () => finish(130, 'interrupted'));
process.on('SIGHUP', () => finish(129, 'hung up'));
// A closed stdout (`| head`) must not kill the runner before it has stopped code-server.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
process.on('uncaughtException', (err) => finish(1, `internal error: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => finish(1, `internal error: ${err instanceof Error ? err.stack : err}`));
process.on('SIGTERM', () => finish(143, 'terminated'));
const overall = setTimeout(() => finish(1, `timed out after ${timeoutS} s (EQL_E2E_TIMEOUT / --timeout)`), timeoutS * 1000);
overall.unref();
const remainingMs = () => Math.max(1000, started + timeoutS * 1000 - Date.now());

/** Picks the host: explicit choice, then a local or downloadable VS Code, then code-server. */
async function pickHost() {
  const explicit = opts.host ?? process.env.EQL_E2E_HOST;
  if (explicit) {
    if (explicit !== 'electron' && explicit !== 'code-server') throw new SetupError(`unknown host "${explicit}" (electron or code-server)`);
    return explicit;
  }
  const electron = await electronAvailable({ log });
  if (electron.ok) return 'electron';
  log(`no desktop VS Code (${electron.reason}); using code-server + headless Chromium`);
  // Everything missing is named at once, with the one command that installs it.
  const missing = missingRunPrerequisites({ chromium: !!chromiumPath(), hostCached: hostCached() });
  if (missing.length > 0) {
    throw new SetupError(
      `no desktop VS Code, and code-server + headless Chromium need: ${missing.join('; ')}.\n` +
        `On Debian run: bash .ci/install-e2e-deps.sh (installs ${E2E_DEBIAN_PACKAGES}), ` +
        'or set VSCODE_EXECUTABLE_PATH to a VS Code',
    );
  }
  return 'code-server';
}

/** Marks of the suite's output lines (test/e2e/suite/index.ts). */
const OUTPUT_MARKER = '[eql-e2e] ';
const RESULT_MARKER = '[eql-e2e-result] ';
/** Test counts per phase, from the suite's result line. */
const counts = { passes: 0, failures: 0, pending: 0 };
/** Whether the running phase has printed anything / sent its result line. */
let phaseStarted = false;
let phaseReported = false;

/**
 * Prints the suite's output (mocha's reporter) from the workbench log stream and records its
 * result line; the workbench's own log lines show only with EQL_E2E_VERBOSE=1, errors always.
 */
function handleSuiteLine(type, message) {
  const r = message.indexOf(RESULT_MARKER);
  if (r >= 0) {
    try {
      const result = JSON.parse(message.slice(r + RESULT_MARKER.length));
      counts.passes += result.passes;
      counts.failures += result.failures;
      counts.pending += result.pending;
      phaseReported = true;
      return true;
    } catch {
      return false;
    }
  }
  // Desktop VS Code may prefix forwarded extension host output; code-server does not.
  const o = message.indexOf(OUTPUT_MARKER);
  if (o >= 0) {
    phaseStarted = true;
    process.stdout.write(`${message.slice(o + OUTPUT_MARKER.length)}\n`);
    return true;
  }
  return false;
}

/** The host's last log lines, shown when a phase ends without a test result. */
const recentHostLines = [];

function makeLogSink() {
  return (type, message) => {
    if (handleSuiteLine(type, message)) return;
    recentHostLines.push(`  [${type}] ${message}`);
    if (recentHostLines.length > 60) recentHostLines.shift();
    if (verbose) process.stdout.write(`  [${type}] ${message}\n`);
    else if (type === 'error' || type === 'pageerror') process.stdout.write(`  [workbench ${type}] ${message}\n`);
  };
}

async function runCodeServerPhase(phase, { hostDir, workspace, env, suiteIndex, vsix }) {
  const profile = makeProfile(phase);
  if (vsix) {
    const out = await installVsix(hostDir, profile, vsix);
    log(`installed the .vsix: ${out.trim().split('\n').pop()}`);
  }
  const server = await startServer(hostDir, profile, { extraEnv: env });
  log(`code-server listening on 127.0.0.1:${server.port}; running phase ${phase}`);
  return runInBrowser({
    hostDir,
    port: server.port,
    folder: workspace,
    // Without an extensionDevelopmentPath the workbench never starts the tests: the vsix
    // phase passes a placeholder that contributes nothing.
    extensionDevelopmentPath: vsix ? EMPTY_EXTENSION : REPO_ROOT,
    extensionTestsPath: suiteIndex,
    timeoutMs: remainingMs(),
    isStarted: () => phaseStarted,
    onLog: makeLogSink(),
  });
}

/** Runs one phase on the chosen host; on a host error, shows the host's last lines first. */
async function runPhase(phase, host, { hostDir, workspace, env, suiteIndex, vsix }) {
  try {
    if (host === 'code-server') return await runCodeServerPhase(phase, { hostDir, workspace, env, suiteIndex, vsix });
    return await runElectronPhase(phase, {
      workspace,
      env,
      suiteIndex,
      vsix,
      log,
      timeoutMs: remainingMs(),
      isStarted: () => phaseStarted,
      onLog: makeLogSink(),
    });
  } catch (err) {
    if (recentHostLines.length > 0) process.stdout.write(`the host's last lines:\n${recentHostLines.join('\n')}\n`);
    throw err;
  }
}

/**
 * A fresh copy of the fixtures for one phase (tests edit documents) and the environment of its
 * extension host. The vsix phase's workspace holds no rule (so nothing but opening one activates
 * the extension); its rules sit in a folder beside it, named by EQL_E2E_RULES_DIR.
 */
function prepareWorkspace(phase) {
  const fixtures = join(REPO_ROOT, 'test/e2e/fixtures/workspace');
  const root = mkdtempSync(join(tmpdir(), `eql-e2e-${phase}-`));
  trackTempDir(root);
  const workspace = join(root, 'workspace');
  const env = { EQL_E2E_PHASE: phase };
  if (grep) env.EQL_E2E_GREP = grep;
  if (phase === 'vsix') {
    cpSync(fixtures, workspace, { recursive: true, filter: (src) => !src.startsWith(join(fixtures, 'rules')) });
    cpSync(join(fixtures, 'rules'), join(root, 'rules'), { recursive: true });
    env.EQL_E2E_RULES_DIR = join(root, 'rules');
  } else {
    cpSync(fixtures, workspace, { recursive: true });
  }
  return { workspace, env };
}

async function main() {
  const host = await pickHost();
  // The .vsix phase lists the package with unzip, whatever the host.
  if (!which('unzip')) throw new SetupError(`unzip is missing (it lists the packaged .vsix). On Debian run: bash .ci/install-e2e-deps.sh (installs ${E2E_DEBIAN_PACKAGES})`);
  log(`host: ${host}; phases: ${phases.join(', ')}`);

  let hostDir;
  let suiteDir;
  const setup = [opts['no-build'] ? Promise.resolve() : ensureExtensionBuilt({ log }), buildSuite().then((d) => { suiteDir = d; })];
  if (host === 'code-server') setup.push(ensureHostInstalled({ log }).then((d) => { hostDir = d; }));
  else setup.push(ensureElectronExecutable({ log }).then(() => ensureDisplay()));
  try {
    await Promise.all(setup);
  } catch (err) {
    throw new SetupError(err instanceof Error ? err.message : String(err));
  }
  const suiteIndex = join(suiteDir, 'index.js');

  const timings = [];
  let failed = false;
  for (const phase of phases) {
    const t0 = Date.now();
    phaseReported = false;
    phaseStarted = false;
    let code;
    try {
      const { workspace, env } = prepareWorkspace(phase);
      let vsix;
      if (phase === 'vsix') {
        const pkg = await packageVsix({ log });
        checkVsixEntries(pkg.entries);
        vsix = pkg.vsix;
      }
      code = await runPhase(phase, host, { hostDir, workspace, env, suiteIndex, vsix });
    } catch (err) {
      // A broken package or a host that fails one phase: report it and go on with the next.
      process.stderr.write(`e2e: phase ${phase}: ${err instanceof Error ? err.message : err}\n`);
      code = 1;
    }
    const seconds = (Date.now() - t0) / 1000;
    timings.push(`${phase} ${seconds.toFixed(1)} s`);
    log(`phase ${phase}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s`);
    if (code !== 0) failed = true;
    if (!phaseReported) {
      // The suite never got to report (it did not load, or the host died): count that as a failure.
      counts.failures += 1;
      failed = true;
      log(`phase ${phase} reported no test results`);
    }
    recentHostLines.length = 0;
  }
  log(`timings: ${timings.join(', ')}`);
  // The closing line CI reads: counts over all phases.
  process.stdout.write(`e2e: ${counts.passes} passed, ${counts.failures} failed${counts.pending ? `, ${counts.pending} skipped` : ''}\n`);
  return failed ? 1 : 0;
}

/**
 * The .vsix must carry what the manifest points at (`main`, grammars, language configuration)
 * and the README; node_modules stays out (dist/ is bundled), and so do sources and tests.
 */
function checkVsixEntries(entries) {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const inVsix = (p) => `extension/${p.replace(/^\.\//, '')}`;
  const required = [
    'extension/package.json',
    'extension/readme.md',
    inVsix(manifest.main),
    // The language server and its replay worker thread, which the client starts from dist/.
    'extension/dist/server.js',
    'extension/dist/replayWorker.js',
    ...(manifest.contributes?.languages ?? []).filter((l) => l.configuration).map((l) => inVsix(l.configuration)),
    ...(manifest.contributes?.grammars ?? []).map((g) => inVsix(g.path)),
  ];
  const lower = new Set(entries.map((e) => e.toLowerCase()));
  const missing = required.filter((r) => !lower.has(r.toLowerCase()));
  if (missing.length > 0) throw new Error(`the .vsix lacks ${missing.join(', ')}; it holds:\n  ${entries.join('\n  ')}`);
  const strays = entries.filter((e) => /^extension\/(node_modules|test|out|server\/src|client\/src|\.ci)\//.test(e));
  if (strays.length > 0) throw new Error(`the .vsix carries files it does not need (see .vscodeignore):\n  ${strays.slice(0, 20).join('\n  ')}`);
  log(`.vsix holds ${entries.length} files, among them ${required.slice(2).join(', ')}`);
}

main().then(
  (code) => finish(code),
  (err) =>
    err instanceof SetupError
      ? finish(2, `cannot set up the test host: ${err.message}`)
      : finish(1, err instanceof Error ? (err.stack ?? err.message) : String(err)),
);
