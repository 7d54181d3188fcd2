'use strict';
// native.test.js drives `livepatch dap` with Microsoft's DebugClient as VS
// Code does through an edit: the program runs, a method of a non-main
// package is saved with an edit, the console says its patch went native,
// and a breakpoint set then at a saved line inside the method stops there:
// the stack shows the method under its own name at the saved file's line,
// on top of its compiled caller, and its new local variable.
//
// The fixture is the Go tests' (integration/testdata/native), copied, since
// the test edits it. The adapter binary comes from LIVEPATCH_BIN, as in
// dap.test.js; this test needs livepatch itself.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const { Adapter } = require('../lib/adapter');
const { Deadline } = require('../lib/deadline');
const { traced, nextEvent, outputEvent } = require('../lib/events');

const FIXTURE = path.join(__dirname, '..', '..', 'testdata', 'native');
// TEST_MS bounds the test: a cold build of the program and of the native
// patch are the slow parts. CLEANUP_MS is kept apart for stopping the adapter.
const TEST_MS = 180_000;
const CLEANUP_MS = 10_000;
const METHOD = 'example.com/native/lib.(*Counter).Inc';

/** lineOf returns the 1-based line of file that holds text. */
function lineOf(file, text) {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.notEqual(i, -1, `no ${JSON.stringify(text)} in ${file}`);
  return i + 1;
}

test('breakpoint inside a method patched native, set after the save', { timeout: TEST_MS }, async (t) => {
  const bin = process.env.LIVEPATCH_BIN;
  if (!bin) {
    if (process.env.CI) assert.fail('LIVEPATCH_BIN is not set (make test sets it to bin/livepatch)');
    t.skip('LIVEPATCH_BIN is not set: run `make test`, or set it to a livepatch binary');
    return;
  }
  const deadline = new Deadline(TEST_MS - CLEANUP_MS);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'livepatch-js-native-'));
  const dir = path.join(tmp, 'native');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const lib = path.join(dir, 'lib', 'lib.go');
  const adapter = new Adapter(path.resolve(bin), { cwd: dir, args: ['dap', '--listen=127.0.0.1:0', '--log-dest=3'], logFd3: true });
  const trace = [];
  let dc;
  t.after(async () => {
    await adapter.stop(CLEANUP_MS);
    dc?._socket?.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  try {
    const port = await adapter.port(deadline);
    dc = traced(new DebugClient('unused', 'unused', 'go'), trace);
    await deadline.within(dc.start(port), `a connection to 127.0.0.1:${port}`);
    dc._socket?.on('error', (err) => trace.push(`socket error: ${err.message}`));
    await deadline.within(dc.initializeRequest({
      clientID: 'vscode', clientName: 'Visual Studio Code', adapterID: 'go', pathFormat: 'path',
      linesStartAt1: true, columnsStartAt1: true, supportsVariableType: true, supportsVariablePaging: true,
      supportsRunInTerminalRequest: true, locale: 'en',
    }), 'initialize');
    const initialized = nextEvent(dc, 'initialized', deadline);
    await deadline.within(dc.launchRequest({
      type: 'go', name: 'Launch native', request: 'launch', mode: 'debug',
      program: dir, dlvCwd: dir, output: path.join(tmp, 'nativefixture'),
    }), 'launch');
    await initialized;
    await deadline.within(dc.configurationDoneRequest(), 'configurationDone');
    await adapter.waitOutput('stdout', 'count 1 step 1\n', deadline);

    // The save, as an editor writes it; the console says when the patch
    // goes live, then native.
    const native = outputEvent(dc, (b) => b.category === 'console' && b.output.includes(`native: ${METHOD}`), deadline);
    const text = fs.readFileSync(lib, 'utf8');
    assert.ok(text.includes('c.n += step()'), `${lib} has no "c.n += step()"`);
    fs.writeFileSync(lib, text.replace('c.n += step()', 'd := 10 * step()\n\tc.n += d'));
    await native;

    const line = lineOf(lib, 'c.n += d');
    const stopped = nextEvent(dc, 'stopped', deadline);
    const bps = await deadline.within(dc.setBreakpointsRequest({
      source: { name: 'lib.go', path: lib },
      breakpoints: [{ line }],
      lines: [line],
      sourceModified: false,
    }), 'setBreakpoints');
    const [bp] = bps.body.breakpoints;
    assert.equal(bp.verified, true, `setBreakpoints: breakpoint not verified: ${bp.message}`);
    assert.equal(bp.line, line, 'setBreakpoints: line');
    const stop = await stopped;
    // Delve sets a breakpoint in a running program in a halt of its own;
    // when a goroutine is on the new breakpoint's line at that instant (the
    // method runs in a hot loop), it reports the halt as a pause, as dlv
    // dap does for compiled code. The stack below checks where it stopped.
    assert.ok(['breakpoint', 'pause'].includes(stop.body.reason), `stopped: reason ${stop.body.reason}`);
    if (stop.body.reason === 'breakpoint') {
      assert.deepEqual(stop.body.hitBreakpointIds, [bp.id], 'stopped: hitBreakpointIds');
    }
    const { threadId } = stop.body;

    const threads = await deadline.within(dc.threadsRequest(), 'threads');
    assert.ok(threads.body.threads.some((th) => th.id === threadId), `threads: no thread ${threadId}`);
    const st = await deadline.within(dc.stackTraceRequest({ threadId, startFrame: 0, levels: 20 }), 'stackTrace');
    const [top, caller] = st.body.stackFrames;
    assert.equal(top.name, 'lib.(*Counter).Inc', 'stackTrace: top frame name');
    assert.equal(top.line, line, 'stackTrace: top frame line, in the saved file');
    assert.equal(top.source?.path, lib, 'stackTrace: top frame source');
    assert.equal(caller?.name, 'main.main', 'stackTrace: caller frame name');

    const sc = await deadline.within(dc.scopesRequest({ frameId: top.id }), 'scopes');
    const locals = sc.body.scopes.find((s) => s.name === 'Locals');
    assert.ok(locals, `scopes: no Locals scope in ${JSON.stringify(sc.body.scopes.map((s) => s.name))}`);
    const vars = await deadline.within(dc.variablesRequest({ variablesReference: locals.variablesReference }), 'variables');
    assert.equal(vars.body.variables.find((v) => v.name === 'd')?.value, '10', 'variables: the edit\'s local d');

    await deadline.within(dc.disconnectRequest({ restart: false }), 'disconnect');
    const code = await deadline.within(adapter.exited, 'the adapter to exit after disconnect');
    assert.equal(code, 0, 'adapter exit code');
  } catch (err) {
    t.diagnostic(`adapter log:\n${adapter.log()}`);
    t.diagnostic(`DAP trace:\n${trace.join('\n')}`);
    throw err;
  }
});
