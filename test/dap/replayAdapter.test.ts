/**
 * The replay debugger over the Debug Adapter Protocol, driven by `DebugClient`
 * (`@vscode/debugadapter-testsupport`) without VS Code.
 *
 * Expected values are worked out by hand from `samples/logs` (timestamps read from the lines) and
 * the near-miss table of `samples/README.md`. The 36 events in time order begin
 *   1 win-dc01:1 09:10:00, 2 win-dc01:2, 3 win-dc01:3, 4 web01:1 09:14:01.000,
 *   5 win-dc01:4 09:14:02.113 (network, 10.0.1.15 → 5985: stage 1), 6 web01:2, 7 web01:3 09:14:03.000,
 *   8 win-dc01:5 09:14:03.020, 9 win-dc01:6 09:14:04.520 (whoami.exe under wsmprovhost.exe: stage 2,
 *   completes match 1), …, 13 win-dc01:10, 15 win-dc01:12, 17 win-dc01:14, 18–28 wks-07:1–11,
 *   29 win-dc01:15, 30 wks-07:12, 31 win-dc01:16, 32–36 sysmon-srv-app02:1–5.
 * Stage 1 passes (incoming 5985/5986 http, not loopback): win-dc01:4, :10, :12, wks-07:7, :11, win-dc01:15.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startAdapterServer } from './adapterServer';

const root = join(__dirname, '../..');
const RULE_EQL = join(root, 'samples/rules/incoming_execution_via_powershell_remoting.eql');
const RULE_TOML = join(root, 'samples/rules/incoming_execution_via_powershell_remoting.toml');
const LOGS = join(root, 'samples/logs');
const DC01 = join(LOGS, 'endpoint/win-dc01.ndjson');
const DC01_KEY = '"a3f1c2d4-5b6e-4f70-8a91-0b2c3d4e5f60"';
const WKS07_KEY = '"5e0b9d2a-8c47-4a1e-b3f6-2d7c9e1a4b80"';
/** Lines of the network and process stages in the `.eql` rule (1-based). */
const EQL_NETWORK_LINE = 2;
const EQL_PROCESS_LINE = 4;

let server: Awaited<ReturnType<typeof startAdapterServer>>;
before(async () => {
  server = await startAdapterServer();
});
after(async () => {
  await server.close();
});

/** A connected client with helpers that never miss an event sent right after a response. */
class Replay {
  readonly dc = new DebugClient('node', 'unused', 'eql-replay');
  readonly output: string[] = [];
  /** The DAP category of each `output` line, in step with {@link output}. */
  readonly categories: string[] = [];

