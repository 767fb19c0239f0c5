/**
 * "Add an exception for this value": on a line of a sample file that a match of the current replay
 * holds, a quick action per identifying field the event has (`source.ip`, `process.executable`,
 * `user.name`, …) proposes an exception item for that value. Chosen, the item is appended to the
 * workspace's exception file (the first of `eqlWorkbench.exceptions`, else `exceptions.toml` at
 * the workspace root, which is then added to the setting), and the replay runs again, so the
 * Replay Results view shows the match under "Removed by exceptions".
 */
import * as vscode from 'vscode';
import type { ReplayStore } from '../replay/replayState';
import { uriKey } from '../replay/replayState';

export const ADD_EXCEPTION_COMMAND = 'eqlWorkbench.addExceptionForValue';

/** Fields offered, in this order, when the event has a text or number value for them. */
export const EXCEPTION_FIELDS = [
  'source.ip',
  'destination.ip',
  'user.name',
  'host.name',
  'process.executable',
  'process.name',
  'process.parent.executable',
  'process.parent.name',
  'file.path',
] as const;

/** The values of a dotted field in a JSON document (dotted keys and nested objects alike; arrays flattened). */
export function fieldValues(doc: unknown, field: string): Array<string | number> {
  const out: Array<string | number> = [];
  const parts = field.split('.');
  const walk = (v: unknown, i: number): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, i);
      return;
    }
    if (i === parts.length) {
      if (typeof v === 'string' || typeof v === 'number') out.push(v);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const obj = v as Record<string, unknown>;
    // `a.b.c` may be written as nested objects, as a dotted key, or a mix of both.
    for (let j = i; j < parts.length; j++) {
      const key = parts.slice(i, j + 1).join('.');
      if (Object.prototype.hasOwnProperty.call(obj, key)) walk(obj[key], j + 1);
    }
  };
  walk(doc, 0);
  return out;
}

/** A TOML basic string. */
function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\u007f/g, '\\u007f');
}

/** The text of an exception item for one field value (a `match` entry). */
export function exceptionItemText(field: string, value: string | number, note: string): string {
  return [
    '',
    `# ${note.replace(/[\r\n]+/g, ' ')}`,
    '[[exception]]',
    `name = ${tomlString(`${field} is ${value}`)}`,
    `entries = [{ field = ${tomlString(field)}, operator = "included", type = "match", value = ${tomlString(String(value))} }]`,
    '',
  ].join('\n');
}

/** Quick actions on matched events of sample files. */
export class AddExceptionActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  constructor(private readonly store: ReplayStore) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range): vscode.CodeAction[] {
    const session = this.store.current;
    if (!session) return [];
    const line = range.start.line + 1;
    const key = uriKey(document.uri);
    const matched = session.result.matches.some((m) => m.events.some((e) => !e.missing && e.line === line && uriKey(e.uri) === key));
    if (!matched) return [];
    let doc: unknown;
    try {
      doc = JSON.parse(document.lineAt(range.start.line).text);
    } catch {
      return [];
    }
    const actions: vscode.CodeAction[] = [];
    for (const field of EXCEPTION_FIELDS) {
      const values = fieldValues(doc, field);
      if (values.length !== 1) continue;
      const action = new vscode.CodeAction(`Add an exception for ${field} = ${values[0]}`, vscode.CodeActionKind.QuickFix);
      action.command = {
        title: action.title,
        command: ADD_EXCEPTION_COMMAND,
        arguments: [field, values[0], `${vscode.workspace.asRelativePath(document.uri)}:${line}`],
      };
      actions.push(action);
    }
    return actions;
  }
}

/**
 * Appends an exception item to the workspace's exception file and replays the current rule again.
 * @returns the exception file's URI, or undefined without a workspace folder.
 */
export async function addExceptionForValue(
  store: ReplayStore,
  field: string,
  value: string | number,
  from: string,
): Promise<string | undefined> {
  // Only the quick action's arguments are accepted: nothing is written for anything else.
  if (typeof field !== 'string' || field === '' || (typeof value !== 'string' && typeof value !== 'number') || typeof from !== 'string') {
    void vscode.window.showErrorMessage('Add an exception from a matched event: use the quick action on its line in a sample file.');
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Open a workspace folder to keep exceptions in a file.');
    return undefined;
  }
  const config = vscode.workspace.getConfiguration('eqlWorkbench');
  const configured = config.get<string[]>('exceptions') ?? [];
  const rel = configured.find((p) => /\.toml$/i.test(p)) ?? 'exceptions.toml';
  const uri = /^(\/|[A-Za-z]:[\\/])/.test(rel) ? vscode.Uri.file(rel) : vscode.Uri.joinPath(folder.uri, ...rel.split(/[\\/]/));
  let existing = '';
  try {
    existing = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    existing = '# Exception items tried against the replay (see the README, "Exceptions").\n';
  }
  const text = existing.replace(/\s*$/, '\n') + exceptionItemText(field, value, `proposed from the matched event ${from}`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  if (!configured.includes(rel)) await config.update('exceptions', [...configured, rel], vscode.ConfigurationTarget.Workspace);
  const session = store.current;
  if (session) await vscode.commands.executeCommand('eqlWorkbench.replay', session.ruleUri);
  return uri.toString();
}
