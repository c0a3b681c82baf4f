import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import { packageEntryPoints } from "./models/entry-points.js";

// A model module the tests load imports `walrus-spec/…` as an auditor's does: here, the sources.
const self = Object.entries(packageEntryPoints(new URL("./", import.meta.url), true)).map(([name, url]) => ({
  find: new RegExp(`^${name.replace("/", "\\/")}$`),
  replacement: fileURLToPath(url),
}));

export default defineConfig({
  resolve: { alias: self },
  test: {
    include: ["test/**/*.test.ts"],
    // The installed package's tests (npm run test:pack) pack and install it first.
    exclude: [...configDefaults.exclude, "test/pack/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default leaves one core idle, which on a 2-core CI machine runs the files one by
    // one: two workers there take the suite from about 170 s to about 120 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
