/**
 * The unknown-field bar on Elastic's prebuilt rules (`../shared/detection-rules`: 120 rules of
 * elastic/detection-rules in that repository's layout, with its non-ECS schema). Those rules run in
 * production, so any warning or error on them is a false alarm — without any schema, and read as a
 * detection-rules checkout. And every single-edit typo of an ECS field they use is flagged, with
 * that field among the suggestions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse } from '../../../server/src/eql/parser';
import { forEachNode } from '../../../server/src/eql/walk';
import { checkFields, FieldCheckCodes } from '../../../server/src/eql/fieldCheck';
import { readRuleFile, type RuleSource } from '../../../server/src/samples/ruleFile';
import { ecsField } from '../../../server/src/schema/ecs';
import { findDetectionRulesRoot } from '../../../server/src/schema/detectionRulesSchemas';
import { queryDiagnostics } from '../../../server/src/services/diagnostics';
import { diagnosticsInDocument } from '../../../server/src/services/documentFeatures';
import { fieldCatalogFor } from '../../../server/src/services/fieldKnowledge';
import { ruleDocument } from '../../../server/src/services/ruleDocument';
import { quickFixes } from '../../../server/src/services/codeActions';
import { computeDiagnostics } from '../../../server/src/services/diagnostics';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'detection-rules');
const present = fs.existsSync(path.join(ROOT, 'rules'));
const skip = present ? false : 'prebuilt rules not found at ../shared/detection-rules';

function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...ruleFiles(p));
    else if (e.name.endsWith('.toml')) out.push(p);
  }
  return out.sort();
}

async function loadRules(): Promise<RuleSource[]> {
  const rules: RuleSource[] = [];
  for (const dir of ['rules', 'rules_building_block']) {
    const d = path.join(ROOT, dir);
    if (!fs.existsSync(d)) continue;
    for (const file of ruleFiles(d)) {
      const read = await readRuleFile(file);
      assert.ok(read.rule, `${file}: ${read.problem?.message}`);
      rules.push(read.rule);
    }
  }
  return rules;
}

const loud = (severity: string): boolean => severity === 'error' || severity === 'warning';

describe('prebuilt detection rules: no false alarm', { skip }, () => {
  it('finds the 120 rules and the checkout with its non-ECS schema', async () => {
    const rules = await loadRules();
    assert.equal(rules.length, 120);
    assert.equal(findDetectionRulesRoot(rules[0].path), ROOT);
  });

  it('no warning or error without any schema (ECS only)', async () => {
    const ecsOnly = fieldCatalogFor({});
    const alarms: string[] = [];
    for (const rule of await loadRules()) {
      for (const d of queryDiagnostics(rule.query, { fields: ecsOnly })) if (loud(d.severity)) alarms.push(`${rule.path}: ${d.message}`);
    }
    assert.deepEqual(alarms, []);
  });

  it('no warning or error as a detection-rules checkout, through the editor path (TOML document)', async () => {
    const alarms: string[] = [];
    let knownFromSchema = 0;
    for (const rule of await loadRules()) {
      const uri = pathToFileURL(rule.path).toString();
      const read = ruleDocument(TextDocument.create(uri, 'toml', 1, rule.fileText));
      assert.ok(read.rule, rule.path);
      const fields = fieldCatalogFor({ file: uri, tomlText: rule.fileText });
      for (const d of diagnosticsInDocument(read, { fields })) if (d.severity === 1 || d.severity === 2) alarms.push(`${rule.path}: ${d.message}`);
      const statement = parse(rule.query).statement!;
      forEachNode(statement, (n) => {
        if (n.kind === 'field' && fields.originOf(n.name) === 'detection-rules') knownFromSchema++;
      });
    }
    assert.deepEqual(alarms, []);
    // The checkout's non-ECS schema is read: e.g. `winlog.event_data.*` and `problemchild.*` fields.
    assert.ok(knownFromSchema >= 10, `fields known from the non-ECS schema: ${knownFromSchema}`);
  });

  it('a non-ECS field of the schema for the rule\'s index is a hint without the checkout and nothing within it', async () => {
    // index = ["logs-system.security*", "logs-windows.forwarded*", "winlogbeat-*"]; the schema lists it under `winlogbeat-*`.
    const rule = (await loadRules()).find((r) => r.query.includes('winlog.event_data.ObjectDN'));
    assert.ok(rule);
    const custom = (ds: ReturnType<typeof queryDiagnostics>): string[] => ds.filter((d) => d.code === FieldCheckCodes.custom).map((d) => rule.query.slice(d.span.start, d.span.end));
    assert.ok(custom(queryDiagnostics(rule.query, { fields: fieldCatalogFor({}) })).includes('winlog.event_data.ObjectDN'));
    assert.deepEqual(custom(queryDiagnostics(rule.query, { fields: fieldCatalogFor({ file: rule.path, tomlText: rule.fileText }) })), []);
  });

  it('a non-ECS field the schema lists only for other indices stays a hint (problemchild.* is listed under winlogbeat-*, the rule reads logs-endpoint.events.process-*)', async () => {
    const rule = (await loadRules()).find((r) => r.query.includes('problemchild.prediction'));
    assert.ok(rule);
    const fields = fieldCatalogFor({ file: rule.path, tomlText: rule.fileText });
    assert.equal(fields.originOf('problemchild.prediction'), undefined);
    assert.equal(fields.authoritative, false); // no integration schemas in the checkout
  });
});

/** Every single-edit variant of `name`: deleted, inserted, replaced, swapped characters. */
function singleEdits(name: string): Array<{ typo: string; edit: string }> {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz_.0123456789';
  const out: Array<{ typo: string; edit: string }> = [];
  for (let i = 0; i < name.length; i++) out.push({ typo: name.slice(0, i) + name.slice(i + 1), edit: 'deletion' });
  for (let i = 0; i + 1 < name.length; i++) {
    if (name[i] !== name[i + 1]) out.push({ typo: name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2), edit: 'swap' });
  }
  for (let i = 0; i <= name.length; i++) for (const c of alphabet) out.push({ typo: name.slice(0, i) + c + name.slice(i), edit: 'insertion' });
  for (let i = 0; i < name.length; i++) {
    for (const c of alphabet) if (c !== name[i]) out.push({ typo: name.slice(0, i) + c + name.slice(i + 1), edit: 'replacement' });
  }
  return out;
}

