#!/usr/bin/env node
// Takes the README's picture, client/media/screenshot-replay.png: a real VS Code (code-server's
// web workbench in headless Chromium, the same host as the in-editor tests) with the extension
// loaded from this checkout, the sample rule replayed over samples/logs, the rule (with its
// CodeLens) above the decorated NDJSON sample and the "Replay Results" view in the side bar.
//
//   node scripts/screenshot.mjs [--scene replay|why|debug|note] [--theme dark|light] [--out FILE] [--width PX] [--height PX] [--no-build] [--raw FILE]
//   npm run screenshot
//
// `--scene why` takes client/media/screenshot-why.png instead: the same replay with the per-stage
// counts beside the rule, the hover explaining a near miss of the sample (win-dc01.ndjson:14, past
// maxspan) and the "Why not?" part of the results view opened.
// `--scene debug` takes client/media/screenshot-debug.png: the replay debugger stopped by a breakpoint
// on win-dc01.ndjson:6 (the event that completes the first sequence), the Run and Debug view with
// its variables (Event, Stages, Sequences, Matches so far) and the call stack, and the hover of
// `process.parent.name` in the rule showing its value on that event.
// `--scene note` takes client/media/screenshot-note.png: a TOML rule of the in-editor tests' workspace
// (test/e2e/fixtures/workspace/rules/with-note.toml) with the Markdown preview of its investigation
// guide (`[rule] note`) beside it, opened by `eqlWorkbench.previewNote`; no replay.
//
// Steps: `npm run build` when dist/ is stale (test/e2e/lib/build.mjs), code-server installed
// into the cache if needed (test/e2e/lib/host-install.mjs), started on loopback with a throw-away
// profile whose user settings pick the theme and hide distractions, then the workbench opened on
// samples/ with a small extensionTestsPath module (written to a temp folder) that opens the
// editors, runs `eqlWorkbench.replay` through the `vscode` API and reports readiness through
// the console. The script then expands the results view, takes the PNG and compresses it with
// pngquant (or ImageMagick) when one is installed. Every process it starts ends on success,
// failure, timeout (EQL_SCREENSHOT_TIMEOUT, s, default 300) and Ctrl-C.
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanup, trackTempDir } from '../test/e2e/lib/processes.mjs';
import { REPO_ROOT, ensureExtensionBuilt } from '../test/e2e/lib/build.mjs';
import { ensureHostInstalled } from '../test/e2e/lib/host-install.mjs';
import { launchChromium, makeProfile, startServer } from '../test/e2e/lib/code-server.mjs';

