'use strict';
// dap.test.js drives `livepatch dap` with Microsoft's DebugClient
// (@vscode/debugadapter-testsupport) through the requests VS Code sends for a
// Go launch: initialize, launch, setBreakpoints, configurationDone, stackTrace,
// scopes, variables, continue, disconnect; and disconnect at a breakpoint, as
// the stop button does. The adapter must behave exactly as `dlv dap` does, so
// the expected values are Delve's.
//
// The adapter binary comes from LIVEPATCH_BIN (`make test` builds
// bin/livepatch and sets it). Any `dlv dap` compatible binary works, which is
// how this test was first checked: LIVEPATCH_BIN=/path/to/dlv npm test.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const { Adapter } = require('../lib/adapter');
const { Deadline } = require('../lib/deadline');
const { traced, nextEvent } = require('../lib/events');

const FIXTURE = path.join(__dirname, '..', 'fixture');
const SOURCE = path.join(FIXTURE, 'main.go');
// TEST_MS bounds one test; the fixture's first build with -N -l on a cold
// cache is the slow part. CLEANUP_MS is kept apart for stopping the adapter.
const TEST_MS = 180_000;
const CLEANUP_MS = 10_000;

/** breakLine returns the 1-based line of the BREAK marker in the fixture. */
function breakLine() {
  const lines = fs.readFileSync(SOURCE, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes('// BREAK'));
  assert.notEqual(i, -1, `no "// BREAK" marker in ${SOURCE}`);
  return i + 1;
}

/**
 * gone reports whether process pid has exited: it has no /proc entry or is a
 * zombie. Where there is no /proc it cannot tell and says yes.
 */
