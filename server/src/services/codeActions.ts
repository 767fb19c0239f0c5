/**
 * Quick fixes for EQL diagnostics (`textDocument/codeAction`): each one rewrites the text the way
 * the diagnostic asks, so the rule becomes what Elasticsearch accepts.
 *
 * - `single-equals`: `=` → `==` (EQL compares with `==` only).
 * - `single-quoted-string`: `'text'` → `"text"` (EQL strings are double-quoted), when the text holds
 *   no quote or backslash that would need re-escaping.
 * - `maxspan-unit`: `30` → `30s`, the form the message proposes.
 * - `unknown-function`, `unknown-pipe`, `unknown-field`, `field-typo`, `field-not-in-schema`,
 *   `category-typo`, `value-typo`: one fix per "did you mean" candidate of the
 *   message (Elasticsearch's `, did you mean [x]?` / `, did you mean any of [x, y]?` wording).
 */
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DIAGNOSTIC_SOURCE } from './diagnostics';

const SUGGESTING_CODES = new Set(['unknown-function', 'unknown-pipe', 'unknown-field', 'field-typo', 'field-not-in-schema', 'category-typo', 'value-typo']);

/**
 * Quick fixes for the given diagnostics of `document` (those the client sends in the code action
 * context; only this server's, source `eql`, are considered).
 *
 * @returns `quickfix` code actions with a single text edit each, in diagnostic order; a fix is
 *   `isPreferred` when it is the only one for its diagnostic. Empty when nothing applies.
 */
export function quickFixes(document: TextDocument, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    const fixes = replacementsFor(document, diagnostic);
    for (const { title, newText } of fixes) {
      actions.push({
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fixes.length === 1,
        edit: { changes: { [document.uri]: [{ range: diagnostic.range, newText }] } },
      });
    }
  }
  return actions;
}

function replacementsFor(document: TextDocument, diagnostic: Diagnostic): Array<{ title: string; newText: string }> {
  const text = document.getText(diagnostic.range);
  const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
  switch (diagnostic.code) {
    case 'single-equals':
      return text === '=' ? [{ title: 'Change to ==', newText: '==' }] : [];
    case 'single-quoted-string': {
      const inner = /^'([^'"\\]*)'$/.exec(text)?.[1];
      return inner === undefined ? [] : [{ title: 'Use double quotes', newText: `"${inner}"` }];
    }
    case 'maxspan-unit': {
      const proposed = /as in \[([^\]]+)\]\?$/.exec(message)?.[1];
      return proposed && proposed.startsWith(text) ? [{ title: `Change to ${proposed}`, newText: proposed }] : [];
    }
    default: {
      if (typeof diagnostic.code !== 'string' || !SUGGESTING_CODES.has(diagnostic.code)) return [];
      const list = /, did you mean (?:any of )?\[([^\]]+)\]\?$/.exec(message)?.[1];
      if (!list) return [];
      return list.split(', ').map((candidate) => ({ title: `Change to ${candidate}`, newText: candidate }));
    }
  }
}
