// Bundles the extension client, the language server and the command line with esbuild.
//   node scripts/build.mjs           one build
//   node scripts/build.mjs --watch   rebuild on change
// Output: dist/client.js (vscode external), dist/server.js, dist/replayWorker.js, dist/cli.js; Node 20, CommonJS, source maps.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeEcsCatalogue } from './ecs-catalogue.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');

const entries = [
  { in: 'client/src/extension.ts', out: 'client' },
  { in: 'server/src/server.ts', out: 'server' },
  { in: 'server/src/cli.ts', out: 'cli' },
  // The language server's replay worker thread (loaded from beside dist/server.js).
  { in: 'server/src/services/replayWorker.ts', out: 'replayWorker' },
];

// The language server bundles a compact ECS field catalogue extracted from @elastic/ecs.
writeEcsCatalogue();

const missing = entries.filter((e) => !existsSync(join(root, e.in))).map((e) => e.in);
if (missing.length > 0) {
  console.error(`build: entry point not found: ${missing.join(', ')}`);
  process.exit(1);
}

/** Options of one bundle; each entry is built on its own so one broken part does not block the others. */
function optionsFor(entry) {
  /** @type {import('esbuild').BuildOptions} */
  return {
    absWorkingDir: root,
    entryPoints: [{ in: entry.in, out: entry.out }],
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode'],
    logLevel: 'info',
  };
}

if (watch) {
  for (const entry of entries) {
    const ctx = await esbuild.context(optionsFor(entry));
    await ctx.watch();
  }
  console.log('build: watching for changes (Ctrl+C to stop)');
} else {
  const results = await Promise.allSettled(entries.map((entry) => esbuild.build(optionsFor(entry))));
  const failed = entries.filter((_, i) => results[i].status === 'rejected').map((e) => e.in);
  // esbuild has already printed the errors themselves.
  if (failed.length > 0) {
    console.error(`build: failed: ${failed.join(', ')}`);
    process.exit(1);
  }
}
