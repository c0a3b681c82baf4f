/**
 * Starting a worker thread on a module of this package: the compiled `.js` as it is, or, when the
 * package runs from its TypeScript sources (tests, benchmarks, `tsx`), the `.ts` source through
 * tsx, which a new thread must register for itself.
 */

import { Worker, type WorkerOptions } from "node:worker_threads";

/** A worker running `module`, a module URL ending in `.js` or `.ts`. */
export function startModuleWorker(module: URL, options: WorkerOptions = {}): Worker {
  if (!module.href.endsWith(".ts")) return new Worker(module, options);
  // tsx as this package resolves it: the thread's own resolution starts from the working directory.
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * The URL of the module `name` (a path without extension, relative to `importMetaUrl`'s folder),
 * in the same form as `importMetaUrl` (.ts or .js).
 */
export function siblingModule(name: string, importMetaUrl: string): URL {
  return new URL(`./${name}.${importMetaUrl.endsWith(".ts") ? "ts" : "js"}`, importMetaUrl);
}
