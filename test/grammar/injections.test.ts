/**
 * EQL highlighting inside other documents: the `query = '''…'''` / `"""…"""` key of Elastic
 * detection-rules TOML files (grammar injected into `source.toml`) and fenced ```eql blocks in
 * Markdown (injected into `text.html.markdown`).
 *
 * The host grammars are the minimal stand-ins in `fixtures/`; each has its own multi-line string or
 * fenced-code rule matching at the same position, so these tests also show that the injections win
 * (`L:` priority) instead of relying on the host grammar's scopes. The injection wiring itself
 * (`injectTo`) is read from package.json.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expectScope, ROOT, tokenize } from './tokenize';

const EMBEDDED = 'meta.embedded.block.eql';
const IN_TOML = `meta.query.eql.toml ${EMBEDDED}`;
const IN_MD = `markup.fenced_code.block.markdown ${EMBEDDED}`;

/** A detection rule file in the layout of the elastic/detection-rules repository. */
const RULE_TOML = [
  '[metadata]',
  'creation_date = "2020/11/24"',
  '',
  '[rule]',
  'description = """',
  'Identifies remote execution via Windows PowerShell remoting.',
  '"""',
  'language = "eql"',
  'query = \'\'\'',
  'sequence by host.id with maxspan = 30s',
  '   [network where host.os.type == "windows" and destination.port in (5985, 5986)]',
  '   [process where process.parent.name : "wsmprovhost.exe" and not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"]',
  "'''",
  "note = '''",
  'sequence where this is prose',
  "'''",
].join('\n');

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle));

/**
 * Tokenizes a TOML file and checks that exactly the lines inside its multi-line `query = '''…'''`
 * values (found from the TOML text itself) carry the embedded EQL scope, with no invalid token.
 * Returns how many query lines there were.
 */
async function checkQueryLines(file: string): Promise<number> {
  const text = readFileSync(file, 'utf8');
  const t = await tokenize('source.toml', text);
  const lines = text.split(/\r?\n/);
  const queryLines = new Set<number>();
  let inQuery = false;
  lines.forEach((l, i) => {
    if (inQuery) {
      if (l.includes("'''")) inQuery = false;
      else queryLines.add(i);
    } else if (/^\s*query\s*=\s*'''/.test(l)) {
      inQuery = !l.slice(l.indexOf("'''") + 3).includes("'''");
    }
  });
  for (const x of t) {
    if (x.text.trim() === '') continue;
    const where = `${path.basename(file)}:${x.line + 1} ${JSON.stringify(x.text)}`;
    assert.equal(x.scopes.includes(EMBEDDED), queryLines.has(x.line), where);
    if (queryLines.has(x.line)) assert.ok(!x.scopes.some((s) => s.startsWith('invalid.')), `${where} is valid EQL`);
  }
  return queryLines.size;
}

describe('TOML injection (detection-rules `query`)', () => {
  it('highlights the query of a rule file as EQL and leaves other keys to TOML', async () => {
    const t = await tokenize('source.toml', RULE_TOML);
    const q = lineOf(RULE_TOML, "query = '''");
    expectScope(t, 'query', 'meta.query.eql.toml support.type.property-name.toml', { line: q }, 'source.toml');
    expectScope(t, '=', 'meta.query.eql.toml punctuation.separator.key-value.toml', { line: q }, 'source.toml');
    expectScope(
      t,
      "'''",
      'meta.query.eql.toml string.quoted.triple.literal.block.toml punctuation.definition.string.begin.toml',
      { line: q },
      'source.toml',
    );
    expectScope(t, 'sequence', `${IN_TOML} keyword.control.eql`, { line: q + 1 }, 'source.toml');
    expectScope(t, '30', `${IN_TOML} constant.numeric.integer.eql`, { line: q + 1 }, 'source.toml');
    expectScope(t, 's', `${IN_TOML} keyword.other.unit.eql`, { line: q + 1, after: '30' }, 'source.toml');
    expectScope(t, 'network', `${IN_TOML} entity.name.type.event-category.eql`, { line: q + 2 }, 'source.toml');
    expectScope(t, 'destination.port', `${IN_TOML} variable.other.field.eql`, { line: q + 2 }, 'source.toml');
    expectScope(t, 'in', `${IN_TOML} keyword.operator.eql`, { line: q + 2, after: 'destination.port ' }, 'source.toml');
    // TOML '''literal''' strings have no escapes, so the EQL text is exactly what is written.
    expectScope(t, '\\\\', `${IN_TOML} string.quoted.double.eql constant.character.escape.eql`, { line: q + 3 }, 'source.toml');
    expectScope(t, ']', `${IN_TOML} punctuation.section.stage.end.eql`, { line: q + 3 }, 'source.toml');
    expectScope(
      t,
      "'''",
      'meta.query.eql.toml string.quoted.triple.literal.block.toml punctuation.definition.string.end.toml',
      { line: q + 4 },
      'source.toml',
    );
    // Other keys keep the host grammar's scopes.
    expectScope(t, 'language', 'variable.other.key.toml', {}, 'source.toml');
    const note = lineOf(RULE_TOML, 'this is prose');
    expectScope(t, 'sequence where this is prose', 'string.quoted.triple.literal.block.toml', { line: note }, 'source.toml');
    const description = lineOf(RULE_TOML, 'Identifies remote');
    assert.ok(
      t.filter((x) => x.line === description).every((x) => !x.scopes.includes(EMBEDDED)),
      'the description is not EQL',
    );
  });

  it('an unclosed EQL comment or bracket ends with the TOML string', async () => {
    const text = ["query = '''", 'process where true /* never closed', '  [', "'''", 'name = "x"'].join('\n');
    const t = await tokenize('source.toml', text);
    expectScope(t, ' never closed', `${IN_TOML} comment.block.eql`, { line: 1 }, 'source.toml');
    expectScope(
      t,
      "'''",
      'meta.query.eql.toml string.quoted.triple.literal.block.toml punctuation.definition.string.end.toml',
      { line: 3 },
      'source.toml',
    );
    expectScope(t, 'name', 'variable.other.key.toml', { line: 4 }, 'source.toml');
  });

  it('one-line queries, text after the opening delimiter, and """basic""" strings', async () => {
    const text = [
      "query = '''process where true'''",
      "query = '''any where x == 1",
      "  and y == 2'''",
      'query = """',
      'file where file.name : "a"',
      '"""',
      'other = 1',
    ].join('\n');
    const t = await tokenize('source.toml', text);
    expectScope(t, 'process', `${IN_TOML} entity.name.type.event-category.eql`, { line: 0 }, 'source.toml');
    expectScope(t, 'true', `${IN_TOML} constant.language.eql`, { line: 0 }, 'source.toml');
    expectScope(t, "'''", 'meta.query.eql.toml string.quoted.triple.literal.block.toml punctuation.definition.string.end.toml', { line: 0, nth: 1 }, 'source.toml');
    expectScope(t, 'any', `${IN_TOML} keyword.control.eql`, { line: 1 }, 'source.toml');
    expectScope(t, 'and', `${IN_TOML} keyword.operator.logical.eql`, { line: 2 }, 'source.toml');
    expectScope(t, "'''", 'meta.query.eql.toml string.quoted.triple.literal.block.toml punctuation.definition.string.end.toml', { line: 2 }, 'source.toml');
    expectScope(t, '"""', 'meta.query.eql.toml string.quoted.triple.basic.block.toml punctuation.definition.string.begin.toml', { line: 3 }, 'source.toml');
    expectScope(t, 'file', `${IN_TOML} entity.name.type.event-category.eql`, { line: 4 }, 'source.toml');
    expectScope(t, 'a', `${IN_TOML} string.quoted.double.eql`, { line: 4, after: ': "' }, 'source.toml');
    expectScope(t, '"""', 'meta.query.eql.toml string.quoted.triple.basic.block.toml punctuation.definition.string.end.toml', { line: 5 }, 'source.toml');
    expectScope(t, 'other', 'variable.other.key.toml', { line: 6 }, 'source.toml');
  });

  const SAMPLE_SPEC = path.join(ROOT, '..', 'shared', 'conformance', 'elasticsearch', 'test_sample.toml');
  it('every query of an Elasticsearch QA spec file is EQL, and nothing else is', { skip: existsSync(SAMPLE_SPEC) ? false : `${SAMPLE_SPEC} not present` }, async () => {
    assert.ok((await checkQueryLines(SAMPLE_SPEC)) > 20, 'the spec has multi-line queries');
  });

  it('the sample detection rules in TOML are highlighted as EQL exactly in their query', async () => {
    const dir = path.join(ROOT, 'samples', 'rules');
    // Rule test files and exception files beside the rules are TOML but not rules.
    const files = readdirSync(dir).filter((f) => f.endsWith('.toml') && !/\.(test|exceptions)\.toml$/.test(f));
    assert.ok(files.length > 0, 'samples/rules holds TOML rules');
    for (const f of files) assert.ok((await checkQueryLines(path.join(dir, f))) > 0, `${f} has a query`);
  });
});

