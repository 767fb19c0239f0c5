// Builds what the in-editor tests load: the extension (dist/, via `npm run build` when it is
// missing or older than its sources), the mocha suite (out/e2e/suite/, plain CommonJS for the
// extension host) and, for the installed-extension phase, a .vsix.
import { existsSync, mkdirSync, readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCommand, trackTempDir } from './processes.mjs';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
export const SUITE_SRC = join(REPO_ROOT, 'test/e2e/suite');
/** Each run builds the suite into its own folder, so concurrent runs in one checkout do not clash. */
const SUITE_PARENT = join(REPO_ROOT, 'out/e2e');

/** Newest modification time (ms) of the files under `paths` (files or folders). */
function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules') visit(join(p, e));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(p);
  return newest;
}

/** Oldest modification time (ms) of the files directly under `dir`, or 0 when there are none. */
function oldestMtime(dir) {
  if (!existsSync(dir)) return 0;
  const files = readdirSync(dir).map((f) => join(dir, f)).filter((p) => statSync(p).isFile());
  if (files.length === 0) return 0;
  return Math.min(...files.map((p) => statSync(p).mtimeMs));
}

/**
 * Runs `npm run build` when dist/ lacks the manifest's `main` or is older than the
 * sources it is built from.
 */
export async function ensureExtensionBuilt({ log }) {
  const manifest = createRequire(import.meta.url)(join(REPO_ROOT, 'package.json'));
  const main = join(REPO_ROOT, manifest.main ?? 'dist/client.js');
  const sources = ['client/src', 'server/src', 'package.json', 'scripts/build.mjs'].map((p) => join(REPO_ROOT, p));
  const stale = !existsSync(main) || newestMtime(sources) > oldestMtime(join(REPO_ROOT, 'dist'));
  if (!stale) return;
  log(`building the extension (npm run build): ${existsSync(main) ? 'dist/ is older than its sources' : `${relative(REPO_ROOT, main)} is missing`}`);
  try {
    await runCommand('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, timeoutMs: 180_000 });
  } catch (err) {
    throw new Error(`npm run build failed: ${err instanceof Error ? err.message : err}`);
  }
  if (!existsSync(main)) throw new Error(`npm run build did not produce ${relative(REPO_ROOT, main)} (package.json "main")`);
}

/**
 * Bundles test/e2e/suite/*.ts into a fresh folder out/e2e/suite-XXXXXX/ (CommonJS, Node 20),
 * removed at cleanup. `vscode` is provided by the extension host; mocha and the TextMate engine
 * are loaded from the repo's node_modules at run time (they read files next to themselves).
 * @returns {Promise<string>} the folder holding index.js and the *.test.js files
 */
export async function buildSuite() {
  const esbuild = createRequire(join(REPO_ROOT, 'package.json'))('esbuild');
  mkdirSync(SUITE_PARENT, { recursive: true });
  // Folders of runs that were killed outright (older than an hour).
  for (const e of readdirSync(SUITE_PARENT)) {
    const p = join(SUITE_PARENT, e);
    if (e.startsWith('suite') && Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
  }
  const outdir = mkdtempSync(join(SUITE_PARENT, 'suite-'));
  trackTempDir(outdir);
  const entryPoints = readdirSync(SUITE_SRC)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => join(SUITE_SRC, f));
  await esbuild.build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha', 'vscode-textmate', 'vscode-oniguruma'],
    logLevel: 'warning',
  });
  return outdir;
}

/**
 * Packages the extension with `vsce package --no-dependencies` (dist/ is bundled) into a
 * temp folder and lists what it holds.
 * @returns {Promise<{ vsix: string, entries: string[] }>}
 */
export async function packageVsix({ log }) {
  const outDir = mkdtempSync(join(tmpdir(), 'eql-e2e-vsix-'));
  trackTempDir(outDir);
  const vsix = join(outDir, 'eql-workbench.vsix');
  const vsce = join(REPO_ROOT, 'node_modules/@vscode/vsce/vsce');
  log('packaging the extension (vsce package --no-dependencies)');
  // vsce runs the manifest's vscode:prepublish (npm run build) first, as a release would.
  await runCommand(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], {
    cwd: REPO_ROOT,
    timeoutMs: 240_000,
  });
  const listing = await runCommand('unzip', ['-Z1', vsix], { timeoutMs: 30_000 });
  return { vsix, entries: listing.split('\n').filter(Boolean) };
}
