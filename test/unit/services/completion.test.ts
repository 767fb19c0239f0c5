/**
 * Completion (services/completion.ts) on cursor-marked inputs (`|` = cursor, see cursor.ts).
 *
 * Expected values come from outside our code:
 * - ECS fields, types, descriptions and allowed values: read here from the `@elastic/ecs` package
 *   (`EcsFlat`, the flattened ECS schema), not from our generated catalogue;
 * - what may follow `sequence`, a stage, `sample`, `|`: Elasticsearch's "EQL syntax reference"
 *   (`sequence by … with maxspan=…`, `[…] with runs=N`, `until […]`; samples take neither maxspan,
 *   until nor runs) and "EQL pipe reference" (`head`, `tail`);
 * - which functions have a `~` form: Elasticsearch's "EQL function reference" (between, endsWith,
 *   indexOf, startsWith, stringContains are case-insensitive with `~`; length is not);
 * - ranges: character positions worked out by hand on the input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EcsFlat } from '@elastic/ecs';
import fc from 'fast-check';
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type MarkupContent, type TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { computeCompletions, resolveCompletionItem, type CompletionOptions } from '../../../server/src/services/completion';
import { cursor } from './cursor';

type EcsEntry = { type: string; short: string; allowed_values?: Array<{ name: string; description: string }> };
const ecs = EcsFlat as unknown as Record<string, EcsEntry>;
const allowed = (field: string) => ecs[field].allowed_values!.map((v) => v.name);

function complete(input: string, options: CompletionOptions = {}): CompletionItem[] {
  const { text, offset } = cursor(input);
  return computeCompletions(text, offset, options).items;
}
const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const item = (items: CompletionItem[], label: string) => {
  const found = items.find((i) => i.label === label);
  assert.ok(found, `no item ${label} among ${labels(items).slice(0, 30).join(', ')}…`);
  return found;
};
const edit = (i: CompletionItem) => i.textEdit as TextEdit;

describe('completion: fields', () => {
  it('offers ECS fields after where, with the ECS type as detail and the ECS description on resolve', () => {
    const items = complete('process where process.pa|');
    const parentName = item(items, 'process.parent.name');
    assert.equal(parentName.kind, CompletionItemKind.Field);
    assert.equal(parentName.detail, ecs['process.parent.name'].type);
    // `process.pa` is characters 14-24 of line 0: the whole dotted prefix is replaced.
    assert.deepEqual(edit(parentName).range, { start: { line: 0, character: 14 }, end: { line: 0, character: 24 } });
    assert.equal(edit(parentName).newText, 'process.parent.name');
    const doc = resolveCompletionItem(parentName).documentation as MarkupContent;
    assert.ok(doc.value.includes(ecs['process.parent.name'].short), doc.value);
    assert.ok(doc.value.includes(ecs['process.parent.name'].type), doc.value);
  });

  it('sorts the fields of the event category\'s ECS field set first', () => {
    const items = complete('sequence [file where true] [network where destination.port == 443 and |');
    const sort = (label: string) => item(items, label).sortText!;
    assert.ok(sort('network.protocol') < sort('process.name'));
    assert.ok(sort('network.protocol') < sort('file.path'));
    assert.equal(sort('process.name'), sort('file.path'));
  });

  it('offers every ECS field', () => {
    const got = new Set(labels(complete('process where |')));
    const missing = Object.keys(ecs).filter((name) => !got.has(name));
    assert.deepEqual(missing, []);
  });

  it('offers fields after and, or, not, (, a comparison operator and a comma in a call', () => {
    for (const input of ['a where x == 1 and |', 'a where x == 1 or |', 'a where not |', 'a where (|', 'a where x > |', 'a where concat(x, |']) {
      assert.ok(labels(complete(input)).includes('host.name'), input);
    }
  });

  it('offers only fields after by (join keys), not functions or constants', () => {
    const items = complete('sequence by |');
    assert.ok(labels(items).includes('host.id'));
    assert.ok(items.every((i) => i.kind === CompletionItemKind.Field), 'only fields');
    assert.ok(labels(complete('sequence by host.id, |')).includes('user.name'));
    assert.ok(labels(complete('sequence [process where true] by |')).includes('process.entity_id'));
  });

  it('replaces a dotted prefix typed after the trigger dot', () => {
    const items = complete('process where process.|');
    // `process.` is characters 14-22.
    assert.deepEqual(edit(item(items, 'process.pid')).range, { start: { line: 0, character: 14 }, end: { line: 0, character: 22 } });
  });

  it('completes the word the cursor is in, up to the cursor', () => {
    // `process.pa|rent`: the field starts at 14, the cursor is at 24.
    const items = complete('process where process.pa|rent');
    assert.deepEqual(edit(item(items, 'process.parent.name')).range, { start: { line: 0, character: 14 }, end: { line: 0, character: 24 } });
  });

  it('sends the range once in itemDefaults.editRange when the client supports it', () => {
    const { text, offset } = cursor('process where process.pa|');
    const list = computeCompletions(text, offset, { editRangeDefault: true, snippetSupport: true });
    assert.deepEqual(list.itemDefaults?.editRange, { start: { line: 0, character: 14 }, end: { line: 0, character: 24 } });
    const parentName = item(list.items, 'process.parent.name');
    assert.equal(parentName.textEdit, undefined);
    assert.equal(parentName.textEditText, undefined, 'the label is the text');
    assert.equal(item(list.items, 'startsWith').textEditText, 'startsWith(${1:source}, ${2:substring})$0');
  });

  it('keeps the items of the list unchanged when one is resolved (the field items are shared between answers)', () => {
    const { text, offset } = cursor('process where process.pa|');
    const parentName = item(computeCompletions(text, offset, { editRangeDefault: true }).items, 'process.parent.name');
    assert.ok((resolveCompletionItem(parentName).documentation as MarkupContent).value.includes(ecs['process.parent.name'].short));
    const again = item(computeCompletions(text, offset, { editRangeDefault: true }).items, 'process.parent.name');
    assert.equal(again.documentation, undefined);
    assert.equal(again.detail, ecs['process.parent.name'].type);
  });

  it('backquotes field names that are not plain identifiers, in the edit and in textEditText', () => {
    // EQL syntax reference: a field name segment that is a reserved word or holds special characters is escaped with backticks.
    const samples = { fields: () => new Map([['my field.sequence', { name: 'my field.sequence', events: 2, types: { string: 2 }, values: [], moreValues: false }]]) };
    const { text, offset } = cursor('process where |');
    assert.equal(edit(item(computeCompletions(text, offset, { samples }).items, 'my field.sequence')).newText, '`my field`.`sequence`');
    assert.equal(item(computeCompletions(text, offset, { samples, editRangeDefault: true }).items, 'my field.sequence').textEditText, '`my field`.`sequence`');
  });

  it('works on the second line of a multi-line rule', () => {
    const items = complete('sequence by host.id\n  [process where user.na|');
    // Line 1 is `  [process where user.na`: `user.na` is characters 17-24.
    assert.deepEqual(edit(item(items, 'user.name')).range, { start: { line: 1, character: 17 }, end: { line: 1, character: 24 } });
  });
});

describe('completion: functions and constants', () => {
  it('offers the functions, with ~ forms only where Elasticsearch has them', () => {
    const got = labels(complete('process where |'));
    for (const name of ['startsWith', 'startsWith~', 'endsWith~', 'stringContains~', 'between~', 'indexOf~', 'length', 'cidrMatch', 'concat']) {
      assert.ok(got.includes(name), name);
    }
    for (const name of ['length~', 'concat~', 'cidrMatch~', 'add~']) assert.ok(!got.includes(name), name);
  });

  it('inserts a snippet with the required parameters when the client supports snippets', () => {
    // EQL function reference: startsWith(<source>, <substring>); between(<source>, <left>, <right>[, <greedy_matching>]).
    const items = complete('process where |', { snippetSupport: true });
    const startsWith = item(items, 'startsWith');
    assert.equal(startsWith.kind, CompletionItemKind.Function);
    assert.equal(startsWith.insertTextFormat, InsertTextFormat.Snippet);
    assert.equal(edit(startsWith).newText, 'startsWith(${1:source}, ${2:substring})$0');
    assert.equal(edit(item(items, 'between~')).newText, 'between~(${1:source}, ${2:left}, ${3:right})$0');
  });

  it('inserts plain text when the client does not support snippets', () => {
    const startsWith = item(complete('process where |'), 'startsWith');
    assert.equal(startsWith.insertTextFormat, InsertTextFormat.PlainText);
    assert.equal(edit(startsWith).newText, 'startsWith(');
  });

  it('offers true, false, null and not where an expression starts', () => {
    const got = labels(complete('process where |'));
    for (const k of ['true', 'false', 'null', 'not']) assert.ok(got.includes(k), k);
  });
});

describe('completion: query structure', () => {
  it('offers the ECS event categories, any, sequence and sample at the start of the query', () => {
    const items = complete('|');
    assert.deepEqual(new Set(labels(items)), new Set([...allowed('event.category'), 'any', 'sequence', 'sample']));
    const processItem = item(items, 'process');
    assert.ok(((processItem.documentation as MarkupContent).value).includes(ecs['event.category'].allowed_values!.find((v) => v.name === 'process')!.description));
  });

  it('offers the event categories and any after [ and ![', () => {
    assert.deepEqual(new Set(labels(complete('sequence [|'))), new Set([...allowed('event.category'), 'any']));
    assert.deepEqual(new Set(labels(complete('sequence with maxspan=1m [process where true] ![|'))), new Set([...allowed('event.category'), 'any']));
  });

  it('offers where after an event category', () => {
    assert.deepEqual(labels(complete('process |')), ['where']);
    assert.deepEqual(labels(complete('sequence [network w|')), ['where']);
  });

  it('offers by and with maxspan= after sequence', () => {
    assert.deepEqual(labels(complete('sequence |')), ['by', 'with maxspan=']);
    assert.deepEqual(labels(complete('sequence by host.id |')), ['with maxspan=']);
    assert.deepEqual(labels(complete('sequence by host.id with |')), ['maxspan=']);
  });

  it('offers by, with runs= and until after a sequence stage', () => {
    assert.deepEqual(labels(complete('sequence [process where true] |')), ['by', 'with runs=', 'until']);
    assert.deepEqual(labels(complete('sequence [process where true] by user.id |')), ['with runs=', 'until']);
    assert.deepEqual(labels(complete('sequence [process where true] with |')), ['runs=']);
    assert.deepEqual(labels(complete('sequence [process where true] with runs=2 |')), ['until']);
  });

  it('offers only by after a sample stage (samples take no runs and no until)', () => {
    assert.deepEqual(labels(complete('sample |')), ['by']);
    assert.deepEqual(labels(complete('sample by host.id [process where true] |')), ['by']);
  });

  it('offers head and tail after |', () => {
    assert.deepEqual(labels(complete('process where true | |')), ['head', 'tail']);
    assert.deepEqual(labels(complete('process where true | he|')), ['head', 'tail']);
  });

  it('offers connectives and predicates after a complete operand', () => {
    const got = labels(complete('process where process.name == "cmd.exe" |'));
    for (const k of ['and', 'or', 'in', 'in~', 'not in', 'like', 'like~', 'regex', 'regex~']) assert.ok(got.includes(k), k);
  });
});

describe('completion: allowed values', () => {
  it('offers the allowed values of event.category inside the string after :', () => {
    // `event.category` is characters 14-27, `:` 29, the string `""` 31-32; the cursor is between the quotes (32).
    const items = complete('process where event.category : "|"');
    assert.deepEqual(labels(items), allowed('event.category'));
    const network = item(items, 'network');
    assert.deepEqual(edit(network).range, { start: { line: 0, character: 32 }, end: { line: 0, character: 32 } });
    assert.equal(edit(network).newText, 'network');
  });

  it('replaces the part of the value already typed', () => {
    // `event.type` is characters 10-19, `==` 21-22, `"` 24: the content `st` is characters 25-26.
    const items = complete('any where event.type == "st|"');
    assert.deepEqual(labels(items), allowed('event.type'));
    assert.deepEqual(edit(item(items, 'start')).range, { start: { line: 0, character: 25 }, end: { line: 0, character: 27 } });
  });

  it('offers only the event.type values ECS expects with the condition\'s category', () => {
    const expected = (ecs['event.category'] as unknown as { allowed_values: Array<{ name: string; expected_event_types?: string[] }> }).allowed_values.find((v) => v.name === 'process')!.expected_event_types!;
    assert.deepEqual(labels(complete('process where event.type == "|"')), allowed('event.type').filter((t) => expected.includes(t)));
    assert.deepEqual(labels(complete('sequence [process where event.type in (|')), allowed('event.type').filter((t) => expected.includes(t)).map((t) => `"${t}"`).concat(['true', 'false', 'null']));
  });

  it('closes an unterminated string', () => {
    const items = complete('process where event.outcome in ("success", "|');
    assert.deepEqual(labels(items), allowed('event.outcome'));
    assert.equal(edit(item(items, 'failure')).newText, 'failure"');
  });

  it('offers quoted allowed values after an operator, before any quote is typed', () => {
    const kind = complete('process where event.kind == |');
    for (const v of allowed('event.kind')) assert.ok(labels(kind).includes(`"${v}"`), v);
    assert.ok(labels(kind).includes('host.name'), 'fields too: == compares with any expression');
    const constant = complete('process where event.outcome : |');
    assert.deepEqual(new Set(labels(constant)), new Set([...allowed('event.outcome').map((v) => `"${v}"`), 'true', 'false', 'null']));
    assert.ok(labels(complete('process where event.type not in (|')).includes('"start"'));
  });

  it('offers the event categories inside a quoted category', () => {
    assert.deepEqual(labels(complete('sequence ["proc|"')), allowed('event.category'));
  });

  it('offers nothing inside a string compared with a field without allowed values', () => {
    assert.deepEqual(complete('process where process.name == "cm|"'), []);
  });
});

describe('completion: where nothing is offered', () => {
  it('offers nothing inside comments', () => {
    assert.deepEqual(complete('// process where |'), []);
    assert.deepEqual(complete('process where /* proc| */ true'), []);
  });

  it('offers nothing right after a number', () => {
    assert.deepEqual(complete('process where x == 5|'), []);
  });

  it('never throws, and every edit replaces text that ends at the cursor', () => {
    const alphabet = fc.constantFrom(...'sequence by [process where a.b == "x" and f(y, 1)] until ![ ] | head 5 ~ : ` \' ? ! \n/*'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.nat(70), (chars, at) => {
        const text = chars.join('');
        const list = computeCompletions(text, at);
        const doc = TextDocument.create('', 'eql', 0, text);
        const cursorAt = Math.min(at, text.length);
        for (const i of list.items) {
          const range = (i.textEdit as TextEdit).range;
          assert.ok(doc.offsetAt(range.start) <= cursorAt && cursorAt <= doc.offsetAt(range.end), JSON.stringify({ text, at, label: i.label }));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('completion: maxspan time units', () => {
  // "EQL syntax reference", Time units: ms, s, m, h, d (Elasticsearch's LogicalPlanBuilder accepts these).
  it('offers the time units right after the maxspan number, shortest first', () => {
    const items = complete('sequence by host.id with maxspan = 30|');
    assert.deepEqual(labels(items), ['ms', 's', 'm', 'h', 'd']);
    // Inserted at the cursor, after `30` (columns 35-36), at column 37: nothing is replaced.
    assert.deepEqual(edit(item(items, 's')).range, { start: { line: 0, character: 37 }, end: { line: 0, character: 37 } });
  });
  it('replaces a unit being typed after the number', () => {
    const items = complete('sequence with maxspan=5m|');
    // `m` starts at column 23.
    assert.deepEqual(edit(item(items, 'ms')).range, { start: { line: 0, character: 23 }, end: { line: 0, character: 24 } });
  });
  it('offers no unit after a number elsewhere', () => {
    assert.deepEqual(labels(complete('process where process.pid == 30|')), []);
  });
});
