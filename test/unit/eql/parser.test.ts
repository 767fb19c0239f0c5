/**
 * Parser cases. Precedence and forms follow Elasticsearch's grammar (`EqlBase.g4`: booleanExpression,
 * valueExpression, operatorExpression, predicate) and the "EQL syntax reference"; spans are worked by hand
 * (0-based UTF-16 offsets, end exclusive).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../server/src/eql/parser';
import { print } from '../../../server/src/eql/printer';
import { analyze } from '../../../server/src/eql/analyze';
import type { Expression } from '../../../server/src/eql/ast';

const cond = (q: string): Expression => {
  const r = parse(q);
  assert.ok(r.statement && r.statement.query.kind === 'event');
  return r.statement.query.filter.condition;
};
/** Fully parenthesised rendering, to assert the tree shape. */
const shape = (e: Expression): string => {
  switch (e.kind) {
    case 'logical':
    case 'comparison':
    case 'arithmetic':
      return `(${shape(e.left)} ${e.operator} ${shape(e.right)})`;
    case 'not':
      return `(not ${shape(e.operand)})`;
    case 'negate':
      return `(${e.operator}${shape(e.operand)})`;
    case 'field':
      return e.name;
    case 'literal':
      return String(e.raw);
    case 'in':
      return `(${shape(e.value)} ${e.negated ? 'not ' : ''}in (${e.list.map(shape).join(',')}))`;
    case 'match':
      return `(${shape(e.value)} ${e.operator} ${e.patterns.map(shape).join(',')})`;
    case 'call':
      return `${e.name}(${e.args.map(shape).join(',')})`;
    case 'error':
      return '<error>';
  }
};

describe('parser: precedence (EqlBase.g4 booleanExpression/operatorExpression)', () => {
  it('and binds tighter than or; not tighter than and', () => {
    assert.equal(shape(cond('x where a or b and c')), '(a or (b and c))');
    assert.equal(shape(cond('x where not a and b')), '((not a) and b)');
  });
  it('not applies to a whole comparison', () => {
    assert.equal(shape(cond('x where not a == 1')), '(not (a == 1))');
  });
  it('* / % bind tighter than + -, both left-associative; unary minus tightest', () => {
    assert.equal(shape(cond('x where a - b - c * d % e == 1')), '(((a - b) - ((c * d) % e)) == 1)');
    assert.equal(shape(cond('x where -a * b > 0')), '(((-a) * b) > 0)');
  });
  it('predicates attach to the primary next to them', () => {
    assert.equal(shape(cond('x where a + b in (1, 2)')), '(a + (b in (1,2)))');
    assert.equal(shape(cond('x where a not in (1)')), '(a not in (1))');
  });
  it('parentheses override precedence', () => {
    assert.equal(shape(cond('x where (a or b) and c')), '((a or b) and c)');
  });
});

