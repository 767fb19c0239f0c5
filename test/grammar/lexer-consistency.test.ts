/**
 * The TextMate grammar and the language server's lexer (`server/src/eql/lexer.ts`) must agree on
 * what each piece of a query is: for every lexer token, every grammar token covering any part of it
 * must carry a scope of the matching family (a keyword is coloured as a keyword, a string as a
 * string, …). Both follow Elasticsearch's EqlBase.g4, so a disagreement means one of them is wrong.
 *
 * Queries: the rules used by the other grammar tests plus, when `../shared` exists, every query of
 * Elasticsearch's EQL QA specs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lex } from '../../server/src/eql/lexer';
import type { Token } from '../../server/src/eql/token';
import { ROOT, tokenizeEql } from './tokenize';

/** Scope prefixes a grammar token may carry when it lies inside a lexer token. */
function allowedScopes(tok: Token): string[] {
  switch (tok.kind) {
    case 'lineComment':
    case 'blockComment':
      return ['comment.'];
    case 'keyword':
      if (['and', 'or', 'not'].includes(tok.text)) return ['keyword.operator.logical.'];
      if (['like', 'like~', 'regex', 'regex~', 'in', 'in~'].includes(tok.text)) return ['keyword.operator.eql'];
      if (['true', 'false', 'null'].includes(tok.text)) return ['constant.language.'];
      return ['keyword.control.'];
    case 'identifier':
      return [
        'variable.other.field.',
        'entity.name.type.event-category.',
        'support.function.',
        'keyword.other.unit.',
        'invalid.illegal.unit.',
        'keyword.other.relationship.',
        ...(tok.text === 'runs' ? ['keyword.control.'] : []),
      ];
    case 'tildeIdentifier':
      return ['support.function.'];
    case 'quotedIdentifier':
      return ['variable.other.field.'];
    case 'string':
      if (tok.quote === 'double') return ['string.quoted.double.', 'entity.name.type.event-category.'];
      if (tok.quote === 'triple') return ['string.quoted.triple.', 'entity.name.type.event-category.'];
      return ['invalid.illegal.string.'];
    case 'integer':
      return ['constant.numeric.integer.'];
    case 'decimal':
      return ['constant.numeric.decimal.'];
    case 'operator':
      switch (tok.text) {
        case '==':
        case '!=':
        case '<':
        case '<=':
        case '>':
        case '>=':
          return ['keyword.operator.comparison.'];
        case ':':
          return ['keyword.operator.eql'];
        case '!:': // SNEQ of older grammars; the current EqlBase.g4 has no such token
          return ['invalid.illegal.character.', 'keyword.operator.eql'];
        case '=':
          return ['keyword.operator.assignment.', 'invalid.illegal.operator.'];
        case '+':
        case '-':
        case '*':
        case '/':
        case '%':
          return ['keyword.operator.arithmetic.'];
        case '.':
          return ['variable.other.field.'];
        case ',':
          return ['punctuation.separator.'];
        case '(':
        case ')':
          return ['punctuation.section.parens.'];
        case '[':
        case ']':
          return ['punctuation.section.stage.', 'punctuation.section.brackets.'];
        case '![':
          return ['keyword.operator.missing-event.', 'punctuation.section.stage.'];
        case '|':
          return ['keyword.other.pipe.'];
        case '?':
          return ['keyword.operator.optional.'];
        default:
          return ['keyword.operator.', 'punctuation.'];
      }
    case 'unknown':
      return ['invalid.illegal.'];
    case 'eof':
      return [];
  }
}

/** Disagreements between the lexer and the grammar for one query (empty when they agree). */
async function disagreements(query: string): Promise<string[]> {
  const lineStarts = [0];
  for (let i = 0; i < query.length; i++) if (query[i] === '\n') lineStarts.push(i + 1);
  const grammarTokens = (await tokenizeEql(query)).map((t) => ({
    start: lineStarts[t.line] + t.start,
    end: lineStarts[t.line] + t.end,
    text: t.text,
    scopes: t.scopes.slice(1),
  }));
  const out: string[] = [];
  for (const tok of lex(query).tokens) {
    if (tok.kind === 'eof') continue;
    const allowed = allowedScopes(tok);
    for (const g of grammarTokens) {
      if (g.end <= tok.span.start || g.start >= tok.span.end || g.text.trim() === '') continue;
      if (!g.scopes.some((s) => allowed.some((a) => s.startsWith(a)))) {
        out.push(`lexer ${tok.kind} ${JSON.stringify(tok.text)} vs grammar ${JSON.stringify(g.text)} [${g.scopes.join(' ')}]`);
      }
    }
  }
  return out;
}

const RULES = [
  [
    'sequence by host.id with maxspan = 30s',
    '   [network where host.os.type == "windows" and network.direction : ("incoming", "ingress") and destination.port in (5985, 5986) and',
    '    network.protocol == "http" and source.ip != "127.0.0.1" and source.ip != "::1"]',
    '   [process where host.os.type == "windows" and',
    '    event.type == "start" and process.parent.name : "wsmprovhost.exe" and not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"]',
  ].join('\n'),
  'sequence by host.id with maxspan=1h [process where true] with runs=3 ![file where true] [network where true] until [any where false]',
  'any where ?process.parent.name == null and `my-field`.sub : "x" and `we``ird` != "y" and process.args[0] == "a" and @timestamp > 0',
  'process where startsWith~(process.name, "cmd") and length(x) > 2 and x like~ ("a*", "b*") and y regex~ """C:\\\\.*""" and z in~ ("a")',
  '/* a /* nested */ comment */ sample by host.id [a where 1.5 + .5 * 1e3 - 2 % 3 / 4 >= 0] ["b" where true] // end\n| head 5 | tail 1',
];

describe('grammar and lexer agree', () => {
  it('on the grammar test rules', async () => {
    for (const q of RULES) assert.deepEqual(await disagreements(q), [], q);
  });

  const spec = path.join(ROOT, '..', 'shared', 'conformance', 'elasticsearch');
  it('on every Elasticsearch QA query', { skip: existsSync(spec) ? false : `${spec} not present` }, async () => {
    let count = 0;
    for (const f of readdirSync(spec).filter((x) => x.endsWith('.toml'))) {
      const src = readFileSync(path.join(spec, f), 'utf8');
      for (const m of src.matchAll(/^\s*query\s*=\s*'''([\s\S]*?)'''/gm)) {
        assert.deepEqual(await disagreements(m[1]), [], `${f}: ${m[1]}`);
        count++;
      }
    }
    assert.ok(count > 300, `read ${count} queries`);
  });
});