const { values: opts } = parseArgs({
  options: {
    scene: { type: 'string', default: 'replay' },
    theme: { type: 'string', default: 'dark' },
    out: { type: 'string' },
    width: { type: 'string', default: '1600' },
    height: { type: 'string', default: '1000' },
    'no-build': { type: 'boolean' },
    raw: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  process.stdout.write('usage: node scripts/screenshot.mjs [--scene replay|why|debug|note] [--theme dark|light] [--out FILE] [--width PX] [--height PX] [--no-build] [--raw FILE]\n');
  process.exit(0);
}
for (const [option, allowed] of [['scene', ['replay', 'why', 'debug', 'note']], ['theme', ['dark', 'light']]]) {
  if (!allowed.includes(opts[option])) {
    process.stderr.write(`screenshot: --${option} ${opts[option]}: expected one of ${allowed.join(', ')}\n`);
    process.exit(2);
  }
}
const WHY = opts.scene === 'why';
const DEBUG = opts.scene === 'debug';
const NOTE = opts.scene === 'note';
/** `--scene debug`: the 1-based sample line holding the breakpoint the replay stops on. */
const DEBUG_BREAKPOINT_LINE = 6;
opts.out ??= join(REPO_ROOT, WHY ? 'client/media/screenshot-why.png' : DEBUG ? 'client/media/screenshot-debug.png' : NOTE ? 'client/media/screenshot-note.png' : 'client/media/screenshot-replay.png');

/** What the picture shows, relative to the workspace folder (samples/). */
const WORKSPACE = join(REPO_ROOT, NOTE ? 'test/e2e/fixtures/workspace' : 'samples');
const RULE = NOTE ? 'rules/with-note.toml' : 'rules/incoming_execution_via_powershell_remoting.eql';
const SAMPLE = 'logs/endpoint/win-dc01.ndjson';
/** 1-based line of the sample shown at the top of its editor: the first matched event is line 4. */
const SAMPLE_TOP_LINE = WHY ? 12 : 4;
/** `--scene why`: the 1-based sample line whose hover is shown (ipconfig.exe 31 s after line 12: past maxspan). */
const HOVER_LINE = 14;
/** Marks the module's console lines among the workbench's own log. */
const MARKER = '[eql-screenshot] ';

const started = Date.now();
const log = (msg) => process.stdout.write(`[screenshot ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const timeoutS = Number(process.env.EQL_SCREENSHOT_TIMEOUT ?? 300);

let finishing = false;
async function finish(code, message) {
  if (finishing) return;
  finishing = true;
  if (message) process.stderr.write(`screenshot: ${message}\n`);
  await cleanup();
  process.exit(code);
}
process.on('SIGINT', () => finish(130, 'interrupted'));
process.on('SIGTERM', () => finish(143, 'terminated'));
process.on('SIGHUP', () => finish(129, 'hung up'));
process.on('uncaughtException', (err) => finish(1, `internal error: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => finish(1, `internal error: ${err instanceof Error ? err.stack : err}`));
setTimeout(() => finish(1, `timed out after ${timeoutS} s (EQL_SCREENSHOT_TIMEOUT)`), timeoutS * 1000).unref();

/**
 * User settings of the throw-away profile: dark theme (`--theme light`: light), no minimap, welcome
 * page or tips, and a bounded word wrap so that whole events show (the match labels sit at the
 * start of their lines and need no wrapping).
 */
const THEME = opts.theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern';
const SETTINGS = {
  'workbench.colorTheme': THEME,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.layoutControl.enabled': false,
  'workbench.editor.enablePreview': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'editor.minimap.enabled': false,
  'editor.fontSize': 13,
  // The lens at the editor's size, so the replay summary reads as well as the query.
  'editor.codeLensFontSize': 13,
  'editor.wordWrap': 'bounded',
  'editor.wordWrapColumn': 74,
  'editor.renderLineHighlight': 'none',
  'editor.occurrencesHighlight': 'off',
  'editor.selectionHighlight': false,
  'editor.stickyScroll.enabled': false,
  'breadcrumbs.enabled': false,
  // The well-formed samples only: samples/logs-broken holds a deliberately truncated line.
  'eqlWorkbench.samples': 'logs/**/*.{ndjson,jsonl}',
};

/**
 * The extensionTestsPath module (CommonJS, run in the extension host with the real `vscode`
 * API): lays out the editors, replays the rule, waits for the CodeLens and decorations, shows the
 * results view, prints `ready`, then waits until the script writes `done` (or 3 minutes).
 */
const DRIVER = String.raw`
const vscode = require('vscode');
const fs = require('fs');
const MARKER = ${JSON.stringify(MARKER)};
const say = (m) => console.log(MARKER + m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, probe, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await sleep(100);
  }
}
exports.run = async function run() {
  try {
    const root = vscode.workspace.workspaceFolders[0].uri;
    const rule = vscode.Uri.joinPath(root, ...process.env.EQL_SHOT_RULE.split('/'));
    const sample = vscode.Uri.joinPath(root, ...process.env.EQL_SHOT_SAMPLE.split('/'));
    const topLine = Number(process.env.EQL_SHOT_TOP_LINE) - 1;
    const ext = vscode.extensions.getExtension('eql-workbench.eql-workbench');
    if (!ext) throw new Error('the extension is not loaded');
    const api = ext.isActive ? ext.exports : await ext.activate();
    // The web workbench may start on another theme than the profile's settings name (a theme it
    // had before reading them): the theme is set again until VS Code reports the one asked for.
    const theme = process.env.EQL_SHOT_THEME;
    const themeKind = theme.includes('Light') ? vscode.ColorThemeKind.Light : vscode.ColorThemeKind.Dark;
    if (vscode.window.activeColorTheme.kind !== themeKind) {
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      await waitFor('the theme ' + theme, () => vscode.window.activeColorTheme.kind === themeKind);
    }
    say('theme: ' + theme);
    for (const c of ['workbench.action.closeAllEditors', 'workbench.action.closePanel', 'workbench.action.closeAuxiliaryBar', 'notifications.clearAll']) {
      await vscode.commands.executeCommand(c).then(undefined, () => {});
    }
    if (process.env.EQL_SHOT_NOTE === '1') {
      // The rule on the left, the preview of its note beside it, no side bar.
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule), { viewColumn: vscode.ViewColumn.One, preview: false });
      const virtual = await vscode.commands.executeCommand('eqlWorkbench.previewNote', rule);
      if (!virtual) throw new Error('eqlWorkbench.previewNote returned nothing');
      const tab = await waitFor('the Markdown preview', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview));
      say('preview: ' + tab.label);
      await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
      await sleep(2500);
      say('ready');
      return waitForDone();
    }
    // Rule above, sample below: both get the full width of the editor area.
    await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 1, groups: [{ size: 0.23 }, { size: 0.77 }] });
    const ruleEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(rule), { viewColumn: vscode.ViewColumn.One, preview: false });
    const result = await vscode.commands.executeCommand('eqlWorkbench.replay', rule);
    if (!result || !Array.isArray(result.matches)) throw new Error('eqlWorkbench.replay returned ' + JSON.stringify(result));
    say('replay: ' + result.matches.length + ' matches in ' + (result.sampleFiles || []).length + ' sample files');
    const lens = await waitFor('the CodeLens with the match count', async () => {
      const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', rule);
      return (lenses || []).find((l) => l.command && /matched/.test(l.command.title));
    });
    say('lens: ' + lens.command.title);
    // The editor re-renders its lenses after a short debounce and drops a pending re-render when
    // it loses focus, so the rule editor keeps the focus for a moment.
    await sleep(2000);
    const sampleEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(sample), { viewColumn: vscode.ViewColumn.Two, preview: false, preserveFocus: true });
    await waitFor('the match decorations of the sample', () => {
      const d = api.getDecorations(sample);
      return d && d.length > 0 && d;
    });
    for (const d of api.getDecorations(sample)) say('decoration: line ' + d.line + ' ' + d.text);
    const top = new vscode.Position(topLine, 0);
    const hoverLine = Number(process.env.EQL_SHOT_HOVER_LINE || 0) - 1;
    const cursor = hoverLine >= 0 ? new vscode.Position(hoverLine, 2) : top;
    sampleEditor.selection = new vscode.Selection(cursor, cursor);
    sampleEditor.revealRange(new vscode.Range(top, top), vscode.TextEditorRevealType.AtTop);
    ruleEditor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand('workbench.view.extension.eqlWorkbench');
    // Focus back in the rule editor: a lens re-render dropped on blur is scheduled again.
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await vscode.commands.executeCommand('notifications.clearAll').then(undefined, () => {});
    const breakpointLine = Number(process.env.EQL_SHOT_DEBUG_LINE || 0) - 1;
    if (breakpointLine >= 0) {
      // The replay debugger: a breakpoint on the sample line, started as the Debug replay lens does,
      // continued from the entry stop to the breakpoint.
      vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(sample, new vscode.Position(breakpointLine, 0)))]);
      const started = await vscode.commands.executeCommand('eqlWorkbench.debugReplay', rule);
      if (started !== true) throw new Error('eqlWorkbench.debugReplay returned ' + started);
      const session = await waitFor('the debug session', () => vscode.debug.activeDebugSession);
      const topLine = async () => {
        const trace = await session.customRequest('stackTrace', { threadId: 1 });
        const f = trace.stackFrames[0];
        return f && f.source && f.source.path && f.source.path.endsWith(process.env.EQL_SHOT_SAMPLE.split('/').pop()) ? f.line : 0;
      };
      await waitFor('the entry stop', () => vscode.debug.activeStackItem);
      await vscode.commands.executeCommand('workbench.action.debug.continue');
      await waitFor('the stop on the breakpoint', async () => (await topLine()) === breakpointLine + 1);
      say('stopped on line ' + (breakpointLine + 1));
      await vscode.commands.executeCommand('workbench.view.debug');
      await vscode.commands.executeCommand('workbench.action.closePanel').then(undefined, () => {});
      sampleEditor.revealRange(new vscode.Range(top, top), vscode.TextEditorRevealType.AtTop);
      // The cursor on \`name\` of \`process.parent.name\` (line 5): the picture shows its hover.
      ruleEditor.selection = new vscode.Selection(4, 46, 4, 46);
    }
    await sleep(1500);
    say('ready');
  } catch (err) {
    say('error: ' + (err && err.stack ? err.stack : err));
    throw err;
  }
  await waitForDone();
};
async function waitForDone() {
  const done = process.env.EQL_SHOT_DONE_FILE;
  const deadline = Date.now() + 180000;
  while (!fs.existsSync(done) && Date.now() < deadline) await sleep(200);
}
`;

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether `convert` is ImageMagick's (some systems have a different program by that name). */
function isImageMagick() {
  if (!which('convert')) return false;
  try {
    return /ImageMagick/.test(execFileSync('convert', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return false;
  }
}

/** Compresses `raw` into `out`: pngquant, else ImageMagick's 256-colour PNG8, else a plain copy. */
function compress(raw, out) {
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp.png`;
  if (which('pngquant')) {
    execFileSync('pngquant', ['--quality=70-95', '--speed=1', '--strip', '--force', '--output', tmp, raw]);
    renameSync(tmp, out);
    return 'pngquant';
  }
  if (isImageMagick()) {
    try {
      execFileSync('convert', [raw, '-strip', '-colors', '256', `PNG8:${tmp}`], { stdio: 'ignore' });
      renameSync(tmp, out);
      return 'ImageMagick';
    } catch {
      rmSync(tmp, { force: true });
    }
  }
  copyFileSync(raw, out);
  return 'none (install pngquant to shrink it)';
}

async function main() {
  let hostDir;
  await Promise.all([
    opts['no-build'] ? Promise.resolve() : ensureExtensionBuilt({ log }),
    ensureHostInstalled({ log }).then((d) => { hostDir = d; }),
  ]);

  const work = mkdtempSync(join(tmpdir(), 'eql-screenshot-'));
  trackTempDir(work);
  const driver = join(work, 'driver.js');
  writeFileSync(driver, DRIVER);
  const doneFile = join(work, 'done');
  const rawPng = join(work, 'raw.png');

  const profile = makeProfile('screenshot');
  mkdirSync(join(profile.userDataDir, 'User'), { recursive: true });
  writeFileSync(join(profile.userDataDir, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));

  const server = await startServer(hostDir, profile, {
    extraEnv: {
      EQL_SHOT_RULE: RULE,
      EQL_SHOT_SAMPLE: SAMPLE,
      EQL_SHOT_TOP_LINE: String(SAMPLE_TOP_LINE),
      EQL_SHOT_HOVER_LINE: WHY ? String(HOVER_LINE) : '',
      EQL_SHOT_DEBUG_LINE: DEBUG ? String(DEBUG_BREAKPOINT_LINE) : '',
      EQL_SHOT_NOTE: NOTE ? '1' : '',
      EQL_SHOT_DONE_FILE: doneFile,
      EQL_SHOT_THEME: THEME,
    },
  });
  log(`code-server listening on 127.0.0.1:${server.port}`);

  // The browser is driven here rather than through runInBrowser(): the picture needs its own
  // viewport and has to be taken while the driver module is still waiting.
  const browser = await launchChromium(hostDir);
  const viewport = { width: Number(opts.width), height: Number(opts.height) };
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();

  let onReady;
  let onFailed;
  const ready = new Promise((resolve, reject) => { onReady = resolve; onFailed = reject; });
  await page.exposeFunction('codeAutomationExit', (code) => onFailed(new Error(`the driver module ended early (exit ${code})`)));
  await page.exposeFunction('codeAutomationLog', (type, message) => {
    const m = String(message);
    const i = m.indexOf(MARKER);
    if (i < 0) {
      if (process.env.EQL_SCREENSHOT_VERBOSE === '1') log(`  [${type}] ${m}`);
      return;
    }
    const line = m.slice(i + MARKER.length);
    log(`workbench: ${line}`);
    if (line === 'ready') onReady();
    else if (line.startsWith('error:')) onFailed(new Error(line));
  });
  page.on('pageerror', (err) => log(`  [pageerror] ${err.message}`));

  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${encodeURI(p)}`;
  const payload = [
    ['extensionDevelopmentPath', remote(REPO_ROOT)],
    ['extensionTestsPath', remote(driver)],
    ['skipWelcome', 'true'],
  ];
  const url = `http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(WORKSPACE)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await ready;

  // The rendered CodeLens must carry the replay's summary, not the title from before the replay
  // (in the note scene: the lens that opens the preview).
  const lensText = page.locator('.contentWidgets .codelens-decoration', { hasText: NOTE ? 'investigation guide' : 'matched' });
  const lensShown = await lensText.first().waitFor({ timeout: 15_000 }).then(() => true, () => false);
  if (!lensShown) {
    throw new Error(`the rule's rendered CodeLens still reads ${JSON.stringify(await page.locator('.codelens-decoration').allInnerTexts())} after the replay`);
  }
  log(`rendered CodeLens: ${await lensText.first().innerText()}`);

  const sidebar = page.locator('#workbench\\.parts\\.sidebar');
  if (DEBUG) {
    // A wider side bar (drag its edge), the Watch pane folded away, then the scopes after Event
    // (VS Code opens the first one itself) and the stage that passed opened.
    const box = await sidebar.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 560, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      await page.waitForTimeout(400);
    }
    const watch = sidebar.locator('.pane-header[aria-expanded="true"]', { hasText: 'Watch' }).first();
    if (await watch.count()) await watch.click();
    await page.waitForTimeout(300);
    // The Variables pane taller: its lower edge (above the Watch header) dragged down.
    const watchHeader = await sidebar.locator('.pane-header', { hasText: 'Watch' }).first().boundingBox();
    if (watchHeader) {
      const x = watchHeader.x + watchHeader.width / 2;
      await page.mouse.move(x, watchHeader.y - 1);
      await page.mouse.down();
      await page.mouse.move(x, watchHeader.y + 330, { steps: 8 });
      await page.mouse.up();
      await page.waitForTimeout(400);
    }
    for (const label of ['Stages', 'stage 2 [process]', 'Sequences', 'Matches so far']) {
      const row = sidebar.locator('.monaco-list-row[aria-expanded="false"]', { hasText: label }).first();
      if (await row.count()) {
        await row.click();
        await page.waitForTimeout(400);
      }
    }
  } else if (NOTE) {
    // Nothing to open in the side bar.
  } else if (WHY) {
    // Open “Why not?” and its partial sequences; the matches stay closed.
    for (const label of ['Why not?', 'Partial sequences']) {
      await sidebar.locator('.monaco-list-row[aria-expanded="false"]', { hasText: label }).first().click();
      await page.waitForTimeout(400);
    }
  } else {
    // Open every match of the results view (its items start collapsed); not the explanation.
    for (let i = 0; i < 10; i++) {
      const collapsed = sidebar.locator('.monaco-list-row[aria-expanded="false"]').filter({ hasNotText: 'Why not?' });
      if ((await collapsed.count()) === 0) break;
      await collapsed.first().click();
      await page.waitForTimeout(300);
    }
  }
  // Escape clears the tree's selection (the rows just clicked); Ctrl+1 puts the focus back in the
  // rule editor (no focus outline around the side bar); the pointer goes out of the way.
  await page.keyboard.press('Escape');
  await page.mouse.move(viewport.width - 5, viewport.height / 2);
  if (WHY) {
    // The sample editor, cursor on the near miss: Ctrl+K Ctrl+I shows its hover.
    await page.keyboard.press('Control+2');
    await page.waitForTimeout(300);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await page.locator('.monaco-hover', { hasText: 'Why?' }).first().waitFor({ timeout: 15_000 });
  } else {
    await page.keyboard.press('Control+1');
  }
  if (DEBUG) {
    // Ctrl+K Ctrl+I at the rule's cursor: the field's value on the current event.
    await page.waitForTimeout(300);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await page.locator('.monaco-hover', { hasText: 'process.parent.name =' }).first().waitFor({ timeout: 15_000 });
  }
  await page.waitForTimeout(1500);
  // The whole workbench in the theme asked for (its root carries `vs` for light, `vs-dark` for dark
  // themes), not only the editors: a picture in a mix of themes is refused.
  const themeClass = opts.theme === 'light' ? 'vs' : 'vs-dark';
  const rootClasses = (await page.locator('.monaco-workbench').first().getAttribute('class'))?.split(/\s+/) ?? [];
  if (!rootClasses.includes(themeClass)) throw new Error(`the workbench is not in the ${THEME} theme (its classes: ${rootClasses.join(' ')})`);
  await page.screenshot({ path: rawPng });
  writeFileSync(doneFile, 'done\n');

  const tool = compress(rawPng, opts.out);
  if (opts.raw) copyFileSync(rawPng, opts.raw);
  log(`wrote ${relative(process.cwd(), opts.out) || opts.out}: ${viewport.width}×${viewport.height}, ${(statSync(opts.out).size / 1024).toFixed(0)} KB (compressed with ${tool})`);
  return 0;
}

main().then(
  (code) => finish(code),
  (err) => finish(1, err instanceof Error ? (err.stack ?? err.message) : String(err)),
);
