/**
 * Rule metadata checks of detection-rules TOML files (server/src/services/ruleMetadata.ts):
 * detection-rules' schema wants `type = "eql"` with `language = "eql"`, and a query. Lines and
 * characters are counted by hand on the inputs (0-based).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ruleMetadataDiagnostics } from '../../../server/src/services/ruleMetadata';

const check = (text: string) => ruleMetadataDiagnostics(TextDocument.create('file:///r.toml', 'toml', 1, text)).map((d) => [d.code, d.range.start.line, d.range.start.character, d.message]);

describe('rule metadata', () => {
  it('flags an eql type with another language, and the reverse', () => {
    assert.deepEqual(check('[rule]\ntype = "eql"\nlanguage = "kuery"\nquery = "process where true"\n'), [
      ['rule-type-language', 2, 0, 'An `eql` rule needs `language = "eql"`; this one says "kuery"'],
    ]);
    assert.deepEqual(check('[rule]\n  type = "query"\nlanguage = "eql"\nquery = "process where true"\n'), [
      ['rule-type-language', 1, 2, 'A rule with `language = "eql"` needs `type = "eql"`; this one says "query"'],
    ]);
  });

  it('flags an EQL rule with an empty query', () => {
    assert.deepEqual(check("[metadata]\nquery = 1\n[rule]\ntype = \"eql\"\nlanguage = \"eql\"\nquery = '''\n\n'''\n"), [['empty-query', 5, 0, 'The EQL rule has an empty query']]);
  });

  it('flags an EQL rule with an empty timestamp_override or event_category_override (Elasticsearch rejects the search)', () => {
    // EqlSearchRequest.validate(): "@timestamp field is null or empty", "event category field is null or empty".
    assert.deepEqual(check('[rule]\ntype = "eql"\nlanguage = "eql"\nquery = "process where true"\ntimestamp_override = ""\n  event_category_override = " "\ntiebreaker_field = ""\n'), [
      ['empty-field-override', 4, 0, '`timestamp_override` is empty: Elasticsearch rejects the search ("@timestamp field is null or empty"); remove the key to use the default field'],
      ['empty-field-override', 5, 2, '`event_category_override` is empty: Elasticsearch rejects the search ("event category field is null or empty"); remove the key to use the default field'],
    ]);
    assert.deepEqual(check('[rule]\ntype = "query"\nlanguage = "kuery"\nquery = "x"\ntimestamp_override = ""\n'), []);
  });

  it('leaves consistent rules, KQL rules and other TOML alone', () => {
    assert.deepEqual(check('[rule]\ntype = "eql"\nlanguage = "eql"\nquery = "process where true"\n'), []);
    assert.deepEqual(check('[rule]\ntype = "query"\nlanguage = "kuery"\nquery = ""\n'), []);
    assert.deepEqual(check('[package]\nname = "x"\n'), []);
    assert.deepEqual(check('not = [toml'), []);
  });
});