  async start(args: Record<string, unknown>, setup?: (r: Replay) => Promise<void>): Promise<DebugProtocol.StoppedEvent> {
    await this.dc.start(server.port);
    this.dc.on('output', (e: DebugProtocol.OutputEvent) => {
      this.output.push(e.body.output);
      this.categories.push(e.body.category ?? 'console');
    });
    await this.dc.initializeRequest({ adapterID: 'eql-replay', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = this.dc.waitForEvent('initialized');
    await this.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await setup?.(this);
    return this.stopped(() => this.dc.configurationDoneRequest());
  }

  async stopped(action: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
    const stopped = this.dc.waitForEvent('stopped', 10_000);
    await action();
    return (await stopped) as DebugProtocol.StoppedEvent;
  }

  next = () => this.stopped(() => this.dc.nextRequest({ threadId: 1 }));
  stepIn = () => this.stopped(() => this.dc.stepInRequest({ threadId: 1 }));
  back = () => this.stopped(() => this.dc.stepBackRequest({ threadId: 1 }));
  cont = () => this.stopped(() => this.dc.continueRequest({ threadId: 1 }));
  reverse = () => this.stopped(() => this.dc.reverseContinueRequest({ threadId: 1 }));

  /** `file:line` of each frame (file name only). */
  async frames(): Promise<string[]> {
    const r = await this.dc.stackTraceRequest({ threadId: 1 });
    return r.body.stackFrames.map((f) => `${f.source?.name}:${f.line}`);
  }

  async frameNames(): Promise<string[]> {
    return (await this.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames.map((f) => f.name);
  }

  /** The variables of a scope as `name → value`. */
  async scope(name: string): Promise<Map<string, string>> {
    const scopes = await this.dc.scopesRequest({ frameId: 1 });
    const scope = scopes.body.scopes.find((s) => s.name === name);
    assert.ok(scope, `scope ${name}`);
    return this.children(scope.variablesReference);
  }

  async children(ref: number): Promise<Map<string, string>> {
    const vars = await this.dc.variablesRequest({ variablesReference: ref });
    return new Map(vars.body.variables.map((v) => [v.name, v.value]));
  }

  async child(ref: number, name: string): Promise<number> {
    const vars = await this.dc.variablesRequest({ variablesReference: ref });
    const v = vars.body.variables.find((x) => x.name === name);
    assert.ok(v, `variable ${name}`);
    return v.variablesReference;
  }

  /** Every scope, expanded two levels deep, as text (to compare whole states). */
  async dump(): Promise<string> {
    const lines: string[] = [];
    const scopes = await this.dc.scopesRequest({ frameId: 1 });
    const walk = async (ref: number, depth: number, indent: string) => {
      for (const v of (await this.dc.variablesRequest({ variablesReference: ref })).body.variables) {
        lines.push(`${indent}${v.name} = ${v.value}`);
        if (v.variablesReference && depth > 0 && v.name !== 'document') await walk(v.variablesReference, depth - 1, `${indent}  `);
      }
    };
    for (const s of scopes.body.scopes) {
      lines.push(`[${s.name}]`);
      await walk(s.variablesReference, 2, '  ');
    }
    lines.push(...(await this.frames()));
    return lines.join('\n');
  }

  async evaluate(expression: string): Promise<string> {
    return (await this.dc.evaluateRequest({ expression, context: 'repl', frameId: 1 })).body.result;
  }

  stop = () => this.dc.stop();
}

async function session(args: Record<string, unknown>, setup?: (r: Replay) => Promise<void>): Promise<{ r: Replay; first: DebugProtocol.StoppedEvent }> {
  const r = new Replay();
  const first = await r.start(args, setup);
  return { r, first };
}

describe('replay debugger over DAP: the sample rule on samples/logs', () => {
  test('stops on entry, then Step Over walks the events in timestamp order with what each did', async () => {
    const { r, first } = await session({ rule: RULE_EQL, samples: [LOGS] });
    try {
      assert.equal(first.body.reason, 'entry');
      assert.deepEqual(await r.frames(), ['incoming_execution_via_powershell_remoting.eql:2']);
      const order = ['win-dc01.ndjson:1', 'win-dc01.ndjson:2', 'win-dc01.ndjson:3', 'web01.ndjson:1', 'win-dc01.ndjson:4', 'web01.ndjson:2', 'web01.ndjson:3', 'win-dc01.ndjson:5', 'win-dc01.ndjson:6'];
      const seen: string[] = [];
      for (let i = 0; i < order.length; i++) {
        const stop = await r.next();
        assert.equal(stop.body.reason, 'step');
        seen.push((await r.frames())[0]);
      }
      assert.deepEqual(seen, order);
      // Event 9: stage 2 passed (second frame on the process stage), match 1 completed.
      assert.deepEqual(await r.frames(), ['win-dc01.ndjson:6', `incoming_execution_via_powershell_remoting.eql:${EQL_PROCESS_LINE}`]);
      assert.match((await r.frameNames())[0], /^event 9\/36: /);
      const stages = await r.scope('Stages');
      // Why a stage did not pass is in its value: readable without expanding it.
      assert.deepEqual([...stages], [['stage 1 [network]', 'not passed: event.category is "process", not "network"'], ['stage 2 [process]', 'passed']]);
      const matches = await r.scope('Matches so far');
      assert.deepEqual([...matches], [['match 1', `win-dc01.ndjson:4 → win-dc01.ndjson:6 (join key ${DC01_KEY})`]]);
      assert.ok(r.output.some((o) => o.startsWith('[5/36] win-dc01.ndjson:4 2024-05-14T09:14:02.113Z: passed stage 1 [network]; started a sequence for join key')));
      assert.ok(r.output.some((o) => o.startsWith('[9/36] win-dc01.ndjson:6 2024-05-14T09:14:04.520Z: passed stage 2 [process]; completed the sequence of join key')));
    } finally {
      await r.stop();
    }
  });

  test('Variables after win-dc01:4 and win-dc01:5: the event fields, the pending sequence and the time left before maxspan', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] });
    try {
      for (let i = 0; i < 5; i++) await r.next();
      const event = await r.scope('Event');
      assert.equal(event.get('@timestamp'), '"2024-05-14T09:14:02.113Z"');
      assert.equal(event.get('source.ip'), '"10.0.1.15"');
      assert.equal(event.get('destination.port'), '5985');
      assert.equal(event.get('network.direction'), '"incoming"');
      assert.equal(event.get('process.parent.name'), 'null');
      // Relative to the launch's folder (no "cwd": the adapter's working directory, the repository here).
      assert.equal(event.get('source'), 'samples/logs/endpoint/win-dc01.ndjson:4');
      const scopes = await r.dc.scopesRequest({ frameId: 1 });
      const ref = scopes.body.scopes.find((s) => s.name === 'Sequences')!.variablesReference;
      const keys = await r.children(ref);
      assert.equal(keys.get(`join key ${DC01_KEY}`), '1 pending');
      const pending = await r.children(await r.child(ref, `join key ${DC01_KEY}`));
      assert.deepEqual([...pending], [['pending at stage 1', 'win-dc01.ndjson:4']]);
      const details = async () =>
        r.children(await r.child(await r.child(ref, `join key ${DC01_KEY}`), 'pending at stage 1'));
      assert.equal((await details()).get('time left before maxspan'), '30 s');
      // web01:2, web01:3, win-dc01:5 (09:14:03.020): 30 s from 09:14:02.113 leaves 29.093 s.
      await r.next();
      await r.next();
      await r.next();
      const scopes2 = await r.dc.scopesRequest({ frameId: 1 });
      const ref2 = scopes2.body.scopes.find((s) => s.name === 'Sequences')!.variablesReference;
      const d2 = await r.children(await r.child(await r.child(ref2, `join key ${DC01_KEY}`), 'pending at stage 1'));
      assert.equal(d2.get('time left before maxspan'), '29.093 s');
      assert.equal(d2.get('event 1'), 'win-dc01.ndjson:4 2024-05-14T09:14:02.113Z');
    } finally {
      await r.stop();
    }
  });

  test('the source of the event is shown relative to the launch folder, absolute outside it', async () => {
    for (const [cwd, expected] of [
      [join(LOGS, 'endpoint'), 'win-dc01.ndjson:1'],
      [join(root, 'test'), `${DC01}:1`],
    ]) {
      const { r } = await session({ rule: RULE_EQL, samples: [LOGS], cwd });
      try {
        await r.next();
        assert.equal((await r.scope('Event')).get('source'), expected);
      } finally {
        await r.stop();
      }
    }
  });

