// Prints the run's totals as one plain line after jest's own summary, "Tests: <n> passed, <n> failed, <n> skipped",
// so that CI logs and tools that read closing lines see what ran.
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\nTests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = PlainSummaryReporter;