describe('parser: queries (EQL syntax reference: Basic syntax, Sequences, Samples, Pipes)', () => {
  it('parses the issue-2 rule with no diagnostics', () => {
    const rule = `sequence by host.id with maxspan = 30s
   [network where host.os.type == "windows" and network.direction : ("incoming", "ingress") and destination.port in (5985, 5986) and
    network.protocol == "http" and source.ip != "127.0.0.1" and source.ip != "::1"]
   [process where host.os.type == "windows" and
    event.type == "start" and process.parent.name : "wsmprovhost.exe" and not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"]`;
    const r = analyze(rule);
    assert.deepEqual(r.diagnostics, []);
    const q = r.statement!.query;
    assert.equal(q.kind, 'sequence');
    if (q.kind !== 'sequence') return;
    assert.equal(q.maxspan?.millis, 30_000);
    assert.equal(q.stages.length, 2);
    assert.equal(q.stages[0].filter.category, 'network');
    // The escaped backslashes decode to single ones.
    assert.match(print(r.statement!), /"\?:\\\\Windows\\\\System32\\\\conhost\.exe"/);
  });

  it('parses sequence stages with per-stage keys, runs, missing events and until', () => {
    const q = parse('sequence by a with maxspan=1h [x where true] by b with runs=2 ![y where true] by c until [z where true] by d')
      .statement!.query;
    assert.equal(q.kind, 'sequence');
    if (q.kind !== 'sequence') return;
    assert.deepEqual(q.stages.map((s) => [s.filter.category, s.runs, s.missing]), [['x', 2, false], ['y', undefined, true]]);
    assert.equal(q.until?.filter.category, 'z');
    assert.equal(q.maxspan?.millis, 3_600_000);
  });

  it('parses sample by keys', () => {
    const q = parse('sample by host [a where true] [b where true]').statement!.query;
    assert.equal(q.kind, 'sample');
  });

  it('parses any, quoted categories, optional fields, backticks and array indexes', () => {
    const r = parse('any where ?a.`b c`[0] == 1');
    const q = r.statement!.query;
    assert.ok(q.kind === 'event' && q.filter.category === null);
    const c = cond('any where ?a.`b c`[0] == 1');
    assert.ok(c.kind === 'comparison' && c.left.kind === 'field');
    if (c.kind !== 'comparison' || c.left.kind !== 'field') return;
    assert.deepEqual(c.left.path, ['a', 'b c', 0]);
    assert.equal(c.left.optional, true);
    assert.deepEqual(c.left.span, { start: 10, end: 21 }); // `?` at 10 … `]` at 20
    assert.equal(parse('"my-cat" where true').statement!.query.kind, 'event');
  });

  it('parses pipes with their arguments', () => {
    const st = parse('x where true | head 5 | tail 2').statement!;
    assert.deepEqual(st.pipes.map((p) => [p.name, p.args.length]), [['head', 1], ['tail', 1]]);
    assert.deepEqual(st.pipes[0].nameSpan, { start: 15, end: 19 }); // `|` at 13, `head` at 15..19
  });

  it('records node spans', () => {
    // "process where process.name == \"a\"": category 0..7, field 14..26, string 30..33.
    const r = parse('process where process.name == "a"');
    const q = r.statement!.query;
    assert.ok(q.kind === 'event');
    if (q.kind !== 'event') return;
    assert.deepEqual(q.filter.categorySpan, { start: 0, end: 7 });
    assert.deepEqual(q.filter.condition.span, { start: 14, end: 33 });
    assert.deepEqual(r.statement!.span, { start: 0, end: 33 });
  });

  it('includes the parentheses of a parenthesised first or last operand in the parent span', () => {
    // x0 where2 (8 a9 +11 b13 )14 *16 c18 >20 1@22; end 23.
    const c = cond('x where (a + b) * c > 1');
    assert.ok(c.kind === 'comparison' && c.left.kind === 'arithmetic');
    if (c.kind !== 'comparison' || c.left.kind !== 'arithmetic') return;
    assert.deepEqual(c.span, { start: 8, end: 23 });
    assert.deepEqual(c.left.span, { start: 8, end: 19 });
    assert.deepEqual(c.left.left.span, { start: 9, end: 14 });
    // `-(a)` : the negation covers the closing parenthesis.
    const n = cond('x where -(a) < 1');
    assert.ok(n.kind === 'comparison');
    if (n.kind === 'comparison') assert.deepEqual(n.left.span, { start: 8, end: 12 });
  });

  it('keeps comment tokens', () => {
    const r = parse('x where /* c */ true // t');
    assert.deepEqual(r.tokens.filter((t) => t.kind.endsWith('Comment')).map((t) => t.text), ['/* c */', '// t']);
    assert.deepEqual(r.diagnostics, []);
  });
});