  test('Stages: the condition tree of win-dc01:5 (wsmprovhost.exe started by svchost.exe) shows the failing term with the value', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      await r.dc.setBreakpointsRequest({ source: { path: DC01 }, breakpoints: [{ line: 5 }] });
    });
    try {
      await r.cont();
      const scopes = await r.dc.scopesRequest({ frameId: 1 });
      const stagesRef = scopes.body.scopes.find((s) => s.name === 'Stages')!.variablesReference;
      const stages = await r.children(stagesRef);
      assert.deepEqual([...stages], [
        ['stage 1 [network]', 'not passed: event.category is "process", not "network"'],
        ['stage 2 [process]', 'not passed: process.parent.name is "svchost.exe", not "wsmprovhost.exe"'],
      ]);
      const stage2 = await r.child(stagesRef, 'stage 2 [process]');
      const details = await r.children(stage2);
      assert.match(details.get('category') ?? '', /^matched: event\.category is "process"/);
      // The whole condition is false; walk down to the parent-name term.
      const conditionName = 'condition';
      assert.match(details.get(conditionName) ?? '', /^false/);
      assert.equal(
        details.get('filter'),
        'process where host.os.type == "windows" and event.type == "start" and process.parent.name : "wsmprovhost.exe" and not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"',
      );
      const terms: Array<[string, string]> = [];
      const walk = async (ref: number) => {
        const vars = await r.dc.variablesRequest({ variablesReference: ref });
        for (const v of vars.body.variables) {
          terms.push([v.name, v.value]);
          if (v.variablesReference) await walk(v.variablesReference);
        }
      };
      await walk(await r.child(stage2, conditionName));
      const parent = terms.find(([name]) => name === 'process.parent.name : "wsmprovhost.exe"');
      assert.ok(parent, JSON.stringify(terms));
      assert.match(parent[1], /^false — .*svchost\.exe/);
      assert.ok(terms.some(([name, value]) => name === 'process.parent.name' && value === '"svchost.exe"'));
      assert.ok(terms.some(([name, value]) => name === 'event.type == "start"' && value === 'true'));
      // Stage 1 on a process event: the category does not match.
      const stage1 = await r.children(await r.child(stagesRef, 'stage 1 [network]'));
      assert.match(stage1.get('category') ?? '', /^not matched: event\.category is "process", stage needs "network"/);
    } finally {
      await r.stop();
    }
  });

  test('Step Into stops only on events that pass a stage: win-dc01:4, then win-dc01:6', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] });
    try {
      await r.stepIn();
      assert.deepEqual(await r.frames(), ['win-dc01.ndjson:4', `incoming_execution_via_powershell_remoting.eql:${EQL_NETWORK_LINE}`]);
      await r.stepIn();
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:6');
    } finally {
      await r.stop();
    }
  });

  test('Step Back restores the previous state exactly, and Reverse Continue returns to the previous breakpoint', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] });
    try {
      for (let i = 0; i < 8; i++) await r.next();
      const before8 = await r.dump();
      await r.next(); // win-dc01:6 completes match 1
      assert.equal((await r.scope('Matches so far')).size, 1);
      const back = await r.back();
      assert.equal(back.body.reason, 'step');
      // Event 8 (win-dc01:5, wsmprovhost.exe started by svchost.exe) passes no stage.
      assert.equal(back.body.description, 'Stepped back: matched no stage');
      assert.equal(await r.dump(), before8);
      assert.deepEqual([...(await r.scope('Matches so far'))], [['matches', 'none yet']]);
      // Forward again: the same completion.
      await r.next();
      assert.deepEqual([...(await r.scope('Matches so far'))], [['match 1', `win-dc01.ndjson:4 → win-dc01.ndjson:6 (join key ${DC01_KEY})`]]);
      // Back to the very start; on the way, event 5 (win-dc01:4) passed stage 1.
      for (let i = 0; i < 3; i++) await r.back();
      assert.equal((await r.back()).body.description, 'Stepped back: passed stage 1 [network]');
      for (let i = 0; i < 5; i++) await r.back();
      assert.deepEqual(await r.frames(), ['incoming_execution_via_powershell_remoting.eql:2']);
      await r.dc.setBreakpointsRequest({ source: { path: DC01 }, breakpoints: [{ line: 4 }] });
      const end = await r.cont();
      assert.equal(end.body.reason, 'breakpoint');
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:4');
      await r.dc.setBreakpointsRequest({ source: { path: DC01 }, breakpoints: [{ line: 4 }, { line: 12 }] });
      assert.equal((await r.cont()).body.reason, 'breakpoint');
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:12');
      const atEnd = await r.cont();
      assert.equal(atEnd.body.reason, 'end');
      assert.equal(atEnd.body.description, 'End of replay: 2 matches');
      const rev = await r.reverse();
      assert.equal(rev.body.reason, 'breakpoint');
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:12');
      await r.reverse();
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:4');
      assert.equal((await r.reverse()).body.reason, 'entry');
    } finally {
      await r.stop();
    }
  });

  test('a stage breakpoint stops on every event that passes the stage, in time order', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      const set = await r.dc.setBreakpointsRequest({ source: { path: RULE_EQL }, breakpoints: [{ line: EQL_NETWORK_LINE }, { line: 3 }, { line: 1 }] });
      assert.deepEqual(set.body.breakpoints.map((b) => b.verified), [true, true, false]);
      assert.match(set.body.breakpoints[2].message ?? '', /not inside a stage/);
    });
    try {
      const stops: string[] = [];
      for (;;) {
        const s = await r.cont();
        if (s.body.reason === 'end') break;
        assert.equal(s.body.reason, 'breakpoint');
        assert.equal(s.body.description, 'Breakpoint: stage 1 [network] passed');
        stops.push((await r.frames())[0]);
      }
      assert.deepEqual(stops, ['win-dc01.ndjson:4', 'win-dc01.ndjson:10', 'win-dc01.ndjson:12', 'wks-07.jsonl:7', 'wks-07.jsonl:11', 'win-dc01.ndjson:15']);
    } finally {
      await r.stop();
    }
  });

  test('TOML rule: a breakpoint on the process stage line of the TOML file stops where stage 2 passes', async () => {
    const { r } = await session({ rule: RULE_TOML, samples: [LOGS] }, async (r) => {
      const set = await r.dc.setBreakpointsRequest({ source: { path: RULE_TOML }, breakpoints: [{ line: 28 }, { line: 24 }] });
      assert.deepEqual(set.body.breakpoints.map((b) => b.verified), [true, false]);
    });
    try {
      await r.cont();
      assert.deepEqual(await r.frames(), ['win-dc01.ndjson:6', 'incoming_execution_via_powershell_remoting.toml:28']);
    } finally {
      await r.stop();
    }
  });

  test('NDJSON breakpoints: verified on event lines, unverified with a reason on blank lines and other files', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      const set = await r.dc.setBreakpointsRequest({ source: { path: DC01 }, breakpoints: [{ line: 14 }, { line: 17 }] });
      assert.equal(set.body.breakpoints[0].verified, true);
      assert.equal(set.body.breakpoints[1].verified, false);
      assert.match(set.body.breakpoints[1].message ?? '', /holds no event/);
      const other = await r.dc.setBreakpointsRequest({ source: { path: join(root, 'package.json') }, breakpoints: [{ line: 1 }] });
      assert.equal(other.body.breakpoints[0].verified, false);
    });
    try {
      const s = await r.cont();
      assert.equal(s.body.description, 'Breakpoint at win-dc01.ndjson:14');
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:14');
    } finally {
      await r.stop();
    }
  });

  test('conditional breakpoint with an EQL expression, hit count and log point', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      const set = await r.dc.setBreakpointsRequest({
        source: { path: RULE_EQL },
        breakpoints: [{ line: EQL_NETWORK_LINE, condition: 'cidrMatch(source.ip, "10.0.2.0/24") and destination.port == 5985' }],
      });
      assert.equal(set.body.breakpoints[0].verified, true);
    });
    try {
      // Stage-1 events from 10.0.2.0/24 to 5985: wks-07:11 (10.0.2.44) and win-dc01:15 (10.0.2.17);
      // wks-07:7 goes to 5986.
      await r.cont();
      assert.equal((await r.frames())[0], 'wks-07.jsonl:11');
      await r.cont();
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:15');
      assert.equal((await r.cont()).body.reason, 'end');
    } finally {
      await r.stop();
    }
    const hits = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      await r.dc.setBreakpointsRequest({ source: { path: RULE_EQL }, breakpoints: [{ line: EQL_NETWORK_LINE, hitCondition: '3' }] });
      const bad = await r.dc.setBreakpointsRequest({ source: { path: DC01 }, breakpoints: [{ line: 4, condition: 'source.ip ==' }] });
      assert.equal(bad.body.breakpoints[0].verified, false);
      assert.match(bad.body.breakpoints[0].message ?? '', /not a valid EQL expression: column 13: Expected an expression after \[==\]/);
    });
    try {
      // Third stage-1 event: win-dc01:12, then every later one (hit count >= 3).
      await hits.r.cont();
      assert.equal((await hits.r.frames())[0], 'win-dc01.ndjson:12');
      await hits.r.cont();
      assert.equal((await hits.r.frames())[0], 'wks-07.jsonl:7');
    } finally {
      await hits.r.stop();
    }
    const logs = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      await r.dc.setBreakpointsRequest({ source: { path: RULE_EQL }, breakpoints: [{ line: EQL_NETWORK_LINE, logMessage: 'incoming from {source.ip} to {destination.port}' }] });
    });
    try {
      assert.equal((await logs.r.cont()).body.reason, 'end');
      assert.deepEqual(
        logs.r.output.filter((o) => o.startsWith('incoming from')),
        ['"10.0.1.15" to 5985', '"10.0.1.22" to 5986', '"10.0.1.31" to 5985', '"10.0.2.44" to 5986', '"10.0.2.44" to 5985', '"10.0.2.17" to 5985'].map(
          (s) => `incoming from ${s}\n`,
        ),
      );
    } finally {
      await logs.r.stop();
    }
  });

  test('Reverse Continue keeps hit counts (counted from the first event) and passes log points without printing', async () => {
    // Stage 1 passes, in time order: win-dc01:4, :10, :12, wks-07:7, :11, win-dc01:15 (hits 1–6).
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      await r.dc.setBreakpointsRequest({ source: { path: RULE_EQL }, breakpoints: [{ line: EQL_NETWORK_LINE, hitCondition: '>= 3' }] });
      await r.dc.setBreakpointsRequest({ source: { path: DC01 }, breakpoints: [{ line: 10, logMessage: 'at dc01:10 {destination.port}' }] });
    });
    try {
      const forward: string[] = [];
      for (let i = 0; i < 3; i++) {
        await r.cont();
        forward.push((await r.frames())[0]);
      }
      assert.deepEqual(forward, ['win-dc01.ndjson:12', 'wks-07.jsonl:7', 'wks-07.jsonl:11']);
      const logged = () => r.output.filter((o) => o.startsWith('at dc01:10'));
      assert.deepEqual(logged(), ['at dc01:10 5986\n']);
      const backward: string[] = [];
      for (let i = 0; i < 2; i++) {
        assert.equal((await r.reverse()).body.reason, 'breakpoint');
        backward.push((await r.frames())[0]);
      }
      assert.deepEqual(backward, ['wks-07.jsonl:7', 'win-dc01.ndjson:12']);
      // Hits 1 and 2 (win-dc01:4, :10) do not reach ">= 3"; the log point does not stop: the start.
      assert.equal((await r.reverse()).body.reason, 'entry');
      assert.deepEqual(logged(), ['at dc01:10 5986\n']);
      // Forwards again: the same third hit, and the log point prints once more on the way.
      await r.cont();
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:12');
      assert.deepEqual(logged(), ['at dc01:10 5986\n', 'at dc01:10 5986\n']);
    } finally {
      await r.stop();
    }
    const only = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      await r.dc.setBreakpointsRequest({ source: { path: RULE_EQL }, breakpoints: [{ line: EQL_NETWORK_LINE, hitCondition: '== 3' }] });
    });
    try {
      await only.r.cont();
      assert.equal((await only.r.frames())[0], 'win-dc01.ndjson:12');
      assert.equal((await only.r.cont()).body.reason, 'end');
      assert.equal((await only.r.reverse()).body.reason, 'breakpoint');
      assert.equal((await only.r.frames())[0], 'win-dc01.ndjson:12');
      await only.r.back();
      await only.r.back();
      // Win-dc01:12 is still the third hit after stepping back over it.
      await only.r.cont();
      assert.equal((await only.r.frames())[0], 'win-dc01.ndjson:12');
    } finally {
      await only.r.stop();
    }
  });

  test('exception filters: sequence completed, pending sequence replaced, expired past maxspan', async () => {
    const run = async (filter: string) => {
      const { r } = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
        await r.dc.setExceptionBreakpointsRequest({ filters: [filter] });
      });
      const stops: string[] = [];
      try {
        for (;;) {
          const s = await r.cont();
          if (s.body.reason === 'end') break;
          assert.equal(s.body.reason, 'exception');
          stops.push(`${(await r.frames())[0]} ${s.body.description}`);
        }
      } finally {
        await r.stop();
      }
      return stops;
    };
    assert.deepEqual(await run('sequenceCompleted'), ['win-dc01.ndjson:6 Sequence completed', 'wks-07.jsonl:9 Sequence completed']);
    // win-dc01:12 arrives while win-dc01:10 waits at stage 1 for the same host.
    assert.deepEqual(await run('pendingReplaced'), ['win-dc01.ndjson:12 Pending sequence replaced']);
    // win-dc01:14 is 31 s after :12; wks-07:12 (11:00:03) is 40 min after wks-07:11.
    assert.deepEqual(await run('maxspanExpired'), ['win-dc01.ndjson:14 Expired past maxspan', 'wks-07.jsonl:12 Expired past maxspan']);
    assert.deepEqual(await run('untilCancelled'), []);
  });

  test('evaluate: a field, an EQL function call, and EQL diagnostics for a broken expression', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      await r.dc.setBreakpointsRequest({ source: { path: DC01 }, breakpoints: [{ line: 6 }] });
    });
    try {
      await assert.rejects(r.evaluate('process.name'), /No current event/);
      await r.cont();
      assert.equal(await r.evaluate('process.parent.name'), '"wsmprovhost.exe"');
      assert.equal(await r.evaluate('process.name : "WHOAMI.EXE"'), 'true');
      assert.equal(await r.evaluate('length(process.name)'), '10');
      assert.equal(await r.evaluate('cidrMatch(host.ip, "10.0.1.0/24")'), 'true');
      await assert.rejects(r.evaluate('lenght(process.name)'), /EQL: column 1: Unknown function \[lenght\], did you mean \[length\]\?/);
      // Hover (supportsEvaluateForHovers): a field name under the mouse gives its value; other words nothing.
      const hover = (expression: string) => r.dc.evaluateRequest({ expression, context: 'hover', frameId: 1 });
      assert.equal((await hover('process.parent.name')).body.result, '"wsmprovhost.exe"');
      await assert.rejects(hover('"whoami.exe"'), /Only a field name is evaluated on hover/);
      await assert.rejects(hover('where'), /EQL: /);
    } finally {
      await r.stop();
    }
  });
});

