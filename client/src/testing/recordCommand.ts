/**
 * "Save these matches as the expected result": runs one case of a rule test file, shows the test
 * file beside the recorded version (`vscode.diff`), and writes it when the user approves. The
 * server computes the new text (`eqlWorkbench/recordRuleTestCase`); nothing is written without
 * the approval (or the `confirmed` option of a caller that showed its own).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RecordReplayRequest, RecordRuleTestCaseRequest } from '../../../server/src/protocol';
import type { ReplayStore } from '../replay/replayState';

export const RECORD_COMMAND = 'eqlWorkbench.recordRuleTestCase';

/** Scheme of the read-only documents that hold a recorded version for the diff. */
const RECORDED_SCHEME = 'eql-workbench-recorded';

const SAVE = 'Save';

/** Serves the recorded texts to the diff editor. */
export class RecordedTexts implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
  /** Stores a text under a URI named after the test file. */
  put(testFile: vscode.Uri, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: RECORDED_SCHEME, path: testFile.path, query: String(Date.now()) });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }
  register(): vscode.Disposable[] {
    return [vscode.workspace.registerTextDocumentContentProvider(RECORDED_SCHEME, this), this.changed];
  }
}

/** Outcome of the command, for callers and tests. */
export interface RecordOutcome {
  written: boolean;
  matches: number;
}

/**
 * @param testFile the test file.
 * @param caseName the case to record.
 * @param options `confirmed`: write without asking (the caller asked already).
 */
export async function recordRuleTestCase(
  deps: { client: LanguageClient; clientReady: Promise<void>; recorded: RecordedTexts },
  testFile: vscode.Uri | string | undefined,
  caseName: string | undefined,
  options: { confirmed?: boolean } = {},
  cases?: (document: vscode.TextDocument) => Promise<Array<{ name: string; line: number }>>,
): Promise<RecordOutcome | undefined> {
  // From the command palette: the active test file, and the case picked (the one at the cursor first).
  if (testFile === undefined || caseName === undefined) {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !editor.document.uri.path.toLowerCase().endsWith('.test.toml') || !cases) {
      void vscode.window.showErrorMessage('Open a rule test file (*.test.toml) to save matches as the expected result of one of its cases.');
      return undefined;
    }
    const list = await cases(editor.document);
    const cursor = editor.selection.active.line + 1;
    const atCursor = [...list].reverse().find((c) => c.line <= cursor);
    const ordered = atCursor ? [atCursor, ...list.filter((c) => c !== atCursor)] : list;
    const picked = await vscode.window.showQuickPick(ordered.map((c) => c.name), { placeHolder: 'Case whose expected result to replace with the current matches' });
    if (!picked) return undefined;
    testFile = editor.document.uri;
    caseName = picked;
  }
  const uri = typeof testFile === 'string' ? vscode.Uri.parse(testFile) : testFile;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  let result;
  try {
    await deps.clientReady;
    result = await deps.client.sendRequest(RecordRuleTestCaseRequest, { uri: uri.toString(), caseName });
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot record "${caseName}": ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const document = open ?? (await vscode.workspace.openTextDocument(uri));
  if (document.getText() === result.text) {
    void vscode.window.showInformationMessage(`"${caseName}" already expects these ${result.matches} matches.`);
    return { written: false, matches: result.matches };
  }
  if (!options.confirmed) {
    const recordedUri = deps.recorded.put(uri, result.text);
    await vscode.commands.executeCommand('vscode.diff', uri, recordedUri, `${vscode.workspace.asRelativePath(uri)} ↔ recorded "${caseName}"`);
    const choice = await vscode.window.showInformationMessage(
      `Save the ${result.matches} current match${result.matches === 1 ? '' : 'es'} as the expected result of "${caseName}"?`,
      { modal: true },
      SAVE,
    );
    if (choice !== SAVE) return { written: false, matches: result.matches };
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), result.text);
  const applied = await vscode.workspace.applyEdit(edit);
  if (applied) await document.save();
  return { written: applied, matches: result.matches };
}

/** CodeLens above each `[[case]]` of a test file: "Save current matches as expected". */
export class RecordCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly cases: (document: vscode.TextDocument) => Promise<Array<{ name: string; line: number }>>) {}
  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const cases = await this.cases(document);
    return cases.map(
      (c) =>
        new vscode.CodeLens(new vscode.Range(c.line - 1, 0, c.line - 1, 0), {
          title: '$(record) Save current matches as the expected result',
          command: RECORD_COMMAND,
          arguments: [document.uri.toString(), c.name],
        }),
    );
  }
}

export const RECORD_REPLAY_COMMAND = 'eqlWorkbench.saveReplayAsExpected';

/**
 * "Save these matches as the expected result" from a replay in the editor: the case "recorded from
 * replay" of the test file beside the rule (created when missing) is set to the rule's current
 * matches over the replay's sample files; the diff is shown and the file written on approval.
 *
 * @param ruleUri the rule (default: the rule of the current replay).
 */
export async function recordReplay(
  deps: { client: LanguageClient; clientReady: Promise<void>; recorded: RecordedTexts; store: ReplayStore },
  ruleUri: string | undefined,
  options: { confirmed?: boolean } = {},
): Promise<(RecordOutcome & { uri: string }) | undefined> {
  const session = deps.store.current;
  const rule = ruleUri ?? session?.ruleUri;
  if (!session || !rule || session.ruleUri !== rule) {
    void vscode.window.showErrorMessage('Replay the rule first: its matches are what gets saved as the expected result.');
    return undefined;
  }
  let result;
  try {
    await deps.clientReady;
    result = await deps.client.sendRequest(RecordReplayRequest, { ruleUri: rule, sampleUris: session.sampleUris });
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot save the matches: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const uri = vscode.Uri.parse(result.uri);
  if (!options.confirmed) {
    const before = deps.recorded.put(uri.with({ path: `${uri.path}.before` }), result.original);
    const after = deps.recorded.put(uri, result.text);
    await vscode.commands.executeCommand('vscode.diff', before, after, `${vscode.workspace.asRelativePath(uri)}: "${result.caseName}"${result.created ? ' (new file)' : ''}`);
    const choice = await vscode.window.showInformationMessage(
      `Save the ${result.matches} current match${result.matches === 1 ? '' : 'es'} as the expected result of "${result.caseName}" in ${vscode.workspace.asRelativePath(uri)}?`,
      { modal: true },
      SAVE,
    );
    if (choice !== SAVE) return { written: false, matches: result.matches, uri: result.uri };
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(result.text));
  return { written: true, matches: result.matches, uri: result.uri };
}

/** CodeLens on a rule just replayed: "Save these matches as the expected result". */
export class RecordReplayCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;
  constructor(private readonly store: ReplayStore) {
    this.subscription = store.onDidChange(() => this.changed.fire());
  }
  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const session = this.store.current;
    if (!session || session.ruleUri !== document.uri.toString() || session.stale) return [];
    return [
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title: '$(record) Save these matches as the expected result',
        command: RECORD_REPLAY_COMMAND,
        arguments: [session.ruleUri],
      }),
    ];
  }
}
