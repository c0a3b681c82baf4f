/** What a CLI command run in-process prints: stdout and stderr captured per test, exit code reset. */

import { afterAll, afterEach, vi } from "vitest";

/** Captures stdout and stderr for the tests of the enclosing `describe`, and restores them after. */
export function captureOutput() {
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  afterEach(() => {
    stdout.mockClear();
    stderr.mockClear();
    process.exitCode = undefined;
  });
  afterAll(() => {
    stdout.mockRestore();
    stderr.mockRestore();
  });
  const printed = (spy: typeof stdout) => spy.mock.calls.map((call) => String(call[0])).join("");
  return { stdout, stderr, printed };
}