describe('Markdown injection (```eql fences)', () => {
  const MD = [
    '# Rule',
    '',
    '```eql',
    'process where process.name == "cmd.exe" /* unclosed',
    '```',
    '',
    '```sql',
    'select * from t where x',
    '```',
    '',
    '~~~EQL',
    'any where true',
    '~~~',
    '',
    '- item',
    '',
    '  ```eql title="indented"',
    '  sequence [a where true] [b where true]',
    '  ```',
    'after',
  ].join('\n');

  it('highlights ```eql and ~~~EQL fences as EQL, other fences stay plain', async () => {
    const t = await tokenize('text.html.markdown', MD);
    const root = 'text.html.markdown';
    expectScope(t, '```', 'markup.fenced_code.block.markdown punctuation.definition.markdown', { line: 2 }, root);
    expectScope(t, 'eql', 'markup.fenced_code.block.markdown fenced_code.block.language.markdown', { line: 2 }, root);
    expectScope(t, 'process', `${IN_MD} entity.name.type.event-category.eql`, { line: 3 }, root);
    expectScope(t, 'process.name', `${IN_MD} variable.other.field.eql`, { line: 3 }, root);
    expectScope(t, 'cmd.exe', `${IN_MD} string.quoted.double.eql`, { line: 3 }, root);
    expectScope(t, ' unclosed', `${IN_MD} comment.block.eql`, { line: 3 }, root);
    // The fence closes even though the EQL comment did not.
    expectScope(t, '```', 'markup.fenced_code.block.markdown punctuation.definition.markdown', { line: 4 }, root);
    // A fence of another language is left to the host grammar.
    expectScope(t, 'select * from t where x', 'markup.fenced_code.block.markdown markup.raw.block.markdown', { line: 7 }, root);
    expectScope(t, 'any', `${IN_MD} keyword.control.eql`, { line: 11 }, root);
    expectScope(t, 'sequence', `${IN_MD} keyword.control.eql`, { line: 17 }, root);
    expectScope(t, 'b', `${IN_MD} entity.name.type.event-category.eql`, { line: 17, after: '] [' }, root);
    assert.deepEqual(
      t.filter((x) => x.line === 19).map((x) => x.scopes),
      [['text.html.markdown']],
      'text after the last fence is plain Markdown',
    );
  });
});
