/**
 * Signature help for EQL function calls (`textDocument/signatureHelp`): inside the parentheses of
 * `startsWith(…)`, `between~(…)` and the other functions of the "EQL function reference", show the
 * signature and which parameter the cursor is on.
 *
 * Works from the tokens alone, so it also works on half-typed calls the parser had to recover from
 * (`startsWith(process.name, ` with no closing parenthesis). Plain function of the text.
 */
import { MarkupKind, type SignatureHelp } from 'vscode-languageserver';
import { findFunction } from '../eql/functions';
import { lex } from '../eql/lexer';
import type { Token } from '../eql/token';
import { isInsideStringOrComment } from './completion';
import { functionMarkdown, functionSignature } from './hover';

/**
 * Signature help at `offset` of `text`.
 *
 * Input: the whole EQL text and a 0-based UTF-16 cursor offset. Output: one signature (the innermost
 * enclosing call of a known function) with parameter labels as `[start, end)` offsets into the
 * signature label, `activeSignature` 0 and `activeParameter` = the 0-based index of the argument the
 * cursor is in (commas at the call's own nesting level counted; a variadic last parameter stays
 * active for every further argument); also while typing a string argument. Null outside a call,
 * inside a comment, or in a call of an unknown function. Never throws.
 */
export function computeSignatureHelp(text: string, offset: number): SignatureHelp | null {
  try {
    const call = enclosingCall(lex(text).tokens, offset);
    if (!call) return null;
    const info = findFunction(call.name);
    if (!info) return null;
    const { label, parameters } = functionSignature(info, call.caseInsensitive);
    const variadic = info.params.length > 0 && info.params[info.params.length - 1].endsWith('…');
    const last = Math.max(0, parameters.length - 1);
    const activeParameter = variadic ? Math.min(call.argument, last) : call.argument;
    return {
      signatures: [
        {
          label,
          documentation: { kind: MarkupKind.Markdown, value: functionMarkdown(info, call.caseInsensitive) },
          parameters: parameters.map((range) => ({ label: range })),
          activeParameter,
        },
      ],
      activeSignature: 0,
      activeParameter,
    };
  } catch {
    return null;
  }
}

/** The innermost function call whose `(` is before `offset` and not closed before it, with the argument index. */
function enclosingCall(tokens: readonly Token[], offset: number): { name: string; caseInsensitive: boolean; argument: number } | undefined {
  const before: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'eof' || t.span.start >= offset) break;
    // Inside a comment there is no call to help with; inside a string argument there is.
    if (t.kind !== 'string' && isInsideStringOrComment(t, offset)) return undefined;
    if (t.kind !== 'lineComment' && t.kind !== 'blockComment') before.push(t);
  }
  let depth = 0;
  let commas = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const t = before[i];
    if (t.kind !== 'operator') continue;
    if (t.text === ')' || t.text === ']') depth++;
    else if (t.text === '[' || t.text === '![') {
      if (depth === 0) return undefined; // a stage boundary: no call spans it
      depth--;
    } else if (t.text === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const name = before[i - 1];
      // An identifier right before `(` is always a function name (EqlBase.g4 `functionExpression`).
      if (name && (name.kind === 'identifier' || name.kind === 'tildeIdentifier')) {
        return { name: String(name.value ?? name.text), caseInsensitive: name.kind === 'tildeIdentifier', argument: commas };
      }
      // A parenthesised expression or an `in (…)` list: keep looking outwards, its commas are not ours.
      commas = 0;
    } else if (t.text === ',' && depth === 0) commas++;
    else if (t.text === '|' && depth === 0) return undefined;
  }
  return undefined;
}