describe('replay debugger over DAP: until and missing-event stages', () => {
  /** Runs a rule written to a temp file with one exception filter; returns `file:line description` per stop and the end description. */
  async function stopsOf(query: string, filter: string): Promise<{ stops: string[]; texts: string[][]; end: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'eql-dap-'));
    const rule = join(dir, 'rule.eql');
    writeFileSync(rule, query);
    const { r } = await session({ rule, samples: [LOGS] }, async (r) => {
      await r.dc.setExceptionBreakpointsRequest({ filters: [filter] });
    });
    const stops: string[] = [];
    const texts: string[][] = [];
    try {
      for (;;) {
        const s = await r.cont();
        if (s.body.reason === 'end') return { stops, texts, end: s.body.description ?? '' };
        stops.push(`${(await r.frames())[0]} ${s.body.description}`);
        texts.push(s.body.text?.split('\n') ?? []);
      }
    } finally {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('cancelled by until: wsmprovhost.exe starting (win-dc01:5) between win-dc01:4 and :6 cancels match 1', async () => {
    const { stops, end } = await stopsOf(
      `sequence by host.id with maxspan = 30s
  [network where network.direction : ("incoming", "ingress") and destination.port in (5985, 5986) and network.protocol == "http" and source.ip != "127.0.0.1" and source.ip != "::1"]
  [process where event.type == "start" and process.parent.name : "wsmprovhost.exe" and not process.executable : "?:\\\\Windows\\\\System32\\\\conhost.exe"]
until [process where process.name == "wsmprovhost.exe"]
`,
      'untilCancelled',
    );
    // Docs "EQL syntax reference", until: the until event lies between the pending sequence's last
    // event and the event that would advance it. The rule is the sample rule plus `until`; WKS-07 has
    // no wsmprovhost.exe start, so its match (wks-07:7 → :9) stands.
    assert.deepEqual(stops, ['win-dc01.ndjson:6 Cancelled by until']);
    assert.equal(end, 'End of replay: 1 match');
  });

  /**
   * whoami.exe starts on win-dc01 (:6, 09:14:04.520), ends (:7, 09:14:04.610), then 5985 arrives
   * (:8, 09:20:00): the candidate :6 → :8 has the missing event between its stages, which only the
   * end of the stream decides (docs "EQL syntax reference", missing events). On wks-07, whoami.exe
   * (:5) then 5985 (:11) 17 min later has no end event of that host between: it completes at the end.
   */
  const WHOAMI_THEN_5985 = `sequence by host.id with maxspan = 1h
  [process where process.name == "whoami.exe" and event.type == "start"]
  ![process where event.type == "end"]
  [network where destination.port == 5985]
`;

  test('missing-event decisions at the end of the stream stop on their exception filters', async () => {
    const dropped = await stopsOf(WHOAMI_THEN_5985, 'missingEventSeen');
    assert.deepEqual(dropped.stops, ['win-dc01.ndjson:7 Missing-event stage seen', 'sysmon-srv-app02.ndjson:5 Missing-event stage seen (end of stream)']);
    assert.deepEqual(dropped.texts[1], [
      `the candidate sequence of join key ${DC01_KEY} (win-dc01.ndjson:6 → win-dc01.ndjson:8) was dropped: missing-event stage seen at win-dc01.ndjson:7`,
    ]);
    assert.equal(dropped.end, 'End of replay: 1 match');
    const completed = await stopsOf(WHOAMI_THEN_5985, 'sequenceCompleted');
    assert.deepEqual(completed.stops, ['sysmon-srv-app02.ndjson:5 Sequence completed (end of stream)']);
    assert.deepEqual(completed.texts[0], [`completed the sequence of join key ${WKS07_KEY}: wks-07.jsonl:5 → wks-07.jsonl:11`]);
    assert.equal(completed.end, 'End of replay: 1 match');
  });

  test('missing-event stage seen: the one process end event (win-dc01:7) passes ![process where event.type == "end"]', async () => {
    const { stops } = await stopsOf(
      `sequence by host.id with maxspan = 1h
  [network where destination.port == 5985]
  ![process where event.type == "end"]
  [process where process.parent.name : "wsmprovhost.exe"]
`,
      'missingEventSeen',
    );
    assert.deepEqual(stops, ['win-dc01.ndjson:7 Missing-event stage seen']);
  });
});

