/**
 * Printer cases: canonical text worked by hand from the grammar's precedence (EqlBase.g4), and
 * print → parse round trips over every query of Elasticsearch's QA specs in `../shared`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse } from '../../../server/src/eql/parser';
import { print, printString } from '../../../server/src/eql/printer';
import { strip } from './treeCompare';

const canon = (q: string): string => print(parse(q).statement!);

describe('printer', () => {
  it('drops redundant parentheses and keeps needed ones', () => {
    assert.equal(canon('x where (a or (b and c))'), 'x where a or b and c');
    assert.equal(canon('x where (a or b) and c'), 'x where (a or b) and c');
    assert.equal(canon('x where not (a and b)'), 'x where not (a and b)');
    assert.equal(canon('x where a - (b - c) == 1'), 'x where a - (b - c) == 1');
    assert.equal(canon('x where (a - b) - c == 1'), 'x where a - b - c == 1');
    assert.equal(canon('x where -(a + 1) < 2'), 'x where -(a + 1) < 2');
    assert.equal(canon('x where (a + b) in (1, 2)'), 'x where (a + b) in (1, 2)');
  });
  it('normalises spacing, keywords and lists', () => {
    assert.equal(canon('x   where a:("a","b")and b in~(1)and c not in (2)'), 'x where a : ("a", "b") and b in~ (1) and c not in (2)');
    assert.equal(canon('x where startsWith~(a,"b")'), 'x where startsWith~(a, "b")');
  });
  it('quotes categories and field names that need it', () => {
    assert.equal(canon('"my-cat" where `a b`.c == 1 and `sequence` == 2'), '"my-cat" where `a b`.c == 1 and `sequence` == 2');
  });
  it('re-escapes strings from their value', () => {
    assert.equal(printString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
    assert.equal(canon('x where a == """C:\\x"""'), 'x where a == "C:\\\\x"');
  });
  it('prints sequences, samples and pipes one clause per line', () => {
    assert.equal(
      canon('sequence by h with maxspan=5m [a where true] by x with runs=2 ![b where true] until [c where true] | head 3'),
      'sequence by h with maxspan=5m\n  [a where true] by x with runs=2\n  ![b where true]\nuntil [c where true]\n| head 3',
    );
    assert.equal(canon('sample by h [a where true] [b where true]'), 'sample by h\n  [a where true]\n  [b where true]');
  });
});

const DIR = path.resolve(__dirname, '../../../../shared/conformance/elasticsearch');
describe('printer round trip over the conformance specs', { skip: fs.existsSync(DIR) ? false : 'shared conformance data not found at ../shared' }, () => {
  it('print(parse(q)) parses back to the same tree for every query without syntax errors', () => {
    let n = 0;
    for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith('.toml'))) {
      const text = fs.readFileSync(path.join(DIR, f), 'utf8').replace(/^(\s*join_keys\s*=)[^\]]*\]/gm, '$1 []');
      for (const q of (parseToml(text) as unknown as { queries: Array<{ query: string }> }).queries) {
        const r = parse(q.query);
        // Skip text with holes: syntax errors and relationship forms become ErrorExpressions.
        if (!r.statement || r.diagnostics.some((d) => d.code === 'syntax' || d.code === 'unsupported-relationship')) continue;
        const printed = print(r.statement);
        const back = parse(printed);
        assert.deepEqual(back.diagnostics.filter((d) => d.code === 'syntax'), [], printed);
        assert.deepEqual(strip(back.statement), strip(r.statement), `${f}: ${q.query}\n---\n${printed}`);
        n++;
      }
    }
    assert.ok(n > 400, `only ${n} queries checked`);
  });
});

describe('printer: long flat chains', () => {
  // Detection rules list thousands of alternatives (`or` chains of hashes or names); the printed
  // text of a canonical chain is the chain itself, worked out by hand from the input.
  it('prints a 20,000-term or-chain back to the same text', () => {
    const q = 'process where ' + Array.from({ length: 20000 }, (_, i) => `process.pid == ${i}`).join(' or ');
    const parsed = parse(q);
    assert.ok(parsed.statement);
    assert.equal(print(parsed.statement), q);
  });
});
