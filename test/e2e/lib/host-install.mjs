// Installs code-server (VS Code 1.100.3 with its Node extension host) and playwright-core
// from test/e2e/host/ into a cache folder outside the repo, keyed by the lockfile, so a
// second run on the same machine skips the install (~60 s).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCommand, trackTempDir } from './processes.mjs';

/** Folder holding test/e2e/host/package.json and package-lock.json. */
export const HOST_SPEC_DIR = new URL('../host/', import.meta.url).pathname;

/** Where the runner keeps its installs: `${XDG_CACHE_HOME:-~/.cache}/eql-workbench`. */
export function cacheRoot() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'eql-workbench');
}

/** The cache key: lockfile, manifest and Node's ABI (the native modules are built for it). */
function hostHash() {
  const h = createHash('sha256');
  h.update(readFileSync(join(HOST_SPEC_DIR, 'package.json')));
  h.update(readFileSync(join(HOST_SPEC_DIR, 'package-lock.json')));
  h.update(`node-abi-${process.versions.modules}-${process.platform}-${process.arch}`);
  return h.digest('hex').slice(0, 16);
}

export function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The ripgrep version `@vscode/ripgrep` wants, read from code-server's shrinkwrap. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

/**
 * What the install needs from the system, as a list of problems (empty when all is there).
 * code-server's native modules compile against kerberos headers, and `@vscode/ripgrep` would
 * download `rg` unless a tarball of it is already in its cache folder.
 */
export function missingInstallPrerequisites() {
  const missing = [];
  // code-server 4.100.3 (VS Code 1.100.3) is the newest release whose `engines` accept Node 20; later
  // releases want Node 22 (4.103+) or 24 (4.133+). The extension and the CLI run on Node >= 20.
  if (Number(process.versions.node.split('.')[0]) !== 20) {
    missing.push(
      `Node 20 for the code-server host (code-server 4.100.3 refuses Node ${process.versions.node}; run the tests on Node 20, ` +
        'which npm can fetch: npx -p node@20 npm test; the extension and the CLI run on Node 20 or later)',
    );
  }
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !which('krb5-config')) missing.push('kerberos headers (Debian: libkrb5-dev)');
  if (!which('rg')) missing.push('ripgrep (Debian: ripgrep)');
  if (!which('make') || !(which('g++') || which('c++'))) missing.push('a C++ toolchain (Debian: build-essential)');
  return missing;
}

/** The prefix whose `include/node/node.h` holds the running Node's headers, or undefined. */
function nodeHeadersPrefix() {
  const prefix = join(process.execPath, '..', '..');
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

/** The Debian packages `.ci/install-e2e-deps.sh` installs, for messages. */
export const E2E_DEBIAN_PACKAGES = 'chromium, libkrb5-dev, ripgrep, unzip and build-essential';

/**
 * Everything a run on the code-server host lacks, all at once (empty when all is there): the
 * install's needs when the host is not in the cache yet, Chromium to drive the workbench, and
 * `unzip` to list the packaged .vsix.
 * @param {{ chromium: boolean, hostCached: boolean }} have
 */
export function missingRunPrerequisites({ chromium, hostCached }) {
  const missing = hostCached ? [] : missingInstallPrerequisites();
  if (!chromium) missing.push('Chromium (Debian: chromium; or set EQL_E2E_CHROMIUM)');
  if (!which('unzip')) missing.push('unzip (Debian: unzip)');
  return missing;
}

/** True when the cache holds a complete code-server install for the current lockfile and Node. */
export function hostCached() {
  return existsSync(join(cacheRoot(), `e2e-host-${hostHash()}`, '.install-complete'));
}

/**
 * Returns the folder with `node_modules/code-server` and `node_modules/playwright-core`,
 * installing it first when the cache has no complete copy for the current lockfile.
 * @param {{ log: (msg: string) => void }} io
 * @returns {Promise<string>}
 */
export async function ensureHostInstalled({ log }) {
  const root = cacheRoot();
  const dir = join(root, `e2e-host-${hostHash()}`);
  const marker = join(dir, '.install-complete');
  if (existsSync(marker)) return dir;

  const missing = missingInstallPrerequisites();
  if (missing.length > 0) {
    throw new Error(
      `cannot install code-server for the in-editor tests; missing: ${missing.join('; ')}.\n` +
        `On Debian run: bash .ci/install-e2e-deps.sh (installs ${E2E_DEBIAN_PACKAGES}).`,
    );
  }

  mkdirSync(root, { recursive: true });
  const staging = mkdtempSync(join(root, `e2e-host-staging-`));
  trackTempDir(staging);
  copyFileSync(join(HOST_SPEC_DIR, 'package.json'), join(staging, 'package.json'));
  copyFileSync(join(HOST_SPEC_DIR, 'package-lock.json'), join(staging, 'package-lock.json'));

  // @vscode/ripgrep's postinstall looks in $TMPDIR/vscode-ripgrep-cache-<version>/ before
  // downloading; a tarball of the system's rg there keeps the install offline.
  const rgTmp = mkdtempSync(join(tmpdir(), 'eql-e2e-rg-'));
  trackTempDir(rgTmp);
  const rgCache = join(rgTmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(join(rgTmp, 'bin'), { recursive: true });
  mkdirSync(rgCache, { recursive: true });
  copyFileSync(which('rg'), join(rgTmp, 'bin', 'rg'));
  execFileSync('tar', ['-czf', join(rgCache, RIPGREP_ASSET), '-C', join(rgTmp, 'bin'), 'rg']);

  log(`installing code-server 4.100.3 + playwright-core into ${dir} (about a minute, once per lockfile)`);
  const started = Date.now();
  const env = {
    ...process.env,
    TMPDIR: rgTmp,
    // node-pty's postinstall runs `npx node-gyp`; without this npx would wait for a prompt.
    npm_config_yes: 'true',
    // code-server's postinstall checks it when run as root.
    npm_config_unsafe_perm: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // node-gyp builds the native modules against Node's headers: those installed with Node
    // (Debian's nodejs puts them in /usr/include/node) instead of a download from nodejs.org, which
    // an offline machine with an empty ~/.cache/node-gyp cannot make.
    ...(nodeHeadersPrefix() && !process.env.npm_config_nodedir ? { npm_config_nodedir: nodeHeadersPrefix() } : {}),
    // Install scripts of code-server and argon2 are allowed by `allowScripts` in
    // test/e2e/host/package.json (npm 11 reports unreviewed ones).
  };
  try {
    const output = await runCommand('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: staging,
      env,
      timeoutMs: 8 * 60_000,
    });
    writeFileSync(join(staging, 'install.log'), output);
  } catch (err) {
    throw new Error(`npm ci of the e2e host failed: ${err instanceof Error ? err.message.slice(-4000) : err}`);
  }
  if (!existsSync(join(staging, 'node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg'))) {
    throw new Error(`code-server installed without its ripgrep binary; see ${join(staging, 'install.log')}`);
  }
  writeFileSync(join(staging, '.install-complete'), `${new Date().toISOString()}\n`);
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another run finished the same install first: keep theirs.
    if (!existsSync(marker)) throw err;
  }
  log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}
