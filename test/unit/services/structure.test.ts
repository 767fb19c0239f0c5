/**
 * Semantic tokens and query structure (outline, folding, highlights, selection ranges), with `|`
 * cursor markers (the last `|` of an input is the cursor). What each piece is follows
 * Elasticsearch's grammar (EqlBase.g4: categories, fields, functions, keywords, `maxspan` units)
 * and ECS (which fields are known); offsets are counted by hand on the inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldCatalogFor } from '../../../server/src/services/fieldKnowledge';
import { fieldHighlights, queryFolds, querySymbols, selectionSpans } from '../../../server/src/services/documentStructure';
import { queryTokens } from '../../../server/src/services/semanticTokens';
import { cursor } from './cursor';

const classify = (q: string): string[] =>
  queryTokens(q, fieldCatalogFor({})).map((t) => `${q.slice(t.span.start, t.span.end)}:${[t.type, ...t.modifiers].join('.')}`);

describe('semantic tokens', () => {
  it('classifies categories, known and unknown fields, functions, keywords, operators, numbers and time units', () => {
    assert.deepEqual(classify('sequence by host.id with maxspan=5m [process where length(my.field) > 2] with runs=2 | head 3'), [
      'sequence:keyword',
      'by:keyword',
      'host.id:property.defaultLibrary',
      'with:keyword',
      'maxspan:keyword',
      '=:operator',
      '5:number',
      'm:timeUnit',
      'process:type',
      'where:keyword',
      'length:function.defaultLibrary',
      'my.field:variable.unknown',
      '>:operator',
      '2:number',
      'with:keyword',
      'runs:keyword',
      '=:operator',
      '2:number',
      '|:operator',
      'head:keyword',
      '3:number',
    ]);
  });

  it('cuts strings around their escape sequences; raw strings have none', () => {
    assert.deepEqual(classify('any where a == "C:\\\\x\\u{41}" and b : """C:\\x"""').filter((t) => /string|escape/i.test(t)), [
      '"C::string',
      '\\\\:escapeSequence',
      'x:string',
      '\\u{41}:escapeSequence',
      '":string',
      '"""C:\\x""":string',
    ]);
  });

  it('marks comments and fields learnt from the samples', () => {
    const tokens = queryTokens('process where x == 1 // note', undefined).map((t) => t.type);
    assert.deepEqual(tokens, ['type', 'keyword', 'property', 'operator', 'number', 'comment']);
  });

  it('survives half-typed text', () => {
    for (const q of ['sequence [', 'process where (', 'any where "unterminated', '| head', '[[[']) assert.ok(Array.isArray(queryTokens(q)));
  });
});

describe('query structure', () => {
  const rule = 'sequence by host.id with maxspan=5m\n  [process where true] by process.entity_id\n  ![file where true]\nuntil [network where false]\n| head 3';

  it('outline: the query, its stages with category and by keys, until, pipes', () => {
    const symbols = querySymbols(rule);
    assert.deepEqual(
      symbols.map((s) => [s.name, s.kind, s.children.map((c) => [c.name, c.detail])]),
      [
        ['sequence by host.id with maxspan=5m', 'query', [['[process]', 'stage 1 · by process.entity_id'], ['![file]', 'stage 2'], ['until [network]', '']]],
        ['| head 3', 'pipe', []],
      ],
    );
    // `[process` starts at offset 38 (`sequence by host.id with maxspan=5m` is 35 characters, then `\n  `).
    assert.equal(symbols[0].children[0].span.start, 38);
    assert.deepEqual(querySymbols('process where true').map((s) => s.name), ['process where …']);
    assert.deepEqual(querySymbols(''), []);
  });

  it('folding: the query, each stage and until, block comments', () => {
    assert.deepEqual(
      queryFolds('/* a\nb */ sequence [a where true] [b where true]').map((f) => f.kind ?? 'region'),
      ['region', 'region', 'region', 'comment'],
    );
  });

  it('highlights: every use of the field under the cursor', () => {
    const { text, offset } = cursor('sequence by host.id [process where host.i|d == "a"] [file where host.id != "b" and host.name == "c"]');
    assert.deepEqual(fieldHighlights(text, offset).map((s) => text.slice(s.start, s.end)), ['host.id', 'host.id', 'host.id']);
    assert.deepEqual(fieldHighlights(text, 2), []); // on `sequence`
  });

  it('selection ranges: field, comparison, condition, stage filter, … the whole text, each larger', () => {
    const { text, offset } = cursor('process where a == 1 and process.na|me : "x"');
    assert.deepEqual(selectionSpans(text, offset).map((s) => text.slice(s.start, s.end)), [
      'process.name',
      'process.name : "x"',
      'a == 1 and process.name : "x"',
      'process where a == 1 and process.name : "x"',
    ]);
  });
});
