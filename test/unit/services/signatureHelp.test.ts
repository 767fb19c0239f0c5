/**
 * Signature help (services/signatureHelp.ts) on cursor-marked inputs (`|` = cursor, see cursor.ts).
 *
 * Signatures follow Elasticsearch's "EQL function reference": `startsWith(<source>, <substring>)`,
 * `indexOf(<source>, <substring>[, <start_pos>])` (the last one optional, shown with `?`),
 * `between(<source>, <left>, <right>[, <greedy_matching>])`, `concat(<value>[, <value>])` (any number
 * of values). Active parameters are worked out by hand by counting the commas of the call before the cursor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SignatureHelp } from 'vscode-languageserver';
import { computeSignatureHelp } from '../../../server/src/services/signatureHelp';
import { cursor } from './cursor';

function help(input: string): SignatureHelp | null {
  const { text, offset } = cursor(input);
  return computeSignatureHelp(text, offset);
}

/** The active parameter's index. */
function activeIndex(input: string): number | undefined {
  const h = help(input);
  assert.ok(h, `no signature help for ${input}`);
  return h.activeParameter ?? undefined;
}

/** The label and the active parameter's text, e.g. `['startsWith(source, substring)', 'source']`. */
function active(input: string): [string, string] {
  const h = help(input);
  assert.ok(h, `no signature help for ${input}`);
  const sig = h.signatures[h.activeSignature ?? 0];
  const [start, end] = sig.parameters![h.activeParameter ?? 0].label as [number, number];
  return [sig.label, sig.label.slice(start, end)];
}

describe('signature help', () => {
  it('shows the signature with the first parameter active right after (', () => {
    assert.deepEqual(active('process where startsWith(|'), ['startsWith(source, substring)', 'source']);
  });

  it('moves to the next parameter after each comma of the call', () => {
    assert.deepEqual(active('process where startsWith(process.name, |'), ['startsWith(source, substring)', 'substring']);
    assert.deepEqual(active('process where between(file.path, "a", |)'), [active('process where between(|')[0], 'right']);
    assert.equal(activeIndex('process where between(file.path, "a", "b", |)'), 3); // <greedy_matching>
    assert.deepEqual(active('process where indexOf(url.domain, ".", |'), ['indexOf(source, substring, start_pos?)', 'start_pos?']);
  });

  it('ignores commas inside strings and nested calls', () => {
    assert.equal(active('process where between(a, "x,y", |')[1], 'right');
    assert.deepEqual(active('process where startsWith(concat(a, b), |'), ['startsWith(source, substring)', 'substring']);
  });

  it('shows the innermost call', () => {
    assert.deepEqual(active('process where startsWith(concat(a, |'), ['concat(value…)', 'value…']);
  });

  it('keeps the variadic parameter active for any number of arguments', () => {
    assert.deepEqual(active('process where concat(a, b, c, |'), ['concat(value…)', 'value…']);
    assert.equal(activeIndex('process where cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16", |'), 1); // <cidr_block>[, ...]
  });

  it('shows the ~ form as written, and helps while typing a string argument', () => {
    assert.deepEqual(active('process where endsWith~(process.name, ".ex|'), ['endsWith~(source, substring)', 'substring']);
  });

  it('works on the second line and after the call is closed elsewhere', () => {
    assert.deepEqual(active('sequence\n  [process where length(|)]\n  [file where true]'), ['length(source)', 'source']);
  });

  it('returns null outside calls, in in-lists, after a call is closed, in comments and for unknown functions', () => {
    assert.equal(help('process where process.name == |'), null);
    assert.equal(help('process where x in (1, |'), null);
    assert.equal(help('process where length(a) > |'), null);
    assert.equal(help('process where length(a) // (|'), null);
    assert.equal(help('process where lenght(|'), null);
    assert.equal(help('[process where length(a] [file where |'), null);
  });

  it('never throws, and parameter labels always lie within the signature label', () => {
    const alphabet = fc.constantFrom(...'sequence by [process where a.b == "x" and startsWith~(y, 1)] until ![ ] | head 5 ~ : ` \' ? ! \n/*'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.nat(70), (chars, at) => {
        const text = chars.join('');
        const h = computeSignatureHelp(text, at);
        for (const sig of h?.signatures ?? []) {
          for (const p of sig.parameters ?? []) {
            const [s, e] = p.label as [number, number];
            assert.ok(0 <= s && s < e && e <= sig.label.length, JSON.stringify({ text, at, label: sig.label }));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
