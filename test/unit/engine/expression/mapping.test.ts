/**
 * loadMapping / inferMapping on Elasticsearch's own QA mappings (`conformance/elasticsearch/*.mapping`,
 * `mapping-default.json`) and on hand-written mappings ("Mapping", "Alias field type", "fields",
 * "Dynamic field mapping" in the Elasticsearch reference).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inferMapping, kindOfType, loadMapping, lookupField } from '../../../../server/src/engine/mapping';

const suite = join(__dirname, '../../../../../shared/conformance/elasticsearch');
const haveSuite = existsSync(suite);

describe('loadMapping on the conformance mappings', { skip: haveSuite ? false : `conformance suite not found at ${suite}` }, () => {
  it('mapping-default.json: aliases and types', () => {
    const m = loadMapping(JSON.parse(readFileSync(join(suite, 'mapping-default.json'), 'utf8')));
    assert.equal(m.aliases.get('event.category'), 'event_type');
    assert.equal(m.aliases.get('event.sequence'), 'serial_event_id');
    assert.equal(lookupField(m, 'event.category')?.type, 'keyword');
    assert.equal(lookupField(m, 'pid')?.type, 'long');
    assert.equal(lookupField(m, 'source_address')?.type, 'ip');
    assert.equal(lookupField(m, 'hostname')?.exactField, 'hostname.keyword');
    assert.equal(lookupField(m, 'hostname.keyword')?.ignoreAbove, 256);
  });
  it('endgame-140.mapping: leading # comment lines and the random keyword type placeholder', () => {
    const m = loadMapping(readFileSync(join(suite, 'endgame-140.mapping'), 'utf8'));
    assert.equal(lookupField(m, 'process_name')?.type, 'keyword');
    assert.equal(lookupField(m, 'file_name')?.exactField, 'file_name.keyword');
  });
  it('extra.mapping: null_value', () => {
    const m = loadMapping(readFileSync(join(suite, 'extra.mapping'), 'utf8'));
    assert.equal(lookupField(m, 'optional_field_default_null')?.nullValue, 'NULL');
  });
});

describe('loadMapping shapes and errors', () => {
  it('accepts { mappings: … } and GET _mapping answers', () => {
    assert.equal(lookupField(loadMapping({ mappings: { properties: { a: { type: 'long' } } } }), 'a')?.type, 'long');
    assert.equal(lookupField(loadMapping({ idx: { mappings: { properties: { a: { type: 'ip' } } } } }), 'a')?.type, 'ip');
  });
  it('follows alias chains', () => {
    const m = loadMapping({ properties: { a: { type: 'keyword' }, b: { type: 'alias', path: 'a' }, c: { type: 'alias', path: 'b' } } });
    assert.equal(m.aliases.get('c'), 'a');
  });
  it('rejects input without properties and invalid JSON text with a clear message', () => {
    assert.throws(() => loadMapping({ nope: 1, other: 2 }), /no "properties" object/);
    assert.throws(() => loadMapping('{'), /not valid JSON/);
  });
  it('keys under a flattened field are keywords ("Flattened field type")', () => {
    const m = loadMapping({ properties: { labels: { type: 'flattened' } } });
    assert.equal(lookupField(m, 'labels.env.name')?.type, 'keyword');
    assert.equal(lookupField(m, 'other'), undefined);
  });
  it('kindOfType groups types', () => {
    assert.equal(kindOfType('constant_keyword'), 'string');
    assert.equal(kindOfType('scaled_float'), 'rational');
    assert.equal(kindOfType('short'), 'integer');
  });
});

describe('inferMapping (dynamic mapping)', () => {
  it('strings become text with a keyword sub-field; numbers long or float; explicit types win', () => {
    const m = inferMapping([{ s: 'x', n: 1, f: 1.5, b: true, o: { k: 'v' }, arr: [1, 2] }], loadMapping({ properties: { s: { type: 'keyword' } } }));
    assert.equal(lookupField(m, 's')?.type, 'keyword');
    assert.equal(lookupField(m, 'n')?.type, 'long');
    assert.equal(lookupField(m, 'f')?.type, 'float');
    assert.equal(lookupField(m, 'b')?.type, 'boolean');
    assert.equal(lookupField(m, 'o.k')?.type, 'text');
    assert.equal(lookupField(m, 'o.k.keyword')?.type, 'keyword');
    assert.equal(lookupField(m, 'arr')?.type, 'long');
    assert.equal(m.closed, true);
  });
  it('ISO date strings are detected as dates (date_detection with strict_date_optional_time)', () => {
    const m = inferMapping([{ '@timestamp': '2021-05-12T10:00:00.123Z', day: '2021-05-12', code: '4688' }]);
    assert.equal(lookupField(m, '@timestamp')?.type, 'date');
    assert.equal(lookupField(m, 'day')?.type, 'date');
    assert.equal(lookupField(m, 'code')?.type, 'text');
  });
});