/** A typo EQL reads as one plain field name (no empty segment, no leading digit, no keyword). */
function readsAsField(typo: string): boolean {
  if (!/^[A-Za-z_@][A-Za-z0-9_@]*(\.[A-Za-z_@][A-Za-z0-9_@]*)*$/.test(typo)) return false;
  const statement = parse(`any where ${typo} == 1`).statement;
  const cond = statement?.query.kind === 'event' ? statement.query.filter.condition : undefined;
  return cond?.kind === 'comparison' && cond.left.kind === 'field' && cond.left.name === typo;
}

describe('prebuilt detection rules: every single-edit typo of their ECS fields', { skip }, () => {
  it('is flagged as a likely typo with the intended field suggested', async () => {
    const used = new Set<string>();
    for (const rule of await loadRules()) {
      forEachNode(parse(rule.query).statement!, (n) => {
        if (n.kind === 'field' && !n.optional && ecsField(n.name) && !ecsField(n.name)?.multiFieldOf) used.add(n.name);
      });
    }
    assert.ok(used.size >= 70, `ECS fields used: ${used.size}`);
    const catalog = fieldCatalogFor({});
    let typos = 0;
    let first = 0;
    let known = 0;
    const missed: string[] = [];
    const seen = new Set<string>();
    for (const field of [...used].sort()) {
      for (const { typo, edit } of singleEdits(field)) {
        if (seen.has(`${field}>${typo}`)) continue;
        seen.add(`${field}>${typo}`);
        if (catalog.originOf(typo) !== undefined) {
          known++; // another known field (`host.id` → `host.ip`) or a key under an object field: not a typo
          continue;
        }
        const statement = parse(`any where ${typo} == 1`).statement;
        const cond = statement?.query.kind === 'event' ? statement.query.filter.condition : undefined;
        if (cond?.kind !== 'comparison' || cond.left.kind !== 'field' || cond.left.name !== typo) continue; // not one field name (`process..name`, a keyword)
        typos++;
        const flagged = checkFields(statement!, catalog).find((d) => d.code === FieldCheckCodes.typo && d.severity === 'warning');
        const suggestions = /did you mean (?:any of )?\[([^\]]+)\]\?$/.exec(flagged?.message ?? '')?.[1].split(', ') ?? [];
        if (!suggestions.includes(field)) missed.push(`${edit}: ${typo} (for ${field}) → ${flagged?.message}`);
        else if (suggestions[0] === field) first++;
      }
    }
    assert.deepEqual(missed.slice(0, 20), []);
    assert.ok(typos > 100_000, `typos generated: ${typos}`);
    // Figures for the record (the intended field is first unless another known field is as near).
    console.log(`${used.size} ECS fields, ${typos} single-edit typos: all flagged; intended field first in ${first} (${((100 * first) / typos).toFixed(1)}%); ${known} edits gave another known name`);
  });

  it('through the diagnostics and the quick fix, for each kind of edit', () => {
    const catalog = fieldCatalogFor({});
    const cases: Array<[string, string]> = [
      ['process.parnt.name', 'process.parent.name'],
      ['proces.name', 'process.name'],
      ['process.nmae', 'process.name'],
      ['destination.prot', 'destination.port'],
      ['process.executablex', 'process.executable'],
      ['file.pabh', 'file.path'],
    ];
    for (const [typo, field] of cases) {
      assert.ok(readsAsField(typo));
      const text = `process where ${typo} == "x"`;
      const doc = TextDocument.create('file:///t.eql', 'eql', 1, text);
      const diagnostics = computeDiagnostics(doc, { fields: catalog });
      const d = diagnostics.find((x) => x.code === FieldCheckCodes.typo);
      assert.ok(d, `${typo}: ${JSON.stringify(diagnostics)}`);
      assert.equal(d.severity, 2);
      assert.equal(doc.getText(d.range), typo);
      const fix = quickFixes(doc, [d]).find((a) => a.title === `Change to ${field}`);
      assert.ok(fix, `${typo}: fixes ${JSON.stringify(quickFixes(doc, [d]).map((a) => a.title))}`);
      assert.equal(TextDocument.applyEdits(doc, fix.edit!.changes![doc.uri]), `process where ${field} == "x"`);
    }
  });
});
