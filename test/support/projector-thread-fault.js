// Preloaded (NODE_OPTIONS=--require) into a Vigil process by test/projector-thread.e2e-spec.ts: the projector
// thread throws an uncaught error once the main thread first asks it for its metrics (a GET /metrics), as a
// thread that fails at run time would. The main thread is left as shipped.
const { isMainThread, parentPort } = require('node:worker_threads');

if (!isMainThread && parentPort) {
  parentPort.on('message', (message) => {
    if (message && message.type === 'metrics') {
      setImmediate(() => {
        throw new Error('the fault the test injects into the projector thread');
      });
    }
  });
}
