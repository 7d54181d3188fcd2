'use strict';
// events.js holds what the DebugClient tests do with a client's messages:
// trace them for the failure log, and wait for an event without missing it.

/**
 * traced wraps dc so that every request, response and event is written to
 * trace, for the failure log.
 */
function traced(dc, trace) {
  const send = dc.send.bind(dc);
  dc.send = (command, args) => {
    trace.push(`-> ${command} ${JSON.stringify(args ?? {})}`);
    return send(command, args).then(
      (resp) => {
        trace.push(`<- ${command} ${JSON.stringify(resp.body ?? {})}`);
        return resp;
      },
      (err) => {
        trace.push(`<- ${command} error: ${err.message}`);
        throw err;
      },
    );
  };
  const emit = dc.emit.bind(dc);
  dc.emit = (name, ev) => {
    trace.push(`<- event ${name} ${JSON.stringify(ev?.body ?? {})}`);
    return emit(name, ev);
  };
  return dc;
}

/**
 * nextEvent returns a promise of the next event of type, bounded by deadline.
 * Call it before the request that causes the event, so it cannot be missed.
 */
function nextEvent(dc, type, deadline) {
  let listener;
  const seen = new Promise((resolve) => {
    listener = resolve;
    dc.once(type, listener);
  });
  const bounded = deadline.within(seen, `event "${type}"`)
    .finally(() => dc.removeListener(type, listener));
  bounded.catch(() => {}); // the caller awaits it; this only avoids an unhandled-rejection report before that.
  return bounded;
}

/**
 * outputEvent returns a promise of the first output event, from now on,
 * whose body match accepts, bounded by deadline.
 */
function outputEvent(dc, match, deadline) {
  let listener;
  const seen = new Promise((resolve) => {
    listener = (ev) => {
      if (match(ev.body)) resolve(ev);
    };
    dc.on('output', listener);
  });
  const bounded = deadline.within(seen, 'an output event')
    .finally(() => dc.removeListener('output', listener));
  bounded.catch(() => {}); // as in nextEvent
  return bounded;
}

module.exports = { traced, nextEvent, outputEvent };
