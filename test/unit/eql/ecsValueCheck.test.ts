/**
 * Slips in the values ECS lists (eql/ecsValueCheck.ts): event categories and strings compared with
 * `event.type`, `event.category`, `host.os.type`, ….
 *
 * Expected values come from outside our code: the listed values are read here from the
 * `@elastic/ecs` package (`EcsFlat`: `allowed_values`, `expected_values`), not from our generated
 * catalogue; which comparisons ignore case is from Elasticsearch's "EQL syntax reference" (`:` and
 * the `~` forms are case-insensitive, `==` and `in` are not); the typos and spans are worked out by
 * hand on each input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EcsFlat } from '@elastic/ecs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse } from '../../../server/src/eql/parser';
import { checkEcsValues, EcsValueCheckCodes } from '../../../server/src/eql/ecsValueCheck';
import { computeDiagnostics } from '../../../server/src/services/diagnostics';
import { quickFixes } from '../../../server/src/services/codeActions';

type EcsEntry = { allowed_values?: Array<{ name: string }>; expected_values?: string[] };
const ecs = EcsFlat as unknown as Record<string, EcsEntry>;
const listed = (field: string): string[] => ecs[field].allowed_values?.map((v) => v.name) ?? ecs[field].expected_values ?? [];

function check(query: string): Array<{ code: string; text: string; message: string }> {
  const statement = parse(query).statement;
  assert.ok(statement, query);
  return checkEcsValues(statement).map((d) => ({ code: d.code, text: query.slice(d.span.start, d.span.end), message: d.message }));
}

/** Every single-edit variant of `word` in lower-case letters and `_`: deleted, inserted, replaced, swapped characters. */
function singleEdits(word: string): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz_';
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) out.add(word.slice(0, i) + word.slice(i + 1));
  for (let i = 0; i + 1 < word.length; i++) out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  for (let i = 0; i <= word.length; i++) for (const c of alphabet) out.add(word.slice(0, i) + c + word.slice(i));
  for (let i = 0; i < word.length; i++) for (const c of alphabet) out.add(word.slice(0, i) + c + word.slice(i + 1));
  out.delete(word);
  return [...out];
}

describe('ECS value slips', () => {
  it('flags a misspelt event category with the category suggested, on the category', () => {
    assert.deepEqual(check('proces where true'), [{ code: EcsValueCheckCodes.category, text: 'proces', message: 'Unknown event category [proces], did you mean [process]?' }]);
    assert.deepEqual(check('sequence [process where true] [netwrok where true]').map((d) => d.text), ['netwrok']);
    // `any` (every event) is a keyword, not a category, and a slip of it is read as a category.
    assert.deepEqual(check('anny where true').map((d) => d.message), ['Unknown event category [anny], did you mean [any]?']);
  });

  it('flags every single-edit typo of every ECS event category that is no other category', () => {
    const categories = listed('event.category');
    assert.ok(categories.length >= 20, 'ECS lists its event categories');
    const missed: string[] = [];
    let typos = 0;
    for (const category of categories) {
      for (const typo of singleEdits(category)) {
        if (categories.includes(typo) || typo === 'any' || !/^[a-z_][a-z_]*$/.test(typo)) continue;
        const statement = parse(`${typo} where true`).statement;
        if (statement?.query.kind !== 'event' || statement.query.filter.category !== typo) continue; // a keyword (`and`, `not`…)
        typos++;
        const d = checkEcsValues(statement)[0];
        if (!d || !/did you mean (any of )?\[[^\]]*\]/.test(d.message) || !d.message.includes(category)) missed.push(`${typo} (for ${category}): ${d?.message}`);
      }
    }
    assert.deepEqual(missed.slice(0, 10), []);
    assert.ok(typos > 8000, `typos generated: ${typos}`);
  });

  it('leaves ECS categories, any, and names far from every category alone', () => {
    for (const category of listed('event.category')) assert.deepEqual(check(`${category} where true`), [], category);
    assert.deepEqual(check('any where true'), []);
    assert.deepEqual(check('endpoint_alert where true'), []);
  });

  it('flags a misspelt value of a field ECS lists values for, on the text between the quotes', () => {
    assert.deepEqual(check('process where event.type == "strat"'), [
      { code: EcsValueCheckCodes.value, text: 'strat', message: 'Value [strat] is not an ECS value of [event.type], did you mean [start]?' },
    ]);
    assert.deepEqual(check('any where host.os.type : "windwos"').map((d) => d.text), ['windwos']);
    assert.deepEqual(check('any where event.outcome in ("success", "failre")').map((d) => d.text), ['failre']);
    assert.deepEqual(check('any where "prcess" != event.category').map((d) => d.text), ['prcess']);
    assert.deepEqual(check('any where event.kind like "evnt"').map((d) => d.text), ['evnt']);
  });

  it('takes the case into account only where the comparison does', () => {
    // `==`, `in` and `like` are case-sensitive: "Start" matches no ECS event.
    assert.deepEqual(check('process where event.type == "Start"').map((d) => d.message), ['Value [Start] is not an ECS value of [event.type], did you mean [start]?']);
    assert.deepEqual(check('process where event.type in ("Start")').map((d) => d.text), ['Start']);
    // `:`, `in~`, `like~` ignore case.
    assert.deepEqual(check('process where event.type : "START"'), []);
    assert.deepEqual(check('process where event.type in~ ("Start")'), []);
    assert.deepEqual(check('process where event.type like~ "Start"'), []);
  });

  it('leaves listed values, values far from every listed one, wildcards, regular expressions and other fields alone', () => {
    for (const value of listed('event.type')) assert.deepEqual(check(`any where event.type == "${value}"`), [], value);
    for (const value of listed('host.os.type')) assert.deepEqual(check(`any where host.os.type == "${value}"`), [], value);
    // Older Endgame data's event.type, seen in prebuilt rules: not a slip of any ECS value.
    assert.deepEqual(check('process where event.type in ("start", "process_started")'), []);
    assert.deepEqual(check('process where event.type : "sta*"'), []);
    assert.deepEqual(check('process where event.type regex "strat"'), []);
    assert.deepEqual(check('process where event.action == "strat" and process.name == "strat"'), []);
    assert.deepEqual(check('process where event.type == 1'), []);
  });

  it('reaches the editor as warnings whose quick fix keeps the quotes', () => {
    const text = 'proces where event.type == "strat"';
    const doc = TextDocument.create('file:///t.eql', 'eql', 1, text);
    const diagnostics = computeDiagnostics(doc);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, doc.getText(d.range)]), [
      ['category-typo', 2, 'proces'],
      ['value-typo', 2, 'strat'],
    ]);
    let fixed = text;
    for (const d of diagnostics.reverse()) {
      const [fix] = quickFixes(doc, [d]);
      assert.ok(fix?.isPreferred, String(d.code));
      fixed = TextDocument.applyEdits(TextDocument.create(doc.uri, 'eql', 1, fixed), fix.edit!.changes![doc.uri]);
    }
    assert.equal(fixed, 'process where event.type == "start"');
  });
});
