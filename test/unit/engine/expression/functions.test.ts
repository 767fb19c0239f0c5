/**
 * EQL functions. Expected values come from the "EQL function reference" page of the Elasticsearch
 * documentation (examples quoted with their field values), from the function processors in
 * `x-pack/plugin/eql/.../function/scalar/string/*FunctionProcessor.java` and `math/`, and from
 * `conformance/python-eql/test_string_functions.toml` where the python and Elasticsearch
 * implementations agree. Each group names its source.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EqlEvaluationError } from '../../../../server/src/engine/errors';
import { EQL_FUNCTIONS } from '../../../../server/src/eql/functions';
import { evaluate, holds } from './helpers';

const filePath = { file: { path: 'C:\\Windows\\System32\\cmd.exe' } };

describe('add / subtract / multiply / divide / modulo (function reference)', () => {
  it('add', () => {
    assert.equal(evaluate('add(4, 5)'), 9);
    assert.equal(evaluate('add(4, 0.5)'), 4.5);
    assert.equal(evaluate('add(0.5, 0.25)'), 0.75);
    assert.equal(evaluate('add(-2, -2)'), -4);
    assert.equal(evaluate('add(process.args_count, 5)', { process: { args_count: 4 } }), 9);
    assert.equal(evaluate('add(process.args_count, process.parent.args_count)', { process: { args_count: 4, parent: { args_count: 2 } } }), 6);
    assert.equal(evaluate('add(null, 4)'), null);
    assert.equal(evaluate('add(null, process.args_count)', { process: { args_count: 4 } }), null);
  });
  it('subtract', () => {
    assert.equal(evaluate('subtract(10, 2)'), 8);
    assert.equal(evaluate('subtract(10.5, 0.5)'), 10);
    // The page prints -8 for subtract(-2, 4); -2 - 4 is -6 (QL Sub).
    assert.equal(evaluate('subtract(-2, 4)'), -6);
    assert.equal(evaluate('subtract(process.args_count, 0.5)', { process: { args_count: 10 } }), 9.5);
    assert.equal(evaluate('subtract(2, null)'), null);
  });
  it('multiply', () => {
    assert.equal(evaluate('multiply(2, 2)'), 4);
    assert.equal(evaluate('multiply(0.25, 2)'), 0.5);
    assert.equal(evaluate('multiply(-2, -2)'), 4);
    assert.equal(evaluate('multiply(null, 2)'), null);
  });
  it('divide truncates when both are integers (the documented "rounds down" warning)', () => {
    assert.equal(evaluate('divide(4, 2)'), 2);
    assert.equal(evaluate('divide(4, 3)'), 1);
    assert.equal(evaluate('divide(4, 3.0)'), 4 / 3);
    assert.equal(evaluate('divide(4, 0.5)'), 8);
    assert.equal(evaluate('divide(0.5, 4)'), 0.125);
    assert.equal(evaluate('divide(4, -2)'), -2);
    assert.equal(evaluate('divide(12, process.args_count)', { process: { args_count: 4 } }), 3);
    assert.equal(evaluate('divide(null, 4)'), null);
    // "process where divide(4, process.args_count) == 1 … matches events with a value of 3 or 4"
    assert.equal(holds('divide(4, process.args_count) == 1', { process: { args_count: 3 } }), true);
    assert.equal(holds('divide(4.0, process.args_count) == 1', { process: { args_count: 3 } }), false);
  });
  it('divide by an integer zero fails ("This value cannot be zero"; Java ArithmeticException)', () => {
    assert.throws(() => evaluate('divide(x, 0)', { x: 4 }), EqlEvaluationError);
  });
  it('modulo keeps the dividend sign', () => {
    assert.equal(evaluate('modulo(10, 6)'), 4);
    assert.equal(evaluate('modulo(10, 5)'), 0);
    assert.equal(evaluate('modulo(10, 0.5)'), 0);
    assert.equal(evaluate('modulo(10, -6)'), 4);
    assert.equal(evaluate('modulo(-10, -6)'), -4);
    assert.equal(evaluate('modulo(106, process.args_count)', { process: { args_count: 10 } }), 6);
    assert.equal(evaluate('modulo(7, null)'), null);
  });
});

describe('between (function reference; StringUtils.between)', () => {
  it('documented examples', () => {
    assert.equal(evaluate('between(file.path, "System32\\\\", ".exe")', filePath), 'cmd');
    assert.equal(evaluate('between(file.path, "system32\\\\", ".exe")', filePath), '');
    assert.equal(evaluate('between(file.path, "workspace\\\\", ".exe")', filePath), '');
    assert.equal(evaluate('between~(file.path, "system32\\\\", ".exe")', filePath), 'cmd');
    assert.equal(evaluate('between(file.path, "\\\\", "\\\\", false)', filePath), 'Windows');
    assert.equal(evaluate('between(file.path, "\\\\", "\\\\", true)', filePath), 'Windows\\System32');
    assert.equal(evaluate('between("", "System32\\\\", ".exe")'), '');
    assert.equal(evaluate('between("", "", "")'), '');
    assert.equal(evaluate('between(null, "System32\\\\", ".exe")'), null);
  });
  it('python-eql cases that Elasticsearch shares (test_string_functions.toml [between])', () => {
    assert.equal(evaluate('between("welcome to the planet", "welcome", "planet")'), ' to the ');
    assert.equal(evaluate('between("welcome to the planet", "welcome", "e", false)'), ' to th');
    assert.equal(evaluate('between("welcome to the planet", "welcome", "e", true)'), ' to the plan');
  });
  it('an empty left or right returns the source (StringUtils.between `hasLength` check)', () => {
    assert.equal(evaluate('between("welcome to the planet", "", "planet", false)'), 'welcome to the planet');
  });
});

describe('cidrMatch (function reference)', () => {
  const doc = { source: { address: '192.168.152.12' } };
  it('documented examples', () => {
    assert.equal(evaluate('cidrMatch(source.address, "192.168.0.0/16")', doc), true);
    assert.equal(evaluate('cidrMatch(source.address, "192.168.0.0/16", "10.0.0.0/8")', doc), true);
    assert.equal(evaluate('cidrMatch(source.address, "10.0.0.0/8")', doc), false);
    assert.equal(evaluate('cidrMatch(source.address, "10.0.0.0/8", "10.128.0.0/9")', doc), false);
    assert.equal(evaluate('cidrMatch(null, "10.0.0.0/8")'), null);
    assert.equal(evaluate('cidrMatch(source.address, null)', doc), null);
  });
  it('IPv6 blocks', () => {
    assert.equal(evaluate('cidrMatch("2001:db8::1", "2001:db8::/32")'), true);
    assert.equal(evaluate('cidrMatch("2001:db9::1", "2001:db8::/32")'), false);
  });
  it('as a filter on a field it holds for any value in a block', () => {
    assert.equal(holds('cidrMatch(source.address, "10.0.0.0/8")', { source: { address: ['192.168.0.1', '10.1.2.3'] } }), true);
  });
});

describe('concat (function reference)', () => {
  it('documented examples', () => {
    assert.equal(evaluate('concat("process is ", "regsvr32.exe")'), 'process is regsvr32.exe');
    assert.equal(evaluate('concat("regsvr32.exe", " ", 42)'), 'regsvr32.exe 42');
    assert.equal(evaluate('concat("regsvr32.exe", " ", 42.5)'), 'regsvr32.exe 42.5');
    assert.equal(evaluate('concat("regsvr32.exe", " ", true)'), 'regsvr32.exe true');
    assert.equal(evaluate('concat(process.name, " ", process.arg_count)', { process: { name: 'regsvr32.exe', arg_count: 4 } }), 'regsvr32.exe 4');
    assert.equal(evaluate('concat(null, "regsvr32.exe")'), null);
    assert.equal(evaluate('concat(null)'), null);
  });
  it('decimals print as Java does (Double.toString)', () => {
    assert.equal(evaluate('concat("", 2.0)'), '2.0');
  });
});

describe('endsWith / startsWith / stringContains (function reference)', () => {
  it('endsWith', () => {
    assert.equal(evaluate('endsWith("regsvr32.exe", ".exe")'), true);
    assert.equal(evaluate('endsWith("regsvr32.exe", ".EXE")'), false);
    assert.equal(evaluate('endsWith("", "")'), true);
    assert.equal(evaluate('endsWith~("regsvr32.exe", ".EXE")'), true);
    assert.equal(evaluate('endsWith("regsvr32.exe", file.extension)', { file: { extension: '.exe' } }), true);
    assert.equal(evaluate('endsWith("regsvr32.exe", null)'), null);
    assert.equal(evaluate('endsWith(null, null)'), null);
  });
  it('startsWith', () => {
    assert.equal(evaluate('startsWith("regsvr32.exe", "regsvr32")'), true);
    assert.equal(evaluate('startsWith("regsvr32.exe", "Regsvr32")'), false);
    assert.equal(evaluate('startsWith("", "")'), true);
    assert.equal(evaluate('startsWith~("regsvr32.exe", "Regsvr32")'), true);
    assert.equal(evaluate('startsWith("regsvr32.exe", process.name)', { process: { name: 'regsvr32' } }), true);
    assert.equal(evaluate('startsWith("", null)'), null);
    assert.equal(evaluate('startsWith(null, "regsvr32")'), null);
  });
  it('stringContains', () => {
    const doc = { process: { command_line: 'start regsvr32.exe', name: 'regsvr32.exe' } };
    assert.equal(evaluate('stringContains(process.command_line, "regsvr32")', doc), true);
    assert.equal(evaluate('stringContains(process.command_line, "Regsvr32")', doc), false);
    assert.equal(evaluate('stringContains(process.command_line, "start ")', doc), true);
    assert.equal(evaluate('stringContains~(process.command_line, "Regsvr32")', doc), true);
    assert.equal(evaluate('stringContains(process.command_line, process.name)', doc), true);
    assert.equal(evaluate('stringContains("", "")'), false);
    assert.equal(evaluate('stringContains(process.command_line, "")', doc), false);
    assert.equal(evaluate('stringContains(null, "regsvr32")'), null);
    assert.equal(evaluate('stringContains(process.command_line, null)', doc), null);
  });
  it('on a field with a constant, endsWith/stringContains run as Lucene wildcard queries (QueryTranslator)', () => {
    // `*` inside the constant keeps its wildcard meaning in the `*s*` query.
    assert.equal(holds('stringContains(process.name, "g*2")', { process: { name: 'regsvr32.exe' } }), true);
    assert.equal(holds('stringContains(process.name, "x")', { process: { name: ['a', 'box'] } }), true);
  });
});

describe('indexOf (function reference; IndexOfFunctionProcessor)', () => {
  const doc = { url: { domain: 'subdomain.example.com' } };
  it('documented examples', () => {
    assert.equal(evaluate('indexOf(url.domain, "d")', doc), 3);
    assert.equal(evaluate('indexOf(url.domain, "D")', doc), null);
    assert.equal(evaluate('indexOf(url.domain, ".")', doc), 9);
    assert.equal(evaluate('indexOf(url.domain, ".", 9)', doc), 9);
    assert.equal(evaluate('indexOf(url.domain, ".", 10)', doc), 17);
    assert.equal(evaluate('indexOf(url.domain, ".", -6)', doc), 9);
    assert.equal(evaluate('indexOf~(url.domain, "D")', doc), 3);
    assert.equal(evaluate('indexOf("", "")'), 0);
    assert.equal(evaluate('indexOf(url.domain, "")', doc), 0);
    assert.equal(evaluate('indexOf(url.domain, "", 9)', doc), 9);
    assert.equal(evaluate('indexOf(url.domain, "", 10)', doc), 10);
    assert.equal(evaluate('indexOf(url.domain, "", -6)', doc), 0);
    assert.equal(evaluate('indexOf(url.domain, "z")', doc), null);
    assert.equal(evaluate('indexOf(url.domain, ".", 30)', doc), null);
    assert.equal(evaluate('indexOf(null, ".", 9)'), null);
    assert.equal(evaluate('indexOf(url.domain, null, 9)', doc), null);
  });
  it('a null start position counts as 0 (IndexOfFunctionProcessor; python-eql `indexOf("foobarbaz", "o", null)` = 1)', () => {
    // The reference page lists `indexOf(url.domain, ".", null)` as null, but a missing start is
    // passed to the processor as the same null, which reads it as 0; the processor is followed.
    assert.equal(evaluate('indexOf("foobarbaz", "o", null)'), 1);
  });
});

describe('length (function reference)', () => {
  it('documented examples', () => {
    assert.equal(evaluate('length("explorer.exe")'), 12);
    assert.equal(evaluate('length("start explorer.exe")'), 18);
    assert.equal(evaluate('length("")'), 0);
    assert.equal(evaluate('length(null)'), null);
    assert.equal(evaluate('length(process.name)', { process: { name: 'regsvr32.exe' } }), 12);
  });
});

describe('number (function reference; ToNumberFunctionProcessor)', () => {
  it('documented examples', () => {
    assert.equal(evaluate('number("1337")'), 1337);
    assert.equal(evaluate('number("42.5")'), 42.5);
    assert.equal(evaluate('number("deadbeef", 16)'), 3735928559);
    assert.equal(evaluate('number("0xdeadbeef")'), 3735928559);
    assert.equal(evaluate('number("0xdeadbeef", 16)'), 3735928559);
    assert.equal(evaluate('number("+1337")'), 1337);
    assert.equal(evaluate('number("-1337")'), -1337);
    assert.equal(evaluate('number("  1337  ")'), 1337);
    assert.equal(evaluate('number(process.pid)', { process: { pid: '1337' } }), 1337);
    assert.equal(evaluate('number(null)'), null);
    assert.equal(evaluate('number(null, 16)'), null);
    assert.equal(evaluate('number("0xdeadbeef", null)'), 3735928559);
    assert.equal(evaluate('number("1337", null)'), 1337);
  });
  it('python-eql cases (test_string_functions.toml [number])', () => {
    assert.equal(evaluate('number("052403", 8)'), 21763);
    assert.equal(evaluate('number("52403", 7)'), 12890);
    assert.equal(evaluate('number("-3.14", 10)'), -3.14);
  });
  it('the result keeps its Java type: Long for integers, Double otherwise (Long.valueOf, then Double.valueOf)', () => {
    assert.equal(evaluate('string(number("5"))'), '5');
    assert.equal(evaluate('string(number("5.0"))'), '5.0');
    assert.equal(evaluate('string(number("1e3"))'), '1000.0');
    assert.equal(evaluate('number("7") / 2'), 3);
    assert.equal(evaluate('number("7.0") / 2'), 3.5);
  });
  it('text that is not a number fails ("Unable to convert [x] to number of base [10]")', () => {
    assert.throws(() => evaluate('number(x)', { x: 'abc' }), /Unable to convert \[abc\] to number of base \[10\]/);
    assert.throws(() => evaluate('number(x, 2)', { x: '102' }), EqlEvaluationError);
  });
  it('conformance: number(string(serial_event_id), null) : 17 (additional_test_queries.toml)', () => {
    assert.equal(holds('number(string(serial_event_id), null) : 17', { serial_event_id: 17 }), true);
  });
});

describe('string (function reference)', () => {
  it('documented examples', () => {
    assert.equal(evaluate('string(42)'), '42');
    assert.equal(evaluate('string(42.5)'), '42.5');
    assert.equal(evaluate('string("regsvr32.exe")'), 'regsvr32.exe');
    assert.equal(evaluate('string(true)'), 'true');
    assert.equal(evaluate('string(null)'), null);
  });
  it('a decimal keeps its Java form: string(2.0) is "2.0"', () => {
    assert.equal(evaluate('string(2.0)'), '2.0');
    assert.equal(evaluate('string(1e20)'), '1.0E20');
  });
});

describe('substring (function reference; StringUtils.substringSlice)', () => {
  it('documented examples', () => {
    assert.equal(evaluate('substring("start regsvr32.exe", 6)'), 'regsvr32.exe');
    assert.equal(evaluate('substring("start regsvr32.exe", 0, 5)'), 'start');
    assert.equal(evaluate('substring("start regsvr32.exe", 6, 14)'), 'regsvr32');
    assert.equal(evaluate('substring("start regsvr32.exe", -4)'), '.exe');
    assert.equal(evaluate('substring("start regsvr32.exe", -4, -1)'), '.ex');
  });
  it('start beyond end or length gives ""; null source null; null start the source (processor)', () => {
    assert.equal(evaluate('substring("hello", 4, 2)'), '');
    assert.equal(evaluate('substring("hello", 10)'), '');
    assert.equal(evaluate('substring("hello", -10, 2)'), 'he');
    assert.equal(evaluate('substring(null, 5)'), null);
    assert.equal(evaluate('substring("hello world", null, null)'), 'hello world');
  });
});

describe('integral overflow (QL Arithmetics: Math.addExact / multiplyExact)', () => {
  it('two integer literals overflow at 32 bits; a long field widens to 64 bits', () => {
    assert.throws(() => evaluate('2147483647 + 1'), /integer overflow/);
    assert.throws(() => evaluate('multiply(65536, 65536)'), /integer overflow/);
    // Numeric doc values are Java Longs (ScriptDocValues.Longs), so the sum is a long.
    assert.equal(evaluate('x + 1', { x: 2147483647 }), 2147483648);
    assert.equal(evaluate('2147483648 + 1'), 2147483649);
  });

  it('+ and - on longs fail beyond 64 bits like *, with Java\'s "long overflow" (Math.addExact, subtractExact)', () => {
    assert.throws(() => evaluate('x * 9223372036854775807', { x: 2 }), /long overflow/);
    assert.throws(() => evaluate('x + 9223372036854775807', { x: 1 }), /long overflow/);
    assert.throws(() => evaluate('5 + 9223372036854775807'), /long overflow/);
    assert.throws(() => evaluate('subtract(-9223372036854775807, 2)'), /long overflow/);
    assert.throws(() => evaluate('x - 9223372036854775807', { x: -2 }), /long overflow/);
    // Within range: Long.MAX_VALUE - 0 and -1 + Long.MAX_VALUE are no overflow, and exact.
    assert.equal(evaluate('9223372036854775807 - 0'), 9223372036854775807n);
    assert.equal(evaluate('x + 9223372036854775807', { x: -1 }), 9223372036854775806n);
  });
});

describe('every catalogued function has an implementation, with the catalogue\'s arity (eql/functions.ts)', () => {
  // The arity bounds are the documented signatures ("EQL function reference"), kept once in the catalogue.
  it('one argument too many is refused as a wrong number of arguments, not as an unknown function', () => {
    for (const f of EQL_FUNCTIONS) {
      const count = Number.isFinite(f.maxArgs) ? f.maxArgs + 1 : f.minArgs - 1;
      if (count < 0) continue;
      const call = `${f.name}(${Array.from({ length: count }, (_, i) => `f${i}`).join(', ')})`;
      assert.throws(() => evaluate(call), new RegExp(`^EqlCompileError: wrong number of arguments for \\[${f.name}\\]: ${count}$`), call);
    }
  });
});
