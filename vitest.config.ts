import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import { packageEntryPoints } from "./models/entry-points.js";

/** Test files that replace a module (`vi.mock`) and so need a module graph of their own. */
const MOCKING = ["test/cli.test.ts"];

// A model module the tests load imports `walrus-spec/…` as an auditor's does: here, the sources.
const self = Object.entries(packageEntryPoints(new URL("./", import.meta.url), true)).map(([name, url]) => ({
  find: new RegExp(`^${name.replace("/", "\\/")}$`),
  replacement: fileURLToPath(url),
}));

export default defineConfig({
  resolve: { alias: self },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default leaves one core idle, which on a 2-core CI machine runs the files one by
    // one: two workers there take the suite from about 170 s to about 120 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        // Most files share each worker's modules: loading the sources (every model, the codec)
        // once a worker instead of once a file took the summed import time from 72 s to 14 s.
        // What the modules keep between files is content-addressed (spec/store.ts, the codec's
        // memo tables) and the same whichever file filled it.
        extends: true,
        test: {
          name: "shared",
          include: ["test/**/*.test.ts"],
          // The installed package's tests (npm run test:pack) pack and install it first.
          exclude: [...configDefaults.exclude, ...MOCKING, "test/pack/**"],
          isolate: false,
        },
      },
      { extends: true, test: { name: "isolated", include: MOCKING } },
    ],
  },
});