describe('parser: recovery on half-typed text', () => {
  it('`process where process.name == ` gives an error hole at the end', () => {
    const text = 'process where process.name == ';
    const r = parse(text);
    assert.equal(r.diagnostics.length, 1);
    // Right after the last token (`==` ends at 29), not after the whitespace that follows it.
    assert.deepEqual(r.diagnostics[0].span, { start: 29, end: 29 });
    const c = cond(text);
    assert.ok(c.kind === 'comparison' && c.right.kind === 'error');
  });

  it('`sequence by host.id [process where` keeps the sequence and its keys', () => {
    const r = parse('sequence by host.id [process where');
    const q = r.statement!.query;
    assert.ok(q.kind === 'sequence');
    if (q.kind !== 'sequence') return;
    assert.equal(q.joinKeys.length, 1);
    assert.equal(q.stages[0].filter.category, 'process');
    assert.ok(r.diagnostics.length >= 1);
  });

  it('skips a broken stage and goes on with the next one', () => {
    const r = parse('sequence [a where x == == 1] [b where true]');
    const q = r.statement!.query;
    assert.ok(q.kind === 'sequence' && q.stages.length === 2 && q.stages[1].filter.category === 'b');
  });

  it('reports a missing where', () => {
    const r = parse('process name == "x"');
    assert.match(r.diagnostics[0].message, /Expected \[where\]/);
    assert.deepEqual(r.diagnostics[0].span, { start: 8, end: 12 });
  });

  it('rejects chained comparisons (ES PR #62567, "Disallow chained comparisons")', () => {
    assert.ok(parse('x where a == b == c').diagnostics.some((d) => d.code === 'syntax'));
  });

  it('says what may follow a dangling not', () => {
    const r = parse('x where a not == 1');
    assert.equal(r.diagnostics[0].message, 'Expected [in] or [in~] after [not] but found [==]');
    assert.deepEqual(r.diagnostics[0].span, { start: 14, end: 16 });
  });

  it('returns no statement and one diagnostic for empty text', () => {
    const r = parse('  // only a comment');
    assert.equal(r.statement, undefined);
    assert.equal(r.diagnostics.length, 1);
  });
});

describe('parser: forms Elasticsearch rejects while parsing, with exact ranges', () => {
  const one = (q: string, code: string) => {
    const ds = parse(q).diagnostics.filter((d) => d.code === code);
    assert.equal(ds.length, 1, JSON.stringify(parse(q).diagnostics));
    return ds[0];
  };
  it('single = (ES PR #62756 "Remove support for = for comparisons")', () => {
    assert.deepEqual(one('x where a = 1', 'single-equals').span, { start: 10, end: 11 });
  });
  it("single quotes (ES PR #62458 \"Forbid usage of ['] for string literals\")", () => {
    const d = one("x where a == 'b'", 'single-quoted-string');
    assert.deepEqual(d.span, { start: 13, end: 16 });
    assert.equal(d.message, `Use double quotes ["] to define string literals, not single quotes [']`);
  });
  it('?"…" strings (ES PR #62539: replaced by """…""")', () => {
    assert.deepEqual(one('x where a == ?"b"', 'question-mark-string').span, { start: 13, end: 17 });
  });
  it('join', () => {
    assert.deepEqual(one('join [a where true] [b where true]', 'unsupported-join').span, { start: 0, end: 4 });
  });
  it('descendant of / child of / event of (VerifierTests: "Process relationships are not supported")', () => {
    const d = one('x where a == 1 and descendant of [y where true]', 'unsupported-relationship');
    assert.deepEqual(d.span, { start: 19, end: 47 });
    assert.equal(d.message, 'Process relationships are not supported');
    one('x where child of [y where true]', 'unsupported-relationship');
    one('x where event of [y where true]', 'unsupported-relationship');
  });
  it('a field after : (EqlBase.g4 predicate takes constants only)', () => {
    assert.deepEqual(one('x where a : b', 'constant-required').span, { start: 12, end: 13 });
  });
  it('!: (no longer a token in EqlBase.g4)', () => {
    one('x where a !: "b"', 'unsupported-not-match');
  });
  it('by after with (LogicalPlanBuilder: "Please specify sequence [by] before [with] not after")', () => {
    const d = one('sequence with maxspan=1s by a [x where true] [y where true]', 'by-after-with');
    assert.equal(d.message, 'Please specify sequence [by] before [with] not after');
  });
});
