/**
 * Field lookup: how Elasticsearch flattens JSON documents into fields.
 * Source: Elasticsearch reference, "Object field type" (dotted keys and nested objects index the
 * same field), "Arrays" (any value of an array is a value of the field; arrays of objects are
 * flattened), "null_value" (an explicit null is indexed as the configured value; empty arrays and
 * nulls are not indexed), "Alias field type".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileFieldGetter, getFieldValue, getFieldValues } from '../../../../server/src/engine/fields';
import { loadMapping } from '../../../../server/src/engine/mapping';

describe('getFieldValue: dotted keys, nested objects and mixes resolve alike ("Object field type")', () => {
  it('reads a nested object path', () => {
    assert.equal(getFieldValue({ host: { os: { type: 'linux' } } }, 'host.os.type'), 'linux');
  });
  it('reads a dotted key', () => {
    assert.equal(getFieldValue({ 'host.os.type': 'linux' }, 'host.os.type'), 'linux');
  });
  it('reads mixed forms: an object holding a dotted key, a dotted key holding an object', () => {
    assert.equal(getFieldValue({ host: { 'os.type': 'linux' } }, 'host.os.type'), 'linux');
    assert.equal(getFieldValue({ 'host.os': { type: 'linux' } }, 'host.os.type'), 'linux');
  });
  it('collects values given under two spellings of the same field', () => {
    // The order of values is not defined by Elasticsearch; compare as a set.
    assert.deepEqual([...getFieldValues({ 'a.b': 1, a: { b: 2 } }, 'a.b')].sort(), [1, 2]);
  });
  it('returns null for a missing field, a missing parent, a JSON null and an empty array', () => {
    assert.equal(getFieldValue({}, 'process.name'), null);
    assert.equal(getFieldValue({ process: 'x' }, 'process.name'), null);
    assert.equal(getFieldValue({ process: { name: null } }, 'process.name'), null);
    assert.equal(getFieldValue({ process: { name: [] } }, 'process.name'), null);
  });
});

describe('getFieldValue: arrays ("Arrays")', () => {
  it('returns all values of an array field', () => {
    assert.deepEqual(getFieldValue({ tags: ['a', 'b'] }, 'tags'), ['a', 'b']);
  });
  it('returns the single value of a one-element array as that value', () => {
    assert.equal(getFieldValue({ tags: ['a'] }, 'tags'), 'a');
  });
  it('flattens nested arrays and drops null elements', () => {
    assert.deepEqual(getFieldValue({ tags: ['a', ['b', null], null] }, 'tags'), ['a', 'b']);
  });
  it('reads through arrays of objects', () => {
    assert.deepEqual(getFieldValue({ hits: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { other: 1 }] }, 'hits.ip'), ['10.0.0.1', '10.0.0.2']);
  });
});

describe('getFieldValue with a mapping', () => {
  const mapping = loadMapping({
    properties: {
      event_type: { type: 'keyword' },
      event: { properties: { category: { type: 'alias', path: 'event_type' } } },
      marker: { type: 'keyword', null_value: 'NULL' },
    },
  });
  it('follows aliases (mapping-default.json aliases event.category to event_type)', () => {
    assert.equal(getFieldValue({ event_type: 'process' }, 'event.category', mapping), 'process');
  });
  it('an explicit null becomes the null_value; a missing field stays null ("null_value")', () => {
    assert.equal(getFieldValue({ marker: null }, 'marker', mapping), 'NULL');
    assert.equal(getFieldValue({}, 'marker', mapping), null);
  });
  it('a multi-field reads its parent value ("fields" mapping parameter)', () => {
    const m = loadMapping({ properties: { hostname: { type: 'text', fields: { keyword: { type: 'keyword' } } } } });
    assert.equal(getFieldValue({ hostname: 'ws01' }, 'hostname.keyword', m), 'ws01');
  });
  it('a constant_keyword field has its mapped value in every document ("Constant keyword field type")', () => {
    const m = loadMapping({ properties: { data_stream: { properties: { type: { type: 'constant_keyword', value: 'logs' } } } } });
    assert.equal(getFieldValue({}, 'data_stream.type', m), 'logs');
  });
  it('compileFieldGetter returns [] for missing fields', () => {
    assert.deepEqual(compileFieldGetter('a.b')({}), []);
    assert.deepEqual(compileFieldGetter('a')({ a: 0 }), [0]);
  });
});
