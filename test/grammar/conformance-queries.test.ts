/**
 * The grammar against every query of Elasticsearch's EQL QA specs (`../shared/conformance`):
 * these queries were written for Elasticsearch's lexer, so the grammar must give every non-blank
 * token an EQL scope and flag nothing, except the few old-dialect forms the current lexer
 * (EqlBase.g4) no longer has: `!:` (SNEQ was removed), `?"…"`/`?'…'` and `'…'` strings (kept in
 * STRING only to be rejected), and the removed `fork=` stage parameter.
 * `test_queries_supported.toml` is skipped: shared/README.md describes it as an older copy.
 * The python-eql specs use an older dialect (`=`, single quotes), so for them only "everything is
 * recognised" is checked.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { invalidTokens, ROOT, tokenizeEql, unscopedTokens, type Tok } from './tokenize';

const SHARED = path.join(ROOT, '..', 'shared', 'conformance');
const skip = existsSync(SHARED) ? false : `${SHARED} not present`;

interface SpecQuery {
  where: string;
  query: string;
}

/**
 * The `query = …` values of a spec file. Read with a regular expression rather than a TOML parser
 * because some spec files are not strict TOML (e.g. `join_keys = [null]`).
 */
function specQueries(file: string): SpecQuery[] {
  const src = readFileSync(file, 'utf8');
  const re = /^\s*query\s*=\s*(?:'''([\s\S]*?)'''|"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)')/gm;
  return [...src.matchAll(re)].map((m) => ({
    where: `${path.basename(file)}:${src.slice(0, m.index).split('\n').length}`,
    // A TOML basic string decodes like a JSON string for the escapes these files use.
    query: m[1] ?? (m[2] !== undefined ? (JSON.parse(`"${m[2]}"`) as string) : m[3]),
  }));
}

/** Invalid tokens that are one of the old-dialect forms listed above. */
function isOldDialect(t: Tok, toks: Tok[]): boolean {
  const next = toks[toks.indexOf(t) + 1];
  const prev = toks.slice(0, toks.indexOf(t)).reverse().find((x) => x.text.trim() !== '');
  if (t.text === '!') return next?.text === ':';
  if (t.text === '=') return prev?.text === 'fork';
  return /^\?["']/.test(t.text) || t.text.startsWith("'");
}

describe('grammar over the Elasticsearch QA queries', { skip }, () => {
  it('recognises every token, flagging only old-dialect forms', async () => {
    const dir = path.join(SHARED, 'elasticsearch');
    const files = readdirSync(dir).filter((f) => f.endsWith('.toml') && f !== 'test_queries_supported.toml');
    let count = 0;
    for (const f of files) {
      for (const { where, query } of specQueries(path.join(dir, f))) {
        const toks = await tokenizeEql(query);
        assert.deepEqual(unscopedTokens(toks).map((t) => t.text), [], `${where}: unrecognised text`);
        const unexpected = invalidTokens(toks).filter((t) => !isOldDialect(t, toks));
        assert.deepEqual(unexpected.map((t) => t.text), [], `${where}: flagged tokens in ${JSON.stringify(query)}`);
        count++;
      }
    }
    assert.ok(count > 400, `read ${count} queries`);
  });

  it('recognises every token of the python-eql queries', async () => {
    const dir = path.join(SHARED, 'python-eql');
    let count = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.toml'))) {
      for (const { where, query } of specQueries(path.join(dir, f))) {
        const toks = await tokenizeEql(query);
        assert.deepEqual(unscopedTokens(toks).map((t) => t.text), [], `${where}: unrecognised text`);
        count++;
      }
    }
    assert.ok(count > 100, `read ${count} queries`);
  });
});
