/**
 * Hover (services/hover.ts) on cursor-marked inputs (`|` = the character under the mouse, see cursor.ts).
 *
 * Expected texts come from outside our code: ECS names, types, descriptions and allowed-value
 * descriptions are read from the `@elastic/ecs` package (`EcsFlat`); function signatures follow
 * Elasticsearch's "EQL function reference" (`startsWith(<source>, <substring>)`); keyword hovers must
 * link to the "EQL syntax reference" / "EQL pipe reference" pages. Ranges are worked out by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EcsFlat } from '@elastic/ecs';
import type { Hover, MarkupContent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { computeHover } from '../../../server/src/services/hover';
import { cursor } from './cursor';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flatFieldSource } from '../../../server/src/schema/fieldCatalog';
import { fieldCatalogFor } from '../../../server/src/services/fieldKnowledge';

const PREBUILT = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'detection-rules');

type EcsEntry = { type: string; short: string; allowed_values?: Array<{ name: string; description: string; expected_event_types?: string[] }> };
const ecs = EcsFlat as unknown as Record<string, EcsEntry>;
const allowedValue = (field: string, name: string) => ecs[field].allowed_values!.find((v) => v.name === name)!;

function hover(input: string): Hover | null {
  const { text, offset } = cursor(input);
  return computeHover(text, offset);
}
function hoverText(input: string): string {
  const h = hover(input);
  assert.ok(h, `no hover for ${input}`);
  return (h.contents as MarkupContent).value;
}

const SYNTAX_REFERENCE = 'https://www.elastic.co/docs/reference/query-languages/eql/eql-syntax';

describe('hover: fields', () => {
  it('shows the ECS name, type and description of a field, over the whole dotted name', () => {
    const h = hover('process where process.pa|rent.name == "cmd.exe"');
    assert.ok(h);
    const text = (h.contents as MarkupContent).value;
    assert.ok(text.includes('process.parent.name'));
    assert.ok(text.includes(ecs['process.parent.name'].type));
    assert.ok(text.includes(ecs['process.parent.name'].short), text);
    // `process.parent.name` is characters 14-33.
    assert.deepEqual(h.range, { start: { line: 0, character: 14 }, end: { line: 0, character: 33 } });
  });

  it('describes the ECS field of an array element (process.args[0] is process.args)', () => {
    assert.ok(hoverText('process where process.ar|gs[0] == "x"').includes(ecs['process.args'].short));
  });

  it('says when a field is not in ECS', () => {
    const text = hoverText('process where my_org.cust|om_field == 1');
    assert.ok(text.includes('my_org.custom_field'));
    assert.match(text, /Not an ECS/);
  });

  it('says where a field ECS lacks is known from, or which known field it is a slip of, with the document\'s field catalogue', () => {
    const samples = flatFieldSource('samples', new Map([['my_org.team', 'keyword']]));
    const fields = fieldCatalogFor({ samples });
    const text = (input: string) => {
      const { text: t, offset } = cursor(input);
      return (computeHover(t, offset, undefined, fields)!.contents as MarkupContent).value;
    };
    assert.match(text('process where my_org.te|am == "x"'), /Not an ECS [\d.]+ field; known from the samples\./);
    // `proces.name`: one deletion from ECS's `process.name`, as the field-typo warning says.
    assert.match(text('process where proces.na|me == "x"'), /Not an ECS [\d.]+ field, nor a known one: a typo of `process.name`\?/);
    assert.match(text('process where my_org.cust|om_field == 1'), /Not an ECS [\d.]+ field, nor near a known one: a custom field of your data\./);
  });

  it('says that a field of a detection-rules checkout\'s non-ECS schema is known from it', { skip: fs.existsSync(PREBUILT) ? false : 'no ../shared/detection-rules' }, () => {
    // rules/windows/credential_access_adidns_wildcard.toml reads winlogbeat-*, whose non-ECS schema lists winlog.event_data.ObjectDN.
    const file = path.join(PREBUILT, 'rules', 'windows', 'credential_access_adidns_wildcard.toml');
    const fields = fieldCatalogFor({ file, tomlText: fs.readFileSync(file, 'utf8') });
    const { text, offset } = cursor('any where winlog.event_data.Obj|ectDN == "x"');
    assert.match((computeHover(text, offset, undefined, fields)!.contents as MarkupContent).value, /Not an ECS [\d.]+ field; known from the rule's detection-rules schemas\./);
  });

  it('names ECS\'s allowed values and expected values as ECS does', () => {
    assert.ok(ecs['event.type'].allowed_values);
    assert.match(hoverText('process where event.ty|pe == "start"'), /\nAllowed values: `access`/);
    assert.ok((EcsFlat as unknown as Record<string, { expected_values?: string[] }>)['host.os.type'].expected_values?.includes('windows'));
    assert.match(hoverText('process where host.os.ty|pe == "windows"'), /\nExpected values: `linux`/);
  });

  it('works on fields in join keys', () => {
    assert.ok(hoverText('sequence by ho|st.id [process where true] [process where true]').includes(ecs['host.id'].short));
  });
});

describe('hover: event categories and allowed values', () => {
  it('shows the ECS description of an event category', () => {
    const process = allowedValue('event.category', 'process');
    const text = hoverText('proc|ess where true');
    assert.ok(text.includes(process.description), text);
    for (const t of process.expected_event_types!) assert.ok(text.includes(`\`${t}\``), t);
  });

  it('says when an event category is not an ECS one', () => {
    assert.match(hoverText('sequence [myca|tegory where true] [process where true]'), /Not an ECS .*event\.category/);
    assert.match(hoverText('web_pro|xy where true'), /Not an ECS /);
  });

  it('explains any', () => {
    assert.ok(hoverText('an|y where true').includes(SYNTAX_REFERENCE));
  });

  it('shows the ECS description of an allowed value compared with its field', () => {
    assert.ok(hoverText('process where event.type == "st|art"').includes(allowedValue('event.type', 'start').description));
    assert.ok(hoverText('process where event.outcome : ("success", "fail|ure")').includes(allowedValue('event.outcome', 'failure').description));
  });
});

describe('hover: functions', () => {
  it('shows the signature and documentation of a function', () => {
    const h = hover('process where starts|With(process.name, "cmd")');
    assert.ok(h);
    const text = (h.contents as MarkupContent).value;
    assert.ok(text.includes('startsWith(source, substring)'), text);
    assert.match(text, /boolean/);
    // Function reference heading: "`startsWith` [eql-fn-startswith]".
    assert.ok(text.includes('https://www.elastic.co/docs/reference/query-languages/eql/eql-function-ref#eql-fn-startswith'), text);
    // `startsWith` is characters 14-24.
    assert.deepEqual(h.range, { start: { line: 0, character: 14 }, end: { line: 0, character: 24 } });
  });

  it('shows the ~ form as written', () => {
    assert.ok(hoverText('process where startsWi|th~(process.name, "cmd")').includes('startsWith~(source, substring)'));
  });
});

describe('hover: keywords', () => {
  // Section anchors as in the syntax reference's headings: "Sequences [eql-sequences]",
  // "`with maxspan` statement [eql-with-maxspan-keywords]", "`until` keyword [eql-until-keyword]",
  // "`with runs` statement [eql-with-runs-statement]", "`by` keyword [eql-by-keyword]", "Samples [eql-samples]".
  for (const [input, keyword, anchor] of [
    ['seq|uence [process where true] [process where true]', 'sequence', 'eql-sequences'],
    ['sequence with max|span=5m [process where true] [process where true]', 'maxspan', 'eql-with-maxspan-keywords'],
    ['sequence [process where true] [process where true] un|til [process where true]', 'until', 'eql-until-keyword'],
    ['sequence [process where true] with ru|ns=2 [file where true]', 'runs', 'eql-with-runs-statement'],
    ['sequence b|y host.id [process where true] [process where true]', 'by', 'eql-by-keyword'],
    ['sam|ple by host.id [process where true] [file where true]', 'sample', 'eql-samples'],
  ] as const) {
    it(`explains ${keyword} with a link to its section of the EQL syntax reference`, () => {
      const h = hover(input);
      assert.ok(h, keyword);
      const text = (h.contents as MarkupContent).value;
      assert.ok(text.includes(`${SYNTAX_REFERENCE}#${anchor}`), text);
      assert.ok(text.includes(keyword), text);
      const { text: query } = cursor(input);
      const at = query.indexOf(keyword);
      assert.deepEqual(h.range, { start: { line: 0, character: at }, end: { line: 0, character: at + keyword.length } });
    });
  }

  it('explains the head pipe with a link to the EQL pipe reference', () => {
    // Pipe reference heading: "`head` [eql-pipe-head]".
    assert.ok(hoverText('process where true | he|ad 5').includes('https://www.elastic.co/docs/reference/query-languages/eql/eql-pipe-ref#eql-pipe-head'));
  });
});

describe('hover: nothing to say', () => {
  it('returns null in comments, whitespace, numbers and operators', () => {
    assert.equal(hover('// process.na|me\nprocess where true'), null);
    assert.equal(hover('process where   |  true'), null);
    assert.equal(hover('process where x == 1|23'), null);
    assert.equal(hover('process where x =|= 1'), null);
  });

  it('never throws on broken text', () => {
    for (const input of ['|', '[|', 'sequence [proc|ess where', 'process where f(|', 'process where "unterminated|']) {
      assert.doesNotThrow(() => hover(input), input);
    }
  });

  it('says nothing about a field that ends just before the hovered bracket', () => {
    // "ss ss]": the field `ss` spans 3-5 and the `]` at 5 is no node of the (broken) query; a
    // hover at the end of the text explains the `]` token or nothing, never the field beside it.
    const h = computeHover('ss ss]', 6);
    if (h?.range) assert.notDeepEqual(h.range, { start: { line: 0, character: 3 }, end: { line: 0, character: 5 } });
  });

  it('never throws, and a hover always covers the hovered character', () => {
    const alphabet = fc.constantFrom(...'sequence by [process where a.b == "x" and startsWith~(y, 1)] until ![ ] | head 5 ~ : ` \' ? ! \n/*'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.nat(70), (chars, at) => {
        const text = chars.join('');
        const h = computeHover(text, at);
        if (h?.range) {
          const doc = TextDocument.create('', 'eql', 0, text);
          const [start, end] = [doc.offsetAt(h.range.start), doc.offsetAt(h.range.end)];
          assert.ok(start <= Math.min(at, text.length) && Math.min(at, text.length) <= end && start < end, JSON.stringify({ text, at, start, end }));
        }
      }),
      { numRuns: 300 },
    );
  });
});