describe('replay debugger over DAP: errors', () => {
  test('a rule with errors gives a clear launch error with the position of each error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eql-dap-'));
    const rule = join(dir, 'broken.eql');
    writeFileSync(rule, 'process where lenght(process.name) > 3\n');
    const dc = new DebugClient('node', 'unused', 'eql-replay');
    try {
      await dc.start(server.port);
      await dc.initializeRequest();
      await assert.rejects(dc.launchRequest({ rule, samples: [LOGS] } as DebugProtocol.LaunchRequestArguments), (e: Error) => {
        assert.match(e.message, /^The rule has 1 error; fix it to replay:\n/);
        assert.ok(e.message.includes(`${rule}:1:15: error: Unknown function [lenght], did you mean [length]?`), e.message);
        return true;
      });
      await assert.rejects(dc.launchRequest({ rule: join(dir, 'missing.eql'), samples: [LOGS] } as DebugProtocol.LaunchRequestArguments), /missing\.eql: /);
    } finally {
      await dc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** The error message of a request that must fail. */
  async function refusal(dc: DebugClient, command: string, args?: unknown): Promise<string> {
    const error = await dc.send(command, args).then(
      () => undefined,
      (e: Error) => e.message,
    );
    assert.ok(error !== undefined, `${command} must fail`);
    return error;
  }

  test('initialize without "pathFormat" gets the protocol\'s default "path" (DAP InitializeRequestArguments); "uri" is refused', async () => {
    const dc = new DebugClient('node', 'unused', 'eql-replay');
    await dc.start(server.port);
    try {
      const response = await dc.send('initialize', { adapterID: 'eql-replay' });
      assert.equal(response.success, true);
      assert.equal(response.body?.supportsStepBack, true);
    } finally {
      await dc.stop();
    }
    const uri = new DebugClient('node', 'unused', 'eql-replay');
    await uri.start(server.port);
    try {
      assert.match(await refusal(uri, 'initialize', { adapterID: 'eql-replay', pathFormat: 'uri' }), /native paths/);
    } finally {
      await uri.stop();
    }
  });

  test('requests before launch: execution requests are refused with a clear message', async () => {
    const dc = new DebugClient('node', 'unused', 'eql-replay');
    await dc.start(server.port);
    try {
      await dc.initializeRequest({ adapterID: 'eql-replay', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      for (const command of ['next', 'stepIn', 'continue', 'stepBack', 'reverseContinue', 'configurationDone']) {
        assert.equal(await refusal(dc, command, { threadId: 1 }), `No replay is running: send "launch" before "${command}"`);
      }
      assert.match(await refusal(dc, 'variables', { variablesReference: 1 }), /^No variables with reference 1/);
    } finally {
      await dc.stop();
    }
  });

  test('requests with missing or mistyped arguments get a DAP error naming the argument, no stack, and the session goes on', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] });
    try {
      const messages = [
        await refusal(r.dc, 'setBreakpoints', {}),
        await refusal(r.dc, 'setBreakpoints', { source: { path: DC01 }, breakpoints: [{ line: '4' }] }),
        await refusal(r.dc, 'setBreakpoints', { source: { path: DC01 }, breakpoints: [{ line: 4, condition: 7 }] }),
        await refusal(r.dc, 'setExceptionBreakpoints', {}),
        await refusal(r.dc, 'evaluate', {}),
        await refusal(r.dc, 'evaluate', { expression: 42 }),
        await refusal(r.dc, 'variables', {}),
        await refusal(r.dc, 'variables', { variablesReference: 99_999 }),
      ];
      assert.deepEqual(messages, [
        'setBreakpoints: "source" (an object with a "path") is required',
        'setBreakpoints: breakpoints[0] needs an integer "line"',
        'setBreakpoints: breakpoints[0].condition must be a string',
        'setExceptionBreakpoints: "filters" (an array of filter ids) is required',
        'evaluate: "expression" (a string) is required',
        'evaluate: "expression" (a string) is required',
        'variables: "variablesReference" (an integer) is required',
        'No variables with reference 99999: references from before the last stop are no longer valid',
      ]);
      for (const m of messages) assert.doesNotMatch(m, /TypeError|\bat |\.js:|\.ts:/);
      // A reference from before a stop is stale after it (DAP: valid while suspended).
      const scopes = await r.dc.scopesRequest({ frameId: 1 });
      const stale = scopes.body.scopes[0].variablesReference;
      await r.next();
      assert.match(await refusal(r.dc, 'variables', { variablesReference: stale }), /^No variables with reference/);
      assert.deepEqual(await r.frames(), ['win-dc01.ndjson:1', 'incoming_execution_via_powershell_remoting.eql:2']);
    } finally {
      await r.stop();
    }
  });

  test('an event without a timestamp is left out: said at launch, and a breakpoint on its line is unverified with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eql-dap-'));
    const rule = join(dir, 'rule.eql');
    const sample = join(dir, 'a.ndjson');
    writeFileSync(rule, 'process where true\n');
    writeFileSync(
      sample,
      '{"@timestamp":"2024-01-01T00:00:00Z","event":{"category":"process"},"process":{"name":"a"}}\n{"event":{"category":"process"},"process":{"name":"b"}}\n\n',
    );
    const { r } = await session({ rule, samples: [sample] });
    try {
      assert.ok(r.output.some((o) => o.includes(`1 event(s) skipped: no readable "@timestamp" value (first: ${sample}:2)`)), r.output.join(''));
      const set = await r.dc.setBreakpointsRequest({ source: { path: sample }, breakpoints: [{ line: 1 }, { line: 2 }, { line: 3 }] });
      assert.deepEqual(
        set.body.breakpoints.map((b) => [b.verified, b.message]),
        [
          [true, undefined],
          [false, 'The event on line 2 has no readable "@timestamp" value, so the replay leaves it out'],
          [false, 'Line 3 holds no event (blank line or past the end of the file)'],
        ],
      );
      assert.equal((await r.cont()).body.description, 'Breakpoint at a.ndjson:1');
      assert.equal((await r.cont()).body.description, 'End of replay: 1 match');
    } finally {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('events are read from the sample files when stepped to: a line changed after the launch shows its new value, with a note', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eql-dap-'));
    cpSync(LOGS, join(dir, 'logs'), { recursive: true });
    const dc01 = join(dir, 'logs/endpoint/win-dc01.ndjson');
    const { r } = await session({ rule: RULE_EQL, samples: [join(dir, 'logs')] });
    try {
      // Same length, so every other event stays where the launch found it.
      writeFileSync(dc01, readFileSync(dc01, 'utf8').replace('"10.0.1.15"', '"10.0.1.16"'));
      utimesSync(dc01, new Date(2020, 0, 1), new Date(2020, 0, 1));
      for (let i = 0; i < 5; i++) await r.next();
      assert.equal((await r.frames())[0], 'win-dc01.ndjson:4');
      assert.equal((await r.scope('Event')).get('source.ip'), '"10.0.1.16"');
      assert.ok(r.output.some((o) => o.startsWith(`${dc01} changed since the replay started`)), r.output.join(''));
    } finally {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a sample file deleted mid-session: stepping, variables and restart go on with the other files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eql-dap-'));
    cpSync(LOGS, join(dir, 'logs'), { recursive: true });
    const dc01 = join(dir, 'logs/endpoint/win-dc01.ndjson');
    const { r } = await session({ rule: RULE_EQL, samples: [join(dir, 'logs')] });
    try {
      for (let i = 0; i < 5; i++) await r.next();
      unlinkSync(dc01);
      await r.next();
      assert.equal((await r.frames())[0], 'web01.ndjson:2');
      assert.equal((await r.cont()).body.reason, 'end');
      assert.equal((await r.scope('Matches so far')).size, 2);
      const set = await r.dc.setBreakpointsRequest({ source: { path: join(dir, 'logs/endpoint/wks-07.jsonl') }, breakpoints: [{ line: 9 }] });
      assert.equal(set.body.breakpoints[0].verified, true);
      const restarted = await r.stopped(() => r.dc.restartRequest({}));
      assert.equal(restarted.body.reason, 'entry');
      assert.ok(r.output.some((o) => o.startsWith('Replaying') && o.includes('over 20 events from 3 sample files')), r.output.join(''));
      await r.cont();
      assert.equal((await r.frames())[0], 'wks-07.jsonl:9');
      assert.deepEqual([...(await r.scope('Matches so far'))], [['match 1', `wks-07.jsonl:7 → wks-07.jsonl:9 (join key ${WKS07_KEY})`]]);
    } finally {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replay debugger over DAP: the Debug Console says each thing once', () => {
  /** The step lines (`[n/36] file:line time: …`) printed since `from`. */
  const stepLines = (r: Replay, from: number) => r.output.slice(from).filter((o) => /^\[\d+\/\d+\] /.test(o));

  test('Step Into prints one line, for the event it stops on, not one per event it passes over', async () => {
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] });
    try {
      let from = r.output.length;
      await r.stepIn();
      // Events 1-4 pass no stage; event 5 (win-dc01:4) passes stage 1.
      assert.deepEqual(stepLines(r, from), [`[5/36] win-dc01.ndjson:4 2024-05-14T09:14:02.113Z: passed stage 1 [network]; started a sequence for join key ${DC01_KEY} (stage 1)\n`]);
      from = r.output.length;
      await r.stepIn();
      // Events 6-8 pass no stage; event 9 (win-dc01:6) passes stage 2 and completes match 1.
      const lines = stepLines(r, from);
      assert.equal(lines.length, 1, lines.join(''));
      assert.ok(lines[0].startsWith(`[9/36] win-dc01.ndjson:6 2024-05-14T09:14:04.520Z: passed stage 2 [process]; completed the sequence of join key ${DC01_KEY}`), lines[0]);
      // Step Over prints the line of its one event; Continue (no breakpoint) none.
      from = r.output.length;
      await r.next();
      assert.deepEqual(stepLines(r, from).map((l) => l.slice(0, 25)), ['[10/36] win-dc01.ndjson:7']);
      from = r.output.length;
      await r.cont();
      assert.deepEqual(stepLines(r, from), []);
    } finally {
      await r.stop();
    }
  });

  test('an event that passes stage 2 with no sequence waiting says so in one line; empty scopes say none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eql-dap-'));
    const event = (ms: number, name: string) => JSON.stringify({ '@timestamp': ms, event: { category: 'process' }, host: { id: 'h1' }, process: { name } });
    const sample = join(dir, 'a.ndjson');
    writeFileSync(sample, [event(1000, 'b'), event(2000, 'a')].join('\n'));
    const rule = join(dir, 'rule.eql');
    writeFileSync(rule, 'sequence by host.id\n  [process where process.name == "a"]\n  [process where process.name == "b"]\n');
    const { r } = await session({ rule, samples: [sample] });
    try {
      assert.deepEqual([...(await r.scope('Matches so far'))], [['matches', 'none yet: step to the first event']]);
      const stop = await r.stepIn();
      assert.equal(stop.body.description, 'passed stage 2 [process]');
      assert.deepEqual(stepLines(r, 0), [
        '[1/2] a.ndjson:1 1970-01-01T00:00:01.000Z: passed stage 2 [process]; no sequence of join key "h1" was waiting for stage 2, so the event advances none\n',
      ]);
      assert.deepEqual([...(await r.scope('Sequences'))], [['pending', 'none'], ['completed so far', '0']]);
      assert.deepEqual([...(await r.scope('Matches so far'))], [['matches', 'none yet']]);
      await r.stepIn();
      assert.equal(stepLines(r, 0)[1], '[2/2] a.ndjson:2 1970-01-01T00:00:02.000Z: passed stage 1 [process]; started a sequence for join key "h1" (stage 1)\n');
      assert.deepEqual([...(await r.scope('Sequences'))], [['join key "h1"', '1 pending'], ['completed so far', '0']]);
      assert.equal((await r.cont()).body.description, 'End of replay: 0 matches');
      assert.deepEqual([...(await r.scope('Matches so far'))], [['matches', 'none: the replay found no match']]);
    } finally {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an event that starts a sequence for each of 10 join key values says three of them and how many more, in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eql-dap-'));
    const sample = join(dir, 'a.ndjson');
    // `by` over an array field: one join key per value (Elasticsearch expands multi-valued keys).
    // 10.0.0.11 … 10.0.0.20: the same order as text and as numbers.
    const ips = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 11}`);
    writeFileSync(sample, JSON.stringify({ '@timestamp': 1000, event: { category: 'network' }, host: { ip: ips } }));
    const rule = join(dir, 'rule.eql');
    writeFileSync(rule, 'sequence by host.ip\n  [network where true]\n  [process where true]\n');
    const { r } = await session({ rule, samples: [sample] });
    try {
      await r.stepIn();
      assert.deepEqual(stepLines(r, 0), [
        '[1/1] a.ndjson:1 1970-01-01T00:00:01.000Z: passed stage 1 [network]; started a sequence for join key "10.0.0.11" (stage 1); ' +
          'started a sequence for join key "10.0.0.12" (stage 1); started a sequence for join key "10.0.0.13" (stage 1); ' +
          'and 7 more (see the Sequences and Matches so far scopes)\n',
      ]);
      assert.equal((await r.scope('Sequences')).size, 11);
    } finally {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a breakpoint condition that fails on an event is said once, however often the replay passes the event again', async () => {
    // win-dc01:4 has destination.port 5985: an integer divided by zero fails (Java's "/ by zero").
    const { r } = await session({ rule: RULE_EQL, samples: [LOGS] }, async (r) => {
      await r.dc.setBreakpointsRequest({ source: { path: DC01 }, breakpoints: [{ line: 4, condition: 'destination.port / 0 == 1' }] });
    });
    const failures = () => r.output.filter((o) => o.startsWith('Breakpoint condition failed'));
    try {
      assert.equal((await r.cont()).body.reason, 'end');
      assert.deepEqual(failures(), ['Breakpoint condition failed on win-dc01.ndjson:4: / by zero\n']);
      assert.equal(r.categories[r.output.indexOf(failures()[0])], 'stderr');
      assert.equal((await r.reverse()).body.reason, 'entry');
      assert.equal((await r.cont()).body.reason, 'end');
      assert.equal(failures().length, 1, failures().join(''));
    } finally {
      await r.stop();
    }
  });

  test('a warning for an event over a limit of the engine is printed once per launch, however often Step Back replays past it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eql-dap-'));
    const many = Array.from({ length: 1001 }, (_, i) => `v${i}`);
    const event = (ms: number, v: unknown) => JSON.stringify({ '@timestamp': ms, event: { category: 'process' }, a: v, b: v, c: v });
    const sample = join(dir, 'a.ndjson');
    writeFileSync(sample, [event(1000, 'x'), event(2000, many), event(3000, 'y')].join('\n'));
    const rule = join(dir, 'rule.eql');
    writeFileSync(rule, 'sequence\n  [process where concat(a, b, c) == "xxx"]\n  [process where concat(a, b, c) == "yyy"]\n');
    // 1001 × 1001 × 1001 combinations of the three fields on line 2 (the engine's limit is a million).
    const warning = `${sample}:2: warning: 1003003001 combinations of multi-valued field values in one script, over the limit of 1000000; the event is skipped\n`;
    const warnings = () => r.output.filter((o) => o.includes(': warning: '));
    const { r } = await session({ rule, samples: [sample] });
    try {
      await r.next();
      assert.deepEqual(warnings(), []);
      // A sequence without `by` has no join key: none is named.
      assert.deepEqual(stepLines(r, 0), ['[1/3] a.ndjson:1 1970-01-01T00:00:01.000Z: passed stage 1 [process]; started a sequence (stage 1)\n']);
      assert.deepEqual([...(await r.scope('Sequences'))], [['no join key', '1 pending'], ['completed so far', '0']]);
      const from = r.output.length;
      await r.next();
      assert.deepEqual(warnings(), [warning]);
      // The step line says why the event matched no stage (once, not once per stage as a failure).
      assert.deepEqual(stepLines(r, from), [
        '[2/3] a.ndjson:2 1970-01-01T00:00:02.000Z: matched no stage: 1003003001 combinations of multi-valued field values in one script, over the limit of 1000000; the event is skipped\n',
      ]);
      const skipped = 'not passed: the event is skipped (1003003001 combinations of multi-valued field values in one script, over the limit of 1000000)';
      assert.deepEqual([...(await r.scope('Stages')).values()], [skipped, skipped]);
      // VS Code shows category "console" as a warning, "stdout" as plain text: the warning stands out.
      assert.equal(r.categories[r.output.indexOf(warning)], 'console');
      assert.equal(r.categories[r.output.findIndex((o) => o.startsWith('[2/3] '))], 'stdout');
      assert.equal((await r.back()).body.reason, 'step');
      await r.next();
      await r.next();
      assert.equal((await r.reverse()).body.reason, 'entry');
      assert.equal((await r.cont()).body.description, 'End of replay: 1 match');
      assert.equal((await r.reverse()).body.reason, 'entry');
      assert.equal((await r.cont()).body.description, 'End of replay: 1 match');
      assert.deepEqual(warnings(), [warning]);
      // A restart is a new launch: said once more.
      await r.stopped(() => r.dc.restartRequest({}));
      await r.cont();
      assert.deepEqual(warnings(), [warning, warning]);
    } finally {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
