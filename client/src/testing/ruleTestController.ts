/**
 * The Testing view for rule test files (`*.test.toml`): each file and each of its cases is a test
 * item, discovered when the workspace opens and kept current as files are created, edited, saved
 * and deleted. Runs go to the language server (`eqlWorkbench/runRuleTests`), which replays each case
 * on the engine; a failure is reported with its reasons and the expected and actual matches as a
 * diff, located at the case, and one message per offending match located at its first event's
 * NDJSON line. Reference: VS Code's Testing API (`vscode.tests.createTestController`, test items,
 * run profiles, `TestMessage.diff`).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  type ListRuleTestsResult,
  ListRuleTestsRequest,
  RunRuleTestsRequest,
  type RuleTestCaseOutcome,
  type RunRuleTestsResult,
} from '../../../server/src/protocol';

/** Rule test files, relative to each workspace folder. */
export const RULE_TEST_GLOB = '**/*.test.toml';

/** What a run reported for one item, kept for the extension's test API. */
export interface ReportedOutcome {
  state: 'passed' | 'failed' | 'errored';
  messages: Array<{ message: string; expected?: string; actual?: string; uri?: string; line?: number }>;
}

/** A test item as plain data (for the extension's test API). */
export interface RuleTestItemInfo {
  id: string;
  label: string;
  uri: string;
  /** 0-based line of the item's range (a case's `[[case]]` header); undefined for a file. */
  line?: number;
  error?: string;
  children: RuleTestItemInfo[];
}

function isRuleTestUri(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && uri.path.toLowerCase().endsWith('.test.toml') && !uri.path.includes('/node_modules/');
}

