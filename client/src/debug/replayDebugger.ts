/**
 * VS Code side of the replay debugger: the `eql-replay` debug type runs the adapter
 * (`server/src/debug/debugSession.ts`) inline in the extension host, so it needs no Node binary of
 * its own (under Electron a child process would need one); F5 on an open rule works without a
 * `launch.json`; the `eqlWorkbench.debugReplay` command starts a session on a given rule.
 */
import * as vscode from 'vscode';
import { EqlReplayDebugSession } from '../../../server/src/debug/debugSession';
import { hoverFieldAt } from '../../../server/src/debug/hoverField';
import { ruleFromEql, ruleFromToml } from '../../../server/src/samples/ruleFile';
import { isRuleDocument, isToml, RULE_DOCUMENT_SELECTOR } from '../replay/ruleDocuments';

/** The debug type contributed in package.json. */
export const DEBUG_TYPE = 'eql-replay';
/** Command behind the "Debug replay" CodeLens; its argument is the rule's URI. */
export const DEBUG_REPLAY_COMMAND = 'eqlWorkbench.debugReplay';

/**
 * A launch configuration for a rule: its samples are the workspace's sample files
 * (setting `eqlWorkbench.samples`, a glob relative to the workspace folder), and the
 * timestamp / tiebreaker / category fields are the settings when the user changed them
 * (otherwise the adapter takes a TOML rule's own options, then Elasticsearch's defaults).
 */
export function replayConfiguration(rule: vscode.Uri): vscode.DebugConfiguration {
  const folder = vscode.workspace.getWorkspaceFolder(rule);
  const settings = vscode.workspace.getConfiguration('eqlWorkbench', rule);
  const config: vscode.DebugConfiguration = {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Debug replay: ${rule.path.slice(rule.path.lastIndexOf('/') + 1)}`,
    rule: rule.fsPath,
    stopOnEntry: true,
  };
  if (folder) {
    config.cwd = folder.uri.fsPath;
    config.samples = [settings.get<string>('samples') || '**/*.{ndjson,jsonl}'];
  }
  const changed = (key: string): string | undefined => {
    const i = settings.inspect<string>(key);
    const value = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    return value ? value : undefined;
  };
  const timestampField = changed('timestampField');
  const tiebreakerField = changed('tiebreakerField');
  const eventCategoryField = changed('eventCategoryField');
  if (timestampField) config.timestampField = timestampField;
  if (tiebreakerField) config.tiebreakerField = tiebreakerField;
  if (eventCategoryField) config.eventCategoryField = eventCategoryField;
  return config;
}

/** F5 without launch.json on an open rule, and `rule` left out of a configuration: the active rule. */
class ReplayConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const document = vscode.window.activeTextEditor?.document;
    const activeRule = document && isRuleDocument(document) ? document.uri : undefined;
    if (!config.type && !config.request && !config.name) {
      if (!activeRule) {
        void vscode.window.showInformationMessage('Open an EQL rule (.eql, or a detection-rules .toml) to debug its replay.');
        return undefined;
      }
      return replayConfiguration(activeRule);
    }
    if (!config.rule) {
      if (!activeRule) {
        void vscode.window.showErrorMessage('The eql-replay configuration has no "rule", and the active editor holds no rule.');
        return undefined;
      }
      return { ...replayConfiguration(activeRule), ...config, rule: activeRule.fsPath };
    }
    return config;
  }
}

/**
 * What the debug hover evaluates in a rule while a replay is stopped: the dotted field name under
 * the mouse (`process.parent.name`, up to the hovered segment; see `hoverFieldAt`), which VS Code's
 * default word would cut at the dots. Nothing for strings, keywords, functions or outside the query.
 */
export function evaluatableField(document: vscode.TextDocument, position: vscode.Position): vscode.EvaluatableExpression | undefined {
  const text = document.getText();
  const rule = isToml(document) ? ruleFromToml(document.uri.fsPath, text).rule : document.languageId === 'eql' ? ruleFromEql(document.uri.fsPath, text) : undefined;
  const hit = rule && hoverFieldAt(rule, document.offsetAt(position));
  if (!hit) return undefined;
  return new vscode.EvaluatableExpression(new vscode.Range(document.positionAt(hit.start), document.positionAt(hit.end)), hit.expression);
}

/**
 * The value of the field under the mouse in a rule while a replay is stopped, as an editor hover.
 * VS Code shows its debug hover (fed by {@link evaluatableField}) only in the file of the focused
 * stack frame, which is the sample line of the current event, not the rule: in the rule this hover
 * asks the adapter the same `evaluate` (context `hover`) and shows the answer beside the rule's own
 * hover. Nothing when no replay is stopped on an event.
 */
export async function replayValueHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
  const session = vscode.debug.activeDebugSession;
  if (session?.type !== DEBUG_TYPE || !vscode.debug.activeStackItem) return undefined;
  const field = evaluatableField(document, position);
  if (!field?.expression) return undefined;
  let result: string;
  try {
    result = ((await session.customRequest('evaluate', { expression: field.expression, context: 'hover', frameId: 1 })) as { result: string }).result;
  } catch {
    return undefined; // No current event yet.
  }
  const text = new vscode.MarkdownString();
  text.appendMarkdown('On the current event of the replay:\n');
  text.appendCodeblock(`${field.expression} = ${result}`, 'text');
  return new vscode.Hover(text, field.range);
}

/** Registers the debug type's adapter, configuration provider, hovers and command. */
export function registerReplayDebugger(): vscode.Disposable[] {
  return [
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new EqlReplayDebugSession()),
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ReplayConfigurationProvider()),
    vscode.languages.registerEvaluatableExpressionProvider(RULE_DOCUMENT_SELECTOR, { provideEvaluatableExpression: evaluatableField }),
    vscode.languages.registerHoverProvider(RULE_DOCUMENT_SELECTOR, { provideHover: replayValueHover }),
    vscode.commands.registerCommand(DEBUG_REPLAY_COMMAND, (rule?: vscode.Uri | string) => {
      const uri = typeof rule === 'string' ? vscode.Uri.parse(rule) : (rule ?? vscode.window.activeTextEditor?.document.uri);
      if (!uri) return false;
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), replayConfiguration(uri));
    }),
  ];
}
