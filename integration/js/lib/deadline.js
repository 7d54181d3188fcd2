'use strict';
// deadline.js bounds every wait of a test by one deadline, the way a Go test
// derives its waits from t.Deadline(): a wait that outlives the deadline fails
// with the name of the step that was waiting.

/**
 * Deadline is a point in time after which every wait fails.
 */
class Deadline {
  /**
   * @param {number} ms milliseconds from now
   */
  constructor(ms) {
    this.at = Date.now() + ms;
  }

  /** remaining returns the milliseconds left, never less than 0. */
  remaining() {
    return Math.max(0, this.at - Date.now());
  }

  /**
   * within resolves as promise does, or rejects with an error naming what
   * when the deadline passes first. The timer is cleared either way.
   * @template T
   * @param {Promise<T>} promise
   * @param {string} what the step being waited for, for the error message
   * @returns {Promise<T>}
   */
  within(promise, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}`)),
        this.remaining(),
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

module.exports = { Deadline };
