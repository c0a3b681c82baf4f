import { defineConfig } from "vitest/config";

// `npm run test:pack`: the packed package installed in an empty project (test/pack/), one file,
// apart from the suite because it packs, installs and spawns the installed command line.
export default defineConfig({
  test: {
    include: ["test/pack/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
