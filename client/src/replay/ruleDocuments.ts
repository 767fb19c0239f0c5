/**
 * Which editor documents are rules the extension serves, and where their replay CodeLens goes:
 * `.eql` documents (language `eql`) always; detection-rules `.toml` documents when their `[rule]`
 * is EQL (`language = "eql"`, or no `language` and `type = "eql"`). The TOML decision is the
 * language server's own (`server/src/services/ruleDocument.ts`), run on the editor's text, so the
 * lens and the replay command agree with the diagnostics.
 */
import * as vscode from 'vscode';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isTomlDocument, ruleDocument } from '../../../server/src/services/ruleDocument';
import { queryStartOffset } from './format';

/** Documents the language client syncs and the lens is offered on: EQL, and TOML by language or by path. */
export const RULE_DOCUMENT_SELECTOR: Array<{ language: string } | { scheme: string; pattern: string }> = [
  { language: 'eql' },
  { language: 'toml' },
  { scheme: 'file', pattern: '**/*.toml' },
];

/** The last reading of each TOML document, per version (a rule file is parsed once per edit). */
const tomlReadings = new WeakMap<vscode.TextDocument, { version: number; lensLine: number | undefined }>();

/** Whether the document is TOML (language `toml`, or a `.toml` path). */
export function isToml(document: vscode.TextDocument): boolean {
  return isTomlDocument(document.uri.toString(), document.languageId);
}

/**
 * The 0-based line of a rule's replay CodeLens, or `undefined` when the document is no rule:
 * for `.eql` the line where the query starts (after leading comments); for TOML the `query = …`
 * line of an EQL rule; nothing for other TOML files (KQL rules, `Cargo.toml`) or ones that do not
 * parse.
 */
export function ruleLensLine(document: vscode.TextDocument): number | undefined {
  if (!isToml(document)) {
    if (document.languageId !== 'eql') return undefined;
    const text = document.getText();
    return document.positionAt(Math.min(queryStartOffset(text), text.length)).line;
  }
  const cached = tomlReadings.get(document);
  if (cached && cached.version === document.version) return cached.lensLine;
  const read = ruleDocument(TextDocument.create(document.uri.toString(), document.languageId, document.version, document.getText()));
  const lensLine = read.rule?.lensLine;
  tomlReadings.set(document, { version: document.version, lensLine });
  return lensLine;
}

/** Whether the document is a rule the replay command can take (see {@link ruleLensLine}). */
export function isRuleDocument(document: vscode.TextDocument): boolean {
  return ruleLensLine(document) !== undefined;
}
