/**
 * language-configuration.json and the grammar contributions of package.json.
 *
 * VS Code compiles `wordPattern` and `indentationRules` as JavaScript regular expressions, so these
 * tests do the same. Expected words follow EQL's identifiers (EqlBase.g4: IDENTIFIER may start with
 * `@`, QUOTED_IDENTIFIER uses backquotes, TILDE_IDENTIFIER ends in `~`) and ECS dotted field names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { contributedGrammars, expectScope, ROOT, tokenizeEql } from './tokenize';

interface LanguageConfiguration {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs: [string, string][];
  wordPattern: string;
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
}

const config = JSON.parse(readFileSync(path.join(ROOT, 'language-configuration.json'), 'utf8')) as LanguageConfiguration;

/** The words VS Code would find in `text` with the configured word pattern. */
const words = (text: string): string[] => [...text.matchAll(new RegExp(config.wordPattern, 'g'))].map((m) => m[0]);

describe('language configuration', () => {
  it('comment tokens are the ones the grammar scopes as comments', async () => {
    assert.equal(config.comments.lineComment, '//');
    assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
    const t = await tokenizeEql(`process where true ${config.comments.lineComment} x\n${config.comments.blockComment.join(' y ')}`);
    expectScope(t, ' x', 'comment.line.double-slash.eql');
    expectScope(t, ' y ', 'comment.block.eql');
  });

  it('brackets and auto-closing pairs', () => {
    assert.deepEqual(config.brackets, [
      ['[', ']'],
      ['(', ')'],
    ]);
    const pairs = config.autoClosingPairs.map((p) => `${p.open}${p.close}`);
    for (const p of ['[]', '()', '""', '""""""', '``']) assert.ok(pairs.includes(p), `auto-closes ${p}`);
    const surrounding = config.surroundingPairs.map((p) => p.join(''));
    for (const p of ['[]', '()', '""', '``']) assert.ok(surrounding.includes(p), `surrounds with ${p}`);
  });

  it('word pattern keeps dotted ECS names, @timestamp, backquoted names and name~ whole', () => {
    assert.deepEqual(words('process.parent.name == "x"'), ['process.parent.name', 'x']);
    assert.deepEqual(words('@timestamp >= 5'), ['@timestamp', '5']);
    assert.deepEqual(words('`my-field`.sub : 1.5'), ['`my-field`.sub', '1.5']);
    assert.deepEqual(words('startsWith~(a,b)'), ['startsWith~', 'a', 'b']);
    assert.deepEqual(words('a==b'), ['a', 'b']);
    assert.deepEqual(words('?user.name'), ['user.name']);
  });

  it('indentation rules: sequence headers and open brackets indent, closing brackets outdent', () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    assert.ok(increase.test('sequence by host.id with maxspan = 30s'));
    assert.ok(increase.test('sample by host.id'));
    assert.ok(increase.test('  [process where'));
    assert.ok(increase.test('  [network where x in ('));
    assert.ok(!increase.test('  [process where true]'));
    assert.ok(!increase.test('process where true // [')); // a bracket in a comment opens nothing
    assert.ok(decrease.test('  ]'));
    assert.ok(decrease.test(')'));
    assert.ok(!decrease.test('  [process where true]'));
  });
});

describe('package.json grammar contributions', () => {
  const grammars = contributedGrammars();

  it('each contributed grammar file exists and declares the contributed scope name', () => {
    assert.ok(grammars.length >= 3);
    for (const g of grammars) {
      const file = path.join(ROOT, g.path);
      assert.ok(existsSync(file), `${g.path} exists`);
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { scopeName: string; injectionSelector?: string };
      assert.equal(raw.scopeName, g.scopeName, g.path);
      if (g.injectTo !== undefined) {
        for (const host of g.injectTo) assert.ok(raw.injectionSelector?.includes(host), `${g.path} selects ${host}`);
        assert.deepEqual(g.embeddedLanguages, { 'meta.embedded.block.eql': 'eql' }, `${g.path} maps its embedded scope to eql`);
      }
    }
  });

  it('EQL is injected into TOML and Markdown', () => {
    const injected = new Set(grammars.flatMap((g) => g.injectTo ?? []));
    assert.ok(injected.has('source.toml'));
    assert.ok(injected.has('text.html.markdown'));
    const main = grammars.find((g) => g.language === 'eql');
    assert.equal(main?.scopeName, 'source.eql');
  });
});
