/**
 * This package's entry points (`walrus-spec`, `walrus-spec/models`, …, from package.json
 * `exports`) as the URLs of the modules that implement them: the compiled ones under dist/, or
 * their TypeScript sources when the package runs from them (tests). Model modules that import
 * `walrus-spec` are pointed at these (models/load.ts, and vitest.config.ts for the tests).
 */

import { readFileSync } from "node:fs";

/** Entry point name → module URL; `fromSources`: the `.ts` sources rather than dist/. */
export function packageEntryPoints(packageRoot: URL, fromSources: boolean): Record<string, string> {
  const pkg = JSON.parse(readFileSync(new URL("package.json", packageRoot), "utf8")) as {
    name: string;
    exports: Record<string, string | { import?: string }>;
  };
  const map: Record<string, string> = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    const file = typeof target === "string" ? target : target.import;
    if (file === undefined || !file.endsWith(".js")) continue;
    const path = fromSources ? file.replace(/^\.\/dist\//, "./").replace(/\.js$/, ".ts") : file;
    map[key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`] = new URL(path, packageRoot).href;
  }
  return map;
}
