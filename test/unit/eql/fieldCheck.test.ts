/**
 * Unknown-field diagnostics (server/src/eql/fieldCheck.ts) over field catalogues built by hand, the
 * ECS catalogue of `@elastic/ecs`, index mappings, and a detection-rules checkout laid out as
 * elastic/detection-rules lays it out (`detection_rules/etc/non-ecs-schema.json`,
 * `detection_rules/etc/integration-schemas.json.gz`), written to a temporary folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadMapping } from '../../../server/src/engine/mapping';
import { checkFields, FieldCheckCodes, typoDistance } from '../../../server/src/eql/fieldCheck';
import { parse } from '../../../server/src/eql/parser';
import { editDistance } from '../../../server/src/eql/similar';
import { ecsFieldSource, fieldCatalog, flatFieldSource } from '../../../server/src/schema/fieldCatalog';
import { patternsOverlap, ruleDataSources } from '../../../server/src/schema/detectionRulesSchemas';
import { fieldCatalogFor } from '../../../server/src/services/fieldKnowledge';

const check = (query: string, catalog = fieldCatalogFor({}), severity?: Parameters<typeof checkFields>[2]) =>
  checkFields(parse(query).statement!, catalog, severity).map((d) => ({ code: d.code, severity: d.severity, text: query.slice(d.span.start, d.span.end), message: d.message }));

describe('editDistance (optimal string alignment)', () => {
  it('counts a swap of neighbours as one edit, as Damerau does', () => {
    assert.equal(editDistance('process.nmae', 'process.name'), 1);
    assert.equal(editDistance('proces.name', 'process.name'), 1);
    assert.equal(editDistance('process.parnt.name', 'process.parent.name'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3); // the textbook Levenshtein example
    assert.equal(editDistance('ca', 'abc'), 3); // OSA, not unrestricted Damerau (which gives 2)
    assert.equal(editDistance('abcdef', 'x', 2), 3); // stops early past `max`
  });
});

describe('unknown-field diagnostics', () => {
  it('flags the typos of the report as warnings with the intended field', () => {
    const found = check('sequence [process where process.parnt.name == "x" and proces.name == "y"] [network where destination.prot == 1 and process.nmae == "z"]');
    assert.deepEqual(
      found.map((f) => [f.code, f.severity, f.text, f.message]),
      [
        ['field-typo', 'warning', 'process.parnt.name', 'Unknown field [process.parnt.name], did you mean [process.parent.name]?'],
        ['field-typo', 'warning', 'proces.name', 'Unknown field [proces.name], did you mean [process.name]?'],
        ['field-typo', 'warning', 'destination.prot', 'Unknown field [destination.prot], did you mean [destination.port]?'],
        ['field-typo', 'warning', 'process.nmae', 'Unknown field [process.nmae], did you mean [process.name]?'],
      ],
    );
  });

  it('takes two slips in a long name for a typo, one in a short name', () => {
    assert.equal(typoDistance('process.parent.executable'), 2);
    assert.equal(typoDistance('host.ip'), 1);
    assert.deepEqual(check('process where process.parnt.executabel == "x"').map((f) => f.message), ['Unknown field [process.parnt.executabel], did you mean [process.parent.executable]?']);
    // `hots.nme` is two edits from `host.name` but the name is short: a custom field, a hint.
    assert.deepEqual(check('process where hots.nme == "x"').map((f) => f.code), ['custom-field']);
  });

  it('leaves known fields, keys under object/flattened fields, optional fields and array indexes alone', () => {
    assert.deepEqual(check('process where process.name == "x" and labels.my_label == "y" and ?proces.name == "z" and process.args[0] == "a"'), []);
    assert.deepEqual(check('file where file.pe.imports.dll_name == "x" and process.name.text : "y"'), []);
  });

  it('makes a field near nothing a hint naming the sources that were asked', () => {
    assert.deepEqual(check('process where my_company.team == "red"'), [
      { code: 'custom-field', severity: 'hint', text: 'my_company.team', message: 'Field [my_company.team] is not in ECS: a custom field?' },
    ]);
    const withSamples = fieldCatalog([flatFieldSource('samples', new Map([['a.b', 'keyword']])), ecsFieldSource()]);
    assert.deepEqual(check('process where my_company.team == "red"', withSamples).map((f) => f.message), ['Field [my_company.team] is not in the samples or ECS: a custom field?']);
  });

  it('suggests fields from the samples first when they are as near as ECS ones', () => {
    const catalog = fieldCatalog([flatFieldSource('samples', new Map([['host.nams', 'keyword']])), ecsFieldSource()]);
    assert.deepEqual(check('process where host.nam == "x"', catalog).map((f) => f.message), ['Unknown field [host.nam], did you mean any of [host.nams, host.name]?']);
  });

  it('follows the severity setting; `off` checks nothing', () => {
    assert.deepEqual(check('process where proces.name == "x"', undefined, 'error').map((f) => f.severity), ['error']);
    assert.deepEqual(check('process where proces.name == "x"', undefined, 'information').map((f) => f.severity), ['information']);
    assert.deepEqual(check('process where proces.name == "x" and zzz == 1', undefined, 'off'), []);
  });

  it('with a mapping, a field it lacks is a warning (Elasticsearch would reject it) with the nearest fields', () => {
    const mapping = loadMapping({ properties: { process: { properties: { name: { type: 'keyword' }, pid: { type: 'long' } } }, tags: { type: 'keyword' } } });
    const catalog = fieldCatalogFor({ mappings: [mapping] });
    assert.equal(catalog.authoritative, true);
    assert.deepEqual(check('process where my.field == "x" and process.name == "y"', catalog), [
      { code: 'field-not-in-schema', severity: 'warning', text: 'my.field', message: 'Field [my.field] is not in the mappings' },
    ]);
    // A flat `{ "field": "type" }` object is a mapping too.
    const flat = fieldCatalogFor({ mappings: [loadMapping('{"winlog.event_data.ObjectDN": "keyword"}')] });
    assert.deepEqual(check('any where winlog.event_data.ObjectDN == "x"', flat), []);
    assert.deepEqual(check('any where winlog.event_data.ObjectDM == "x"', flat).map((f) => f.message), ['Field [winlog.event_data.ObjectDM] is not in the mappings, did you mean [winlog.event_data.ObjectDN]?']);
  });
});

describe('detection-rules checkout schemas', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'eql-dr-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'detection_rules', 'etc'), { recursive: true });
  mkdirSync(path.join(root, 'rules', 'windows'), { recursive: true });
  writeFileSync(
    path.join(root, 'detection_rules', 'etc', 'non-ecs-schema.json'),
    JSON.stringify({ 'winlogbeat-*': { winlog: { event_data: { ObjectDN: 'keyword' } } }, 'logs-okta*': { 'okta.target.id': 'keyword' } }),
  );
  const rulePath = path.join(root, 'rules', 'windows', 'r.toml');
  const toml = (integration: string, index: string): string => `[metadata]\nintegration = ${integration}\n\n[rule]\nindex = ${index}\nlanguage = "eql"\ntype = "eql"\nquery = '''\nany where true\n'''\n`;

  it('reads a rule\'s integrations and indices', () => {
    assert.deepEqual(ruleDataSources(toml('["windows", "system"]', '["winlogbeat-*"]')), { integrations: ['windows', 'system'], indexes: ['winlogbeat-*'] });
    assert.deepEqual(ruleDataSources(toml('"aws"', '["logs-aws*"]')).integrations, ['aws']);
    assert.deepEqual(ruleDataSources('not [ toml'), { integrations: [], indexes: [] });
  });

  it('matches index patterns the way they can overlap', () => {
    assert.ok(patternsOverlap('logs-endpoint.events.*', 'logs-endpoint.events.process*'));
    assert.ok(patternsOverlap('winlogbeat-*', 'winlogbeat-*'));
    assert.ok(patternsOverlap('logs-windows.*', 'logs-windows.forwarded-default'));
    assert.ok(!patternsOverlap('winlogbeat-*', 'logs-endpoint.events.process-*'));
    assert.ok(!patternsOverlap('logs-okta*', 'logs-o365.audit-*'));
  });

  it('knows the non-ECS fields of the rule\'s indices only, and is not authoritative without integration schemas', () => {
    const win = fieldCatalogFor({ file: rulePath, tomlText: toml('["windows"]', '["winlogbeat-*"]') });
    assert.equal(win.originOf('winlog.event_data.ObjectDN'), 'detection-rules');
    assert.equal(win.originOf('okta.target.id'), undefined);
    assert.equal(win.authoritative, false);
  });

  it('with integration schemas covering the rule\'s integrations, a field they lack is a warning', () => {
    const schemas = { windows: { '1.0.0': { forwarded: { winlog: { channel: 'keyword' } } }, '2.0.0': { powershell: { 'powershell.file.script_block_text': 'text' } } } };
    writeFileSync(path.join(root, 'detection_rules', 'etc', 'integration-schemas.json.gz'), gzipSync(JSON.stringify(schemas)));
    const covered = fieldCatalogFor({ file: rulePath, tomlText: toml('["windows"]', '["winlogbeat-*"]') });
    assert.equal(covered.authoritative, true);
    assert.equal(covered.originOf('winlog.channel'), 'detection-rules');
    assert.equal(covered.originOf('powershell.file.script_block_text'), 'detection-rules');
    assert.deepEqual(check('any where winlog.logon.type == "x" and winlog.channel == "y"', covered).map((f) => [f.code, f.text]), [['field-not-in-schema', 'winlog.logon.type']]);
    // An integration the file has no schema for: the rule's data is not fully described.
    assert.equal(fieldCatalogFor({ file: rulePath, tomlText: toml('["windows", "sysmon"]', '["winlogbeat-*"]') }).authoritative, false);
  });
});
