/**
 * TextMate tokenization inside the extension host, with the grammar the *loaded* extension
 * contributes (its `package.json` `contributes.grammars`, resolved from `extensionPath`) and the
 * engine VS Code itself uses (vscode-textmate + the vscode-oniguruma WebAssembly build).
 *
 * VS Code's API does not expose token scopes, and the workbench command that captures them
 * (`_workbench.captureSyntaxTokens`) is not part of the web workbench code-server serves; this
 * is the same grammar file and engine, loaded the way VS Code wires it from the manifest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

/** One token: 0-based line, UTF-16 columns (end exclusive), its text and scope stack (root first). */
export interface Token {
  line: number;
  start: number;
  end: number;
  text: string;
  scopes: string[];
}

interface GrammarContribution {
  language?: string;
  scopeName: string;
  path: string;
  injectTo?: string[];
}

let onigLib: Promise<vsctm.IOnigLib> | undefined;

/** Loads Oniguruma once per extension host (loadWASM may only run once). */
function onig(): Promise<vsctm.IOnigLib> {
  onigLib ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    };
  })();
  return onigLib;
}

/** The `eql` language's grammar of `ext`, as a vscode-textmate grammar. */
async function eqlGrammar(ext: vscode.Extension<unknown>): Promise<vsctm.IGrammar> {
  const grammars = ((ext.packageJSON as { contributes?: { grammars?: GrammarContribution[] } }).contributes?.grammars ?? []);
  const main = grammars.find((g) => g.language === 'eql');
  if (!main) throw new Error(`${ext.id} contributes no grammar for the language eql`);
  const files = new Map(grammars.map((g) => [g.scopeName, path.join(ext.extensionPath, g.path)]));
  const registry = new vsctm.Registry({
    onigLib: onig(),
    loadGrammar: async (scopeName) => {
      const file = files.get(scopeName);
      return file ? vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
    },
    getInjections: (scopeName) => grammars.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
  });
  const grammar = await registry.loadGrammar(main.scopeName);
  if (!grammar) throw new Error(`grammar ${main.scopeName} of ${ext.id} did not load`);
  return grammar;
}

/** Tokenizes `text` line by line, carrying the rule stack across lines as the editor does. */
export async function tokenizeWith(ext: vscode.Extension<unknown>, text: string): Promise<Token[]> {
  const grammar = await eqlGrammar(ext);
  const out: Token[] = [];
  let stack = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((lineText, line) => {
    const r = grammar.tokenizeLine(lineText, stack);
    for (const t of r.tokens) {
      const end = Math.min(t.endIndex, lineText.length);
      out.push({ line, start: t.startIndex, end, text: lineText.slice(t.startIndex, end), scopes: t.scopes });
    }
    stack = r.ruleStack;
  });
  return out;
}

/** Tokens of a single line. */
export function scopesOfLine(ext: vscode.Extension<unknown>, lineText: string): Promise<Token[]> {
  return tokenizeWith(ext, lineText);
}
