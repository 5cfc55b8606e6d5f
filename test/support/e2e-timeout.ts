// Each end-to-end test boots a whole Vigil (stores, projector, notifier, HTTP): jest's 5 s default is too tight for
// a hook on a loaded 2-core machine. Set here, not as the project's `testTimeout` in jest.config.js: jest reads that
// option only at the top level and silently ignores it in a project. A test that needs longer still says so itself.
jest.setTimeout(20_000);
