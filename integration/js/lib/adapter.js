'use strict';
// adapter.js starts the debug adapter under test (`livepatch dap`, or any
// binary that behaves like `dlv dap`) the way editors do, and finds the
// address it listens on.
//
// VS Code (vscode-go) runs `<dlv> dap --listen=127.0.0.1:P --log-dest=3` with
// a pipe on fd 3 and waits for a chunk that starts with "DAP server listening
// at:" there or on stdout; other editors leave out --log-dest and read the
// same line from stdout.

const { spawn } = require('node:child_process');

// LISTENING matches the listening line at the very start of a stream:
// vscode-go only looks for it at the start of a chunk, so nothing may be
// written before it.
const LISTENING = /^DAP server listening at: (\S+):(\d+)\r?\n/;

/**
 * Adapter is a running debug adapter process. Its stdout, stderr and fd 3
 * are drained all the time into a transcript that log() returns; drained so
 * that a chatty adapter or debuggee never blocks on a full pipe.
 */
class Adapter {
  /**
   * The constructor spawns bin with args in cwd, stdin, stdout and stderr
   * on pipes. With logFd3 it adds a pipe on fd 3, for args that hold
   * --log-dest=3, and expects the listening line there; otherwise on stdout.
   * @param {string} bin path of the adapter binary
   * @param {{cwd: string, args: string[], logFd3: boolean}} opts
   */
  constructor(bin, { cwd, args, logFd3 }) {
    const stdio = ['pipe', 'pipe', 'pipe'];
    if (logFd3) {
      stdio.push('pipe');
    }
    this.argv = [bin, ...args];
    this.listenStream = logFd3 ? 'fd3' : 'stdout';
    this.text = { stdout: '', stderr: '', fd3: '' };
    this.lines = [];
    this.proc = spawn(bin, args, { cwd, stdio });
    this.exitCode = undefined;
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitCode = code === null ? signal : code;
        this.lines.push(`[exit] ${this.exitCode}`);
        resolve(this.exitCode);
      });
      this.proc.on('error', (err) => {
        this.exitCode = `spawn error: ${err.message}`;
        this.lines.push(`[error] ${err.message}`);
        resolve(this.exitCode);
      });
    });
    this.changed = [];
    const drain = (name, stream) => {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        this.text[name] += chunk;
        for (const line of chunk.split('\n')) {
          if (line !== '') this.lines.push(`[${name}] ${line}`);
        }
        for (const notify of this.changed.splice(0)) notify();
      });
    };
    drain('stdout', this.proc.stdout);
    drain('stderr', this.proc.stderr);
    if (logFd3) drain('fd3', this.proc.stdio[3]);
  }

  /**
   * port waits, within deadline, for the listening line at the start of fd 3
   * or stdout and returns its port. It fails if anything else comes first, if
   * the adapter exits first, or if it listens on an address other than
   * 127.0.0.1.
   * @param {import('./deadline').Deadline} deadline
   * @returns {Promise<number>}
   */
  async port(deadline) {
    const found = () => LISTENING.exec(this.text[this.listenStream]);
    while (!found()) {
      const text = this.text[this.listenStream];
      const want = 'DAP server listening at: ';
      if (!want.startsWith(text.slice(0, want.length))) {
        throw new Error(`${this.listenStream} starts with ${JSON.stringify(text.split('\n')[0])}, want the listening line first`);
      }
      if (this.exitCode !== undefined) {
        throw new Error(`adapter exited (${this.exitCode}) before printing its listening line on ${this.listenStream}`);
      }
      const more = new Promise((resolve) => {
        this.changed.push(resolve);
        this.exited.then(resolve);
      });
      await deadline.within(more, `"DAP server listening at:" on ${this.listenStream}`);
    }
    const [, host, port] = found();
    if (host !== '127.0.0.1') {
      throw new Error(`adapter listens on ${host}, want 127.0.0.1`);
    }
    return Number(port);
  }

  /**
   * waitOutput waits, within deadline, until stream holds text.
   * @param {'stdout'|'stderr'|'fd3'} stream
   * @param {string} text
   * @param {import('./deadline').Deadline} deadline
   */
  async waitOutput(stream, text, deadline) {
    while (!this.text[stream].includes(text)) {
      if (this.exitCode !== undefined) {
        throw new Error(`adapter exited (${this.exitCode}) without writing ${JSON.stringify(text)} on ${stream}`);
      }
      const more = new Promise((resolve) => {
        this.changed.push(resolve);
        this.exited.then(resolve);
      });
      await deadline.within(more, `${JSON.stringify(text)} on the adapter's ${stream}`);
    }
  }

  /**
   * stop kills the adapter if it still runs and waits for it to exit, at most
   * ms milliseconds. It never throws: it is for cleanup.
   * @param {number} ms
   */
  async stop(ms) {
    this.proc.stdin.end();
    if (this.exitCode === undefined) {
      this.proc.kill('SIGKILL');
    }
    let timer;
    await Promise.race([
      this.exited,
      new Promise((resolve) => { timer = setTimeout(resolve, ms); }),
    ]);
    clearTimeout(timer);
  }

  /** log returns the command line and everything the adapter wrote. */
  log() {
    return [`$ ${this.argv.join(' ')}`, ...this.lines].join('\n');
  }
}

module.exports = { Adapter };
