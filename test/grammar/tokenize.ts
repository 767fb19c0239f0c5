/**
 * Test support for the TextMate grammars: loads the grammars the extension contributes (paths and
 * `injectTo` read from package.json, exactly as VS Code wires them) into a `vscode-textmate`
 * registry backed by the Oniguruma WebAssembly build VS Code itself uses, and tokenizes text.
 *
 * `source.toml` and `text.html.markdown` are not shipped by the extension (they come from a TOML
 * extension and from VS Code); minimal stand-ins in `fixtures/` play their part.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

/** Repository root (this file is `test/grammar/tokenize.ts`). */
export const ROOT = path.resolve(__dirname, '..', '..');

interface GrammarContribution {
  language?: string;
  scopeName: string;
  path: string;
  injectTo?: string[];
  embeddedLanguages?: Record<string, string>;
}

/** The `contributes.grammars` entries of package.json. */
export function contributedGrammars(): GrammarContribution[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { grammars: GrammarContribution[] };
  };
  return manifest.contributes.grammars;
}

/** Stand-in host grammars (scope name → file), used only by tests. */
const HOST_GRAMMARS: Record<string, string> = {
  'source.toml': path.join(__dirname, 'fixtures', 'toml.tmLanguage.json'),
  'text.html.markdown': path.join(__dirname, 'fixtures', 'markdown.tmLanguage.json'),
};

let registryPromise: Promise<vsctm.Registry> | undefined;

function registry(): Promise<vsctm.Registry> {
  registryPromise ??= (async () => {
    const wasm = readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const onigLib: vsctm.IOnigLib = {
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    };
    const contributed = contributedGrammars();
    const files = new Map<string, string>(Object.entries(HOST_GRAMMARS));
    for (const g of contributed) files.set(g.scopeName, path.join(ROOT, g.path));
    return new vsctm.Registry({
      onigLib: Promise.resolve(onigLib),
      loadGrammar: async (scopeName) => {
        const file = files.get(scopeName);
        if (file === undefined) return null;
        return vsctm.parseRawGrammar(readFileSync(file, 'utf8'), file);
      },
      getInjections: (scopeName) =>
        contributed.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
    });
  })();
  return registryPromise;
}

/** One token: 0-based line, UTF-16 columns (end exclusive), its text and full scope stack (root first). */
export interface Tok {
  line: number;
  start: number;
  end: number;
  text: string;
  scopes: string[];
}

/** Tokenizes `text` (lines split on \n or \r\n) with the grammar `scopeName`, line by line as VS Code does. */
export async function tokenize(scopeName: string, text: string): Promise<Tok[]> {
  const grammar = await (await registry()).loadGrammar(scopeName);
  if (grammar === null) throw new Error(`grammar ${scopeName} not found`);
  const out: Tok[] = [];
  let state = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((lineText, line) => {
    const r = grammar.tokenizeLine(lineText, state);
    for (const t of r.tokens) {
      const end = Math.min(t.endIndex, lineText.length);
      if (t.startIndex >= end) continue;
      out.push({ line, start: t.startIndex, end, text: lineText.slice(t.startIndex, end), scopes: t.scopes });
    }
    state = r.ruleStack;
  });
  return out;
}

/** Tokenizes EQL text with `source.eql`. */
export const tokenizeEql = (text: string): Promise<Tok[]> => tokenize('source.eql', text);

export interface Where {
  /** 0-based line to search on; all lines when absent. */
  line?: number;
  /** Which occurrence of the needle (0-based, in reading order), counted from `after` when given. */
  nth?: number;
  /** Only occurrences that start after the first occurrence of this text (on the searched lines). */
  after?: string;
}

/** The token that covers exactly the `nth` occurrence of `needle`; fails when the tokens split or merge it. */
export function tokenFor(toks: Tok[], needle: string, where: Where = {}): Tok {
  const lines = new Map<number, string>();
  // Tokens cover each line contiguously, so concatenating them gives the line back.
  for (const t of toks) lines.set(t.line, (lines.get(t.line) ?? '') + t.text);
  let seen = 0;
  const wanted = where.nth ?? 0;
  for (const [line, lineText] of [...lines.entries()].sort((a, b) => a[0] - b[0])) {
    if (where.line !== undefined && line !== where.line) continue;
    let from = 0;
    if (where.after !== undefined) {
      const a = lineText.indexOf(where.after);
      if (a < 0) continue;
      from = a + where.after.length;
    }
    for (let at = lineText.indexOf(needle, from); at >= 0; at = lineText.indexOf(needle, at + 1)) {
      if (seen++ !== wanted) continue;
      const tok = toks.find((t) => t.line === line && t.start === at);
      const covering = toks.filter((t) => t.line === line && t.end > at && t.start < at + needle.length);
      assert.ok(
        tok !== undefined && tok.end === at + needle.length,
        `expected one token for ${JSON.stringify(needle)} at ${line}:${at}, got ${JSON.stringify(covering.map((t) => t.text))}`,
      );
      return tok;
    }
  }
  assert.fail(`${JSON.stringify(needle)} (occurrence ${wanted}) not found`);
}

/**
 * The scopes a theme sees for a token, below the root scope, joined by spaces
 * (e.g. `string.quoted.double.eql punctuation.definition.string.begin.eql`).
 */
export function scopesOf(tok: Tok, root = 'source.eql'): string {
  const i = tok.scopes.lastIndexOf(root);
  return tok.scopes.slice(i + 1).join(' ');
}

/** Asserts the scopes (below `root`) of the token covering `needle`. */
export function expectScope(toks: Tok[], needle: string, expected: string, where: Where = {}, root = 'source.eql'): void {
  const tok = tokenFor(toks, needle, where);
  assert.equal(scopesOf(tok, root), expected, `scopes of ${JSON.stringify(needle)} at ${tok.line}:${tok.start}`);
}

/** Tokens whose scope stack holds an `invalid.*` scope. */
export const invalidTokens = (toks: Tok[]): Tok[] => toks.filter((t) => t.scopes.some((s) => s.startsWith('invalid.')));

/** Non-blank tokens that got no scope beyond the root (text the grammar did not recognise at all). */
export const unscopedTokens = (toks: Tok[], root = 'source.eql'): Tok[] =>
  toks.filter((t) => t.text.trim() !== '' && t.scopes[t.scopes.length - 1] === root);
