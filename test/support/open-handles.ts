/**
 * Mocha exits by itself once the tests leave nothing open (no `exit: true`): a test that leaves a
 * connection, server, child process or timer behind is a bug. Rather than hang, the run says what
 * is still open and fails.
 */
const GRACE_MS = 10_000;

export function mochaGlobalTeardown(): void {
  // Unreferenced: it fires only if something else still keeps the process alive.
  setTimeout(() => {
    process.stderr.write(`\nstill open ${GRACE_MS / 1000} s after the last test, keeping the process alive: ${process.getActiveResourcesInfo().join(", ")}\n`);
    // Mocha sets the exit code from the failures in an "exit" listener of its own; this one runs after it.
    process.once("exit", () => (process.exitCode = 1));
    process.exit(1);
  }, GRACE_MS).unref();
}