function gone(pid) {
  if (!fs.existsSync('/proc/self')) return true;
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return true;
    throw err;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

// VSCODE_ARGS are the arguments vscode-go starts `dlv` with (it adds
// --log-dest=3 and a pipe on fd 3 everywhere but on Windows).
const VSCODE_ARGS = ['dap', '--check-go-version=false', '--listen=127.0.0.1:0', '--log-dest=3'];
// NVIM_ARGS are the arguments of nvim-dap-go and Helix, which read the
// listening line from stdout; they pick a port, the test lets the adapter pick.
const NVIM_ARGS = ['dap', '-l', '127.0.0.1:0'];

/**
 * session runs one VS Code style debug session of the fixture against an
 * adapter started with args, with or without a log pipe on fd 3. It stops at the
 * breakpoint, inspects the frame, and then either continues to the end of
 * the program and disconnects, or, with stopButton, disconnects at once as
 * VS Code's stop button does, which must kill the program.
 */
async function session(t, { args, logFd3, stopButton = false }) {
  const bin = process.env.LIVEPATCH_BIN;
  if (!bin) {
    if (process.env.CI) assert.fail('LIVEPATCH_BIN is not set (make test sets it to bin/livepatch)');
    t.skip('LIVEPATCH_BIN is not set: run `make test`, or set it to a livepatch binary');
    return;
  }
  const deadline = new Deadline(TEST_MS - CLEANUP_MS);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'livepatch-js-'));
  const adapter = new Adapter(path.resolve(bin), { cwd: FIXTURE, args, logFd3 });
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
    // DebugClient keeps its socket private and listens for no errors on it:
    // record them, or a reset by a dying adapter would crash the test runner.
    dc._socket?.on('error', (err) => trace.push(`socket error: ${err.message}`));

    const init = await deadline.within(dc.initializeRequest({
      clientID: 'vscode',
      clientName: 'Visual Studio Code',
      adapterID: 'go',
      pathFormat: 'path',
      linesStartAt1: true,
      columnsStartAt1: true,
      supportsVariableType: true,
      supportsVariablePaging: true,
      supportsRunInTerminalRequest: true,
      locale: 'en',
    }), 'initialize');
    assert.equal(init.body.supportsConfigurationDoneRequest, true, 'initialize: supportsConfigurationDoneRequest');

    const initialized = nextEvent(dc, 'initialized', deadline);
    const processEvent = nextEvent(dc, 'process', deadline);
    await deadline.within(dc.launchRequest({
      type: 'go',
      name: 'Launch fixture',
      request: 'launch',
      mode: 'debug',
      program: FIXTURE,
      dlvCwd: FIXTURE,
      output: path.join(tmp, 'dapfixture'),
    }), 'launch');
    await initialized;
    const pid = (await processEvent).body.systemProcessId;
    assert.ok(pid > 0, 'process event: systemProcessId');

    const line = breakLine();
    const bps = await deadline.within(dc.setBreakpointsRequest({
      source: { name: 'main.go', path: SOURCE },
      breakpoints: [{ line }],
      lines: [line],
      sourceModified: false,
    }), 'setBreakpoints');
    assert.equal(bps.body.breakpoints.length, 1, 'setBreakpoints: number of breakpoints');
    const [bp] = bps.body.breakpoints;
    assert.equal(bp.verified, true, `setBreakpoints: breakpoint not verified: ${bp.message}`);
    assert.equal(bp.line, line, 'setBreakpoints: line');
    assert.equal(bp.source?.path, SOURCE, 'setBreakpoints: source path');

    const stopped = nextEvent(dc, 'stopped', deadline);
    await deadline.within(dc.configurationDoneRequest(), 'configurationDone');
    const stop = await stopped;
    assert.equal(stop.body.reason, 'breakpoint', 'stopped: reason');
    assert.deepEqual(stop.body.hitBreakpointIds, [bp.id], 'stopped: hitBreakpointIds');
    const { threadId } = stop.body;

    const st = await deadline.within(dc.stackTraceRequest({ threadId, startFrame: 0, levels: 20 }), 'stackTrace');
    const top = st.body.stackFrames[0];
    assert.equal(top.name, 'main.greeter.greet', 'stackTrace: top frame name');
    assert.equal(top.line, line, 'stackTrace: top frame line');
    assert.equal(top.source?.path, SOURCE, 'stackTrace: top frame source');
    assert.equal(st.body.stackFrames[1]?.name, 'main.main', 'stackTrace: caller frame name');

    const sc = await deadline.within(dc.scopesRequest({ frameId: top.id }), 'scopes');
    const locals = sc.body.scopes.find((s) => s.name === 'Locals');
    assert.ok(locals, `scopes: no Locals scope in ${JSON.stringify(sc.body.scopes.map((s) => s.name))}`);

    const vars = await deadline.within(dc.variablesRequest({ variablesReference: locals.variablesReference }), 'variables');
    const byName = Object.fromEntries(vars.body.variables.map((v) => [v.name, v]));
    assert.equal(byName.msg?.value, '"hello, dap #1"', 'variables: msg');
    assert.equal(byName.msg?.type, 'string', 'variables: type of msg');
    assert.equal(byName.n?.value, '1', 'variables: argument n');
    assert.ok(byName.g?.variablesReference > 0, 'variables: receiver g is expandable');

    const fields = await deadline.within(dc.variablesRequest({ variablesReference: byName.g.variablesReference }), 'variables of g');
    assert.equal(fields.body.variables.find((v) => v.name === 'name')?.value, '"dap"', 'variables: g.name');

    if (!stopButton) {
      const terminated = nextEvent(dc, 'terminated', deadline);
      await deadline.within(dc.continueRequest({ threadId }), 'continue');
      await terminated;
      // The debuggee inherits the adapter's stdout (outputMode "local"), which
      // is where vscode-go reads program output from.
      await adapter.waitOutput('stdout', 'hello, dap #1\n', deadline);
    }

    await deadline.within(dc.disconnectRequest({ restart: false }), 'disconnect');
    // With one client and no --accept-multiclient the adapter exits after
    // disconnect, as `dlv dap` does, and leaves no program behind.
    const code = await deadline.within(adapter.exited, 'the adapter to exit after disconnect');
    assert.equal(code, 0, 'adapter exit code');
    assert.ok(gone(pid), `debuggee ${pid} still runs after the adapter exited`);
    if (stopButton) {
      assert.ok(!adapter.text.stdout.includes('hello, dap'), 'the program ran past the breakpoint after disconnect');
    }
  } catch (err) {
    // Logs are printed only when the test fails.
    t.diagnostic(`adapter log:\n${adapter.log()}`);
    t.diagnostic(`DAP trace:\n${trace.join('\n')}`);
    throw err;
  }
}

test('VS Code style session, listening line on fd 3 (--log-dest=3)', { timeout: TEST_MS },
  (t) => session(t, { args: VSCODE_ARGS, logFd3: true }));

test('session with the listening line on stdout (dap -l)', { timeout: TEST_MS },
  (t) => session(t, { args: NVIM_ARGS, logFd3: false }));

test('stop button: disconnect at a breakpoint kills the program', { timeout: TEST_MS },
  (t) => session(t, { args: VSCODE_ARGS, logFd3: true, stopButton: true }));
