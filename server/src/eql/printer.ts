import type { EventFilter, Expression, Pipe, Query, Stage, Statement, TimeSpan } from './ast';
import { KEYWORDS } from './token';

/**
 * Binding strength of each expression form, loosest first, as in Elasticsearch's `EqlBase.g4`:
 * `or` < `and` < `not` < comparison < `+ -` < `* / %` < unary `- +` < predicate/primary.
 */
const enum Level {
  Or = 1,
  And = 2,
  Not = 3,
  Comparison = 4,
  Additive = 5,
  Multiplicative = 6,
  Unary = 7,
  Predicate = 8,
  Primary = 9,
}

function level(e: Expression): Level {
  switch (e.kind) {
    case 'logical':
      return e.operator === 'or' ? Level.Or : Level.And;
    case 'not':
      return Level.Not;
    case 'comparison':
      return Level.Comparison;
    case 'arithmetic':
      return e.operator === '+' || e.operator === '-' ? Level.Additive : Level.Multiplicative;
    case 'negate':
      return Level.Unary;
    case 'in':
    case 'match':
      return Level.Predicate;
    default:
      return Level.Primary;
  }
}

const IDENTIFIER = /^[A-Za-z_@][A-Za-z0-9_]*$/;

/** A field-name segment: bare when it lexes as one identifier, otherwise in backticks (`` ` `` doubled). */
export function printIdentifier(name: string): string {
  return IDENTIFIER.test(name) && !KEYWORDS.has(name) ? name : '`' + name.replace(/`/g, '``') + '`';
}

/** A double-quoted string literal using Elasticsearch's escapes for `" \\ \n \r \t \b \f`. */
export function printString(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      default:
        // Any other character, control characters included, is allowed unescaped (EqlBase.g4 UNESCAPED_CHARS).
        out += ch;
    }
  }
  return out + '"';
}

/**
 * Prints an expression as canonical EQL, adding parentheses only where precedence requires them.
 * Numbers keep their written form (`raw`); strings are re-quoted with double quotes from their value.
 * An `ErrorExpression` prints as nothing (its text was not understood).
 */
export function printExpression(e: Expression): string {
  const wrap = (x: Expression, min: Level): string => (level(x) < min ? `(${printExpression(x)})` : printExpression(x));
  switch (e.kind) {
    case 'literal':
      if (e.type === 'string') return printString(String(e.value));
      if (e.type === 'null') return 'null';
      if (e.type === 'boolean') return e.value ? 'true' : 'false';
      return e.raw && !e.raw.startsWith('-') ? e.raw : String(e.value);
    case 'field':
      return (
        (e.optional ? '?' : '') +
        e.path
          .map((p, i) => (typeof p === 'number' ? `[${p}]` : (i === 0 ? '' : '.') + printIdentifier(p)))
          .join('')
      );
    case 'not':
      return `not ${wrap(e.operand, Level.Not)}`;
    case 'logical':
    case 'arithmetic':
      return printLeftAssociativeChain(e, wrap);
    case 'comparison':
      return `${wrap(e.left, Level.Additive)} ${e.operator} ${wrap(e.right, Level.Additive)}`;
    case 'negate':
      return `${e.operator}${wrap(e.operand, Level.Unary)}`;
    case 'in':
      return `${wrap(e.value, Level.Primary)} ${e.negated ? 'not ' : ''}in${e.caseInsensitive ? '~' : ''} (${e.list.map(printExpression).join(', ')})`;
    case 'match': {
      const op = e.operator === ':' ? ':' : `${e.operator}${e.caseInsensitive ? '~' : ''}`;
      const pats = e.list || e.patterns.length !== 1 ? `(${e.patterns.map(printExpression).join(', ')})` : printExpression(e.patterns[0]);
      return `${wrap(e.value, Level.Primary)} ${op} ${pats}`;
    }
    case 'call':
      return `${e.name}${e.caseInsensitive ? '~' : ''}(${e.args.map(printExpression).join(', ')})`;
    case 'error':
      return '';
  }
}

/**
 * Prints `a or b or c` (parsed left-associative: `((a or b) or c)`) by walking the left spine of
 * operators of the same binding strength in a loop, so a rule with thousands of terms does not
 * need a call per term.
 */
function printLeftAssociativeChain(
  e: Extract<Expression, { kind: 'logical' | 'arithmetic' }>,
  wrap: (x: Expression, min: Level) => string,
): string {
  const l = level(e);
  const rights: string[] = [];
  let node: Expression = e;
  while ((node.kind === 'logical' || node.kind === 'arithmetic') && level(node) === l) {
    rights.push(`${node.operator} ${wrap(node.right, (l + 1) as Level)}`);
    node = node.left;
  }
  return [wrap(node, l), ...rights.reverse()].join(' ');
}

function printFilter(f: EventFilter): string {
  const category = f.category === null ? 'any' : IDENTIFIER.test(f.category) && !KEYWORDS.has(f.category) ? f.category : printString(f.category);
  return `${category} where ${printExpression(f.condition)}`;
}

function printKeys(keys: Expression[]): string {
  return keys.length ? ` by ${keys.map(printExpression).join(', ')}` : '';
}

function printStage(s: Stage): string {
  return `${s.missing ? '![' : '['}${printFilter(s.filter)}]${printKeys(s.joinKeys)}${s.runs !== undefined ? ` with runs=${s.runs}` : ''}`;
}

function printTimeSpan(t: TimeSpan): string {
  return `${t.value}${t.unit}`;
}

function printQuery(q: Query): string {
  switch (q.kind) {
    case 'event':
      return printFilter(q.filter);
    case 'sequence': {
      let s = `sequence${printKeys(q.joinKeys)}${q.maxspan ? ` with maxspan=${printTimeSpan(q.maxspan)}` : ''}`;
      for (const st of q.stages) s += `\n  ${printStage(st)}`;
      if (q.until) s += `\nuntil ${printStage(q.until)}`;
      return s;
    }
    case 'sample': {
      let s = `sample${printKeys(q.joinKeys)}`;
      for (const st of q.stages) s += `\n  ${printStage(st)}`;
      return s;
    }
  }
}

function printPipe(p: Pipe): string {
  return `| ${p.name}${p.args.length ? ' ' + p.args.map(printExpression).join(', ') : ''}`;
}

/**
 * Prints a statement as canonical EQL: one query, stages each on their own line, pipes on their own
 * lines. Input: a `Statement` (from `parse`, or built by hand). Output: text that `parse` reads back
 * to the same tree, spans and literal `raw` text of strings aside. Never throws. Comments are not
 * kept (they are tokens, not tree nodes).
 */
export function print(statement: Statement): string {
  const pipes = statement.pipes.map(printPipe);
  return [printQuery(statement.query), ...pipes].join('\n');
}