/** The controller, its discovery and its run handler. */
export class RuleTestController implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly disposables: vscode.Disposable[] = [];
  /** What the debugger needs to replay each case, by case item id. */
  private readonly replays = new Map<string, NonNullable<ListRuleTestsResult['cases'][number]['replay']>>();
  /** The last outcome reported per item id. */
  readonly reported = new Map<string, ReportedOutcome>();
  /** Settled when the first discovery is done. */
  readonly discovered: Promise<void>;

  constructor(
    private readonly client: LanguageClient,
    private readonly clientReady: Promise<void>,
    private readonly exceptionFiles: () => string[] = () => [],
    debuggerAvailable = false,
  ) {
    this.controller = vscode.tests.createTestController('eqlWorkbench.ruleTests', 'EQL Rule Tests');
    this.controller.refreshHandler = () => this.discoverAll();
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    // "Debug test" only where the replay debugger (debug type `eql-replay`) is contributed.
    if (debuggerAvailable) this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, async (request) => void (await this.debug(request)), true);
    const watcher = vscode.workspace.createFileSystemWatcher(RULE_TEST_GLOB);
    this.disposables.push(
      this.controller,
      watcher,
      watcher.onDidCreate((uri) => void this.refreshFile(uri)),
      watcher.onDidChange((uri) => void this.refreshFile(uri)),
      watcher.onDidDelete((uri) => this.controller.items.delete(uri.toString())),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isRuleTestUri(e.document.uri) && e.contentChanges.length > 0) void this.refreshFile(e.document.uri, e.document.getText());
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.discoverAll()),
    );
    this.discovered = this.discoverAll();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** Finds every test file of the workspace and reads its cases. */
  async discoverAll(): Promise<void> {
    const files = await vscode.workspace.findFiles(RULE_TEST_GLOB, '**/node_modules/**');
    const keep = new Set(files.map((f) => f.toString()));
    this.controller.items.forEach((item) => {
      if (!keep.has(item.id)) this.controller.items.delete(item.id);
    });
    await Promise.all(files.map((f) => this.refreshFile(f)));
  }

  /** (Re)reads the cases of one test file; `text` is an editor's unsaved text. */
  async refreshFile(uri: vscode.Uri, text?: string): Promise<void> {
    if (!isRuleTestUri(uri)) return;
    const id = uri.toString();
    let file = this.controller.items.get(id);
    if (!file) {
      file = this.controller.createTestItem(id, vscode.workspace.asRelativePath(uri, false), uri);
      this.controller.items.add(file);
    }
    const open = text ?? vscode.workspace.textDocuments.find((d) => d.uri.toString() === id)?.getText();
    try {
      await this.clientReady;
      const listed = await this.client.sendRequest(ListRuleTestsRequest, { uri: id, ...(open !== undefined ? { text: open } : {}) });
      file.error = listed.problems.length > 0 ? listed.problems.map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message)).join('\n') : undefined;
      const children = listed.cases.map((c) => {
        const child = this.controller.createTestItem(`${id}#${c.name}`, c.name, uri);
        child.range = new vscode.Range(c.line - 1, 0, c.line - 1, 0);
        if (c.replay) this.replays.set(child.id, c.replay);
        return child;
      });
      file.children.replace(children);
    } catch (e) {
      file.error = `cannot read the test file: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /**
   * Starts the replay debugger (`eql-replay`) on the first requested case (a file: its first case),
   * with the case's rule, samples and options. Exception files are not applied by the debugger.
   * @returns whether a debug session started.
   */
  async debug(request: vscode.TestRunRequest): Promise<boolean> {
    const first = request.include?.[0] ?? (() => {
      let f: vscode.TestItem | undefined;
      this.controller.items.forEach((i) => void (f ??= i));
      return f;
    })();
    let item = first;
    if (item && !item.parent) item.children.forEach((c) => void (item === first && (item = c)));
    const replay = item ? this.replays.get(item.id) : undefined;
    if (!item || !replay) {
      void vscode.window.showErrorMessage('Choose a rule test case to debug.');
      return false;
    }
    const folder = item.uri ? vscode.workspace.getWorkspaceFolder(item.uri) : undefined;
    return vscode.debug.startDebugging(folder, {
      type: 'eql-replay',
      request: 'launch',
      name: `Debug rule test: ${item.label}`,
      rule: replay.rule,
      samples: replay.samples,
      cwd: replay.cwd,
      ...(replay.timestampField !== undefined ? { timestampField: replay.timestampField } : {}),
      ...(replay.tiebreakerField !== undefined ? { tiebreakerField: replay.tiebreakerField } : {}),
      ...(replay.eventCategoryField !== undefined ? { eventCategoryField: replay.eventCategoryField } : {}),
      stopOnEntry: true,
    });
  }

  /** Runs the requested items: whole files, or some of their cases. */
  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const byFile = new Map<string, { file: vscode.TestItem; cases: vscode.TestItem[] }>();
    const roots: vscode.TestItem[] = [];
    if (request.include) roots.push(...request.include);
    else this.controller.items.forEach((i) => roots.push(i));
    for (const item of roots) {
      if (excluded.has(item.id)) continue;
      const file = item.parent ?? item;
      const entry = byFile.get(file.id) ?? { file, cases: [] };
      byFile.set(file.id, entry);
      if (item.parent) entry.cases.push(item);
      else item.children.forEach((c) => void (!excluded.has(c.id) && entry.cases.push(c)));
    }
    try {
      for (const { file, cases } of byFile.values()) {
        if (token.isCancellationRequested) break;
        for (const c of cases) run.started(c);
        let result: RunRuleTestsResult;
        try {
          await this.clientReady;
          result = await this.client.sendRequest(
            RunRuleTestsRequest,
            { uri: file.id, cases: cases.map((c) => c.label), exceptions: this.exceptionFiles() },
            token,
          );
        } catch (e) {
          const message = new vscode.TestMessage(`The rule tests could not run: ${e instanceof Error ? e.message : String(e)}`);
          for (const c of cases) this.report(run, c, 'errored', [message]);
          if (cases.length === 0) this.report(run, file, 'errored', [message]);
          continue;
        }
        if (result.problems.length > 0) {
          const messages = result.problems.map((p) => {
            const m = new vscode.TestMessage(p.message);
            if (p.line > 0) m.location = new vscode.Location(file.uri!, new vscode.Position(p.line - 1, 0));
            return m;
          });
          this.report(run, file, 'errored', messages);
          for (const c of cases) this.report(run, c, 'errored', messages);
          continue;
        }
        for (const outcome of result.cases) {
          const item = cases.find((c) => c.label === outcome.name);
          if (item) this.reportOutcome(run, file, item, outcome);
        }
      }
    } finally {
      run.end();
    }
  }

  private reportOutcome(run: vscode.TestRun, file: vscode.TestItem, item: vscode.TestItem, outcome: RuleTestCaseOutcome): void {
    const at = new vscode.Location(file.uri!, new vscode.Position(outcome.line - 1, 0));
    if (outcome.status === 'passed') {
      this.report(run, item, 'passed', [], outcome.durationMs);
      return;
    }
    if (outcome.status === 'error') {
      const m = new vscode.TestMessage(outcome.message ?? 'the case could not run');
      m.location = at;
      this.report(run, item, 'errored', [m], outcome.durationMs);
      return;
    }
    const main =
      outcome.expected !== undefined && outcome.actual !== undefined
        ? vscode.TestMessage.diff(`${outcome.message ?? 'failed'}\n\n${outcome.report}`, outcome.expected, outcome.actual)
        : new vscode.TestMessage(outcome.message ?? 'failed');
    main.location = at;
    const messages = [main];
    for (const o of outcome.offending) {
      const m = new vscode.TestMessage(o.description);
      m.location = new vscode.Location(vscode.Uri.parse(o.uri), new vscode.Position(o.line - 1, 0));
      messages.push(m);
    }
    this.report(run, item, 'failed', messages, outcome.durationMs);
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, state: ReportedOutcome['state'], messages: vscode.TestMessage[], duration?: number): void {
    if (state === 'passed') run.passed(item, duration);
    else if (state === 'failed') run.failed(item, messages, duration);
    else run.errored(item, messages, duration);
    this.reported.set(item.id, {
      state,
      messages: messages.map((m) => ({
        message: typeof m.message === 'string' ? m.message : m.message.value,
        ...(m.expectedOutput !== undefined ? { expected: m.expectedOutput } : {}),
        ...(m.actualOutput !== undefined ? { actual: m.actualOutput } : {}),
        ...(m.location ? { uri: m.location.uri.toString(), line: m.location.range.start.line + 1 } : {}),
      })),
    });
  }

  /** The cases of an open test file, from its current text (for CodeLenses). */
  async casesOf(document: vscode.TextDocument): Promise<Array<{ name: string; line: number }>> {
    if (!isRuleTestUri(document.uri)) return [];
    try {
      await this.clientReady;
      return (await this.client.sendRequest(ListRuleTestsRequest, { uri: document.uri.toString(), text: document.getText() })).cases;
    } catch {
      return [];
    }
  }

  /** The items as plain data. */
  snapshot(): RuleTestItemInfo[] {
    const info = (item: vscode.TestItem): RuleTestItemInfo => {
      const children: RuleTestItemInfo[] = [];
      item.children.forEach((c) => void children.push(info(c)));
      return {
        id: item.id,
        label: item.label,
        uri: item.uri?.toString() ?? '',
        ...(item.range ? { line: item.range.start.line } : {}),
        ...(typeof item.error === 'string' ? { error: item.error } : item.error ? { error: item.error.value } : {}),
        children,
      };
    };
    const out: RuleTestItemInfo[] = [];
    this.controller.items.forEach((i) => void out.push(info(i)));
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }
}
