/**
 * Messages a person can read: a bracket token is quoted in backticks (`` `]` ``, where
 * Elasticsearch's `[x]` style would read `[]]`), a missing `]` points back at the `[` it should
 * close, and an error at the end of the query sits right after the last token — not on the line
 * break, comment or TOML `'''` that follows. Offsets are counted by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../../server/src/eql/analyze';
import { quoteToken } from '../../../server/src/eql/parser';
import { diagnosticsInDocument } from '../../../server/src/services/documentFeatures';
import { ruleDocument } from '../../../server/src/services/ruleDocument';

describe('readable messages', () => {
  it('quotes bracket tokens legibly, other tokens as Elasticsearch does', () => {
    assert.equal(quoteToken(']'), '`]`');
    assert.equal(quoteToken('!['), '`![`');
    assert.equal(quoteToken('where'), '[where]');
    // `[process where true` is characters 9-27; the next `[` is at 29.
    const [d] = analyze('sequence [process where true [network where true]').diagnostics;
    assert.equal(d.message, 'Expected `]` to close the stage but found `[`');
    assert.deepEqual(d.span, { start: 29, end: 30 });
    assert.deepEqual(d.related, [{ span: { start: 9, end: 10 }, message: 'the stage opened here with `[`' }]);
  });

  it('places an error at the end of the query right after the last token', () => {
    // `process where` ends at 13; the line break and the comment after it are not the place.
    assert.deepEqual(analyze('process where\n').diagnostics.map((d) => d.span), [{ start: 13, end: 13 }]);
    assert.deepEqual(analyze('process where a ==  // later\n').diagnostics.map((d) => d.span), [{ start: 18, end: 18 }]);
  });

  it('in a TOML rule: after the last token, not on the closing `\'\'\'` line; the `[` as related information', () => {
    const text = "[rule]\nlanguage = \"eql\"\ntype = \"eql\"\nquery = '''\nsequence\n  [process where true\n  [network where\n'''\n";
    const read = ruleDocument(TextDocument.create('file:///r.toml', 'toml', 1, text));
    const diagnostics = diagnosticsInDocument(read);
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start, d.message, d.relatedInformation?.map((r) => r.location.range.start)]),
      [
        // Line 6 `  [network where`: the `[` at character 2 is where `]` was expected…
        [{ line: 6, character: 2 }, 'Expected `]` to close the stage but found `[`', [{ line: 5, character: 2 }]],
        // …and `where` ends at character 16 of line 6, before the `'''` of line 7.
        [{ line: 6, character: 16 }, 'Expected an expression after [where] but found the end of the query', undefined],
      ],
    );
  });
});
