/**
 * Model modules: an auditor's own models, loaded from a file (`walrus-spec check --model FILE`,
 * `list --model FILE`, `replay --model FILE`) and checked exactly as the built-in catalogue's.
 *
 * A module exports one model or a catalogue, as its default export or as `models`: a catalogue
 * entry ({@link defineModel}), a list of entries, or a bare checker {@link Model} (listed under its
 * own `name`). Compiled JavaScript is imported as it is; TypeScript (`.ts`, `.mts`, `.cts`) is
 * compiled by esbuild, the compiler of tsx, which the project itself runs on. A module that imports `walrus-spec` or one of its
 * entry points (`walrus-spec/models`, `walrus-spec/checker`, …) gets the very package that loads
 * it, wherever the file lives: one copy of the checker's classes, and no install beside the file.
 */

import { statSync } from "node:fs";
import { register } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Model } from "../checker/model.js";
import { packageEntryPoints } from "./entry-points.js";
import { type BuildOptions, MODELS, type ModelEntry, buildModel as buildBuiltIn, defineModel } from "./index.js";

/** A model module could not be loaded or exports no model. */
export class ModelModuleError extends Error {
  override readonly name = "ModelModuleError";
}

/** Models by name, from the built-in catalogue or from a model module. */
export interface ModelCatalogue {
  /** The module's URL; absent for the built-in catalogue. */
  readonly module?: string;
  readonly entries: readonly ModelEntry[];
}

/** The catalogue of `models/index.ts`. */
export const BUILT_IN: ModelCatalogue = { entries: MODELS };

const FROM_SOURCES = import.meta.url.endsWith(".ts");
const PACKAGE_ROOT = new URL(FROM_SOURCES ? "../" : "../../", import.meta.url);

let hooksRegistered = false;

/**
 * Node's module hooks for model modules: `walrus-spec…` imports resolve to this package, and
 * TypeScript files outside this package are compiled to ES modules by esbuild (tsx's compiler),
 * whatever the `type` of the package around them says — as are the `.ts` files they import, by
 * the `.js` name TypeScript's own resolution writes (`./helpers.js` for `./helpers.ts`).
 */
function registerHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  const data = {
    map: packageEntryPoints(PACKAGE_ROOT, FROM_SOURCES),
    esbuild: import.meta.resolve("esbuild"),
    packageRoot: PACKAGE_ROOT.href,
  };
  const hooks = `import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
const { map, esbuild: ESBUILD, packageRoot } = ${JSON.stringify(data)};
const isTs = (url) => url.startsWith("file:") && !url.startsWith(packageRoot) && /\\.[cm]?ts$/.test(new URL(url).pathname);
let esbuild;
export async function resolve(specifier, context, next) {
  const url = map[specifier];
  if (url !== undefined) return { url, shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (error) {
    const parent = context.parentURL ?? "";
    if (!isTs(parent) || !/^\\.{1,2}\\//.test(specifier) || !specifier.endsWith(".js")) throw error;
    return next(specifier.slice(0, -3) + ".ts", context);
  }
}
export async function load(url, context, next) {
  if (!isTs(url)) return next(url, context);
  esbuild ??= await import(ESBUILD);
  const path = fileURLToPath(url);
  const { code } = await esbuild.transform(await readFile(path, "utf8"), {
    loader: "ts", format: "esm", target: "node20", sourcefile: path, sourcemap: "inline",
  });
  return { format: "module", source: code, shortCircuit: true };
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

const isModel = (value: unknown): value is Model<unknown, unknown> =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Model<unknown, unknown>).initStates === "function" &&
  typeof (value as Model<unknown, unknown>).actions === "function" &&
  typeof (value as Model<unknown, unknown>).nextState === "function" &&
  Array.isArray((value as Model<unknown, unknown>).properties);

const isEntry = (value: unknown): value is ModelEntry =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as ModelEntry).name === "string" &&
  (value as ModelEntry).name !== "" &&
  typeof (value as ModelEntry).description === "string" &&
  typeof (value as ModelEntry).build === "function";

/** The entries a module's export stands for, or undefined when it is not a model. */
function entriesOf(value: unknown): ModelEntry[] | undefined {
  if (isModel(value)) {
    const model = value;
    return [defineModel({ name: model.name, description: `the model ${model.name}`, build: () => model })];
  }
  if (isEntry(value)) return [value];
  if (Array.isArray(value) && value.length > 0) {
    const entries = value.map(entriesOf);
    if (entries.every((e) => e !== undefined)) return entries.flat();
  }
  return undefined;
}

const EXPECTED =
  "export default (or export as `models`) a model: defineModel({ name, description, build }) from walrus-spec/models, a list of them, or a checker Model";

/** Loads the model module at `file` (a path, relative to the working directory). */
export async function loadModelModule(file: string): Promise<ModelCatalogue> {
  const path = resolve(file);
  try {
    if (!statSync(path).isFile()) throw new ModelModuleError(`${file}: not a file`);
  } catch (error) {
    if (error instanceof ModelModuleError) throw error;
    throw new ModelModuleError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const url = pathToFileURL(path).href;
  return catalogueAt(url, file);
}

async function catalogueAt(url: string, shown: string): Promise<ModelCatalogue> {
  registerHooks();
  let exports: Record<string, unknown>;
  try {
    exports = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ModelModuleError(`cannot load ${shown}: ${(error as Error).message.split("\n")[0]}`);
  }
  const entries = entriesOf(exports.default) ?? entriesOf(exports.models);
  if (entries === undefined) throw new ModelModuleError(`${shown} exports no model: ${EXPECTED}`);
  const names = entries.map((e) => e.name);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) throw new ModelModuleError(`${shown} names two models ${repeated[0]}`);
  return { module: url, entries };
}

/** The entry named `name` in `catalogue`, or undefined. */
export function findIn(catalogue: ModelCatalogue, name: string): ModelEntry | undefined {
  return catalogue.entries.find((entry) => entry.name === name);
}

/** How a parallel search's worker rebuilds a model: by name, from the catalogue it came from. */
export interface WorkerBuildOptions extends BuildOptions {
  /** The model module's URL; absent for the built-in catalogue. */
  readonly module?: string;
}

/** Builds the model `name` (what the parallel search's workers call to get their own copy). */
export async function buildModel(name: string, options: WorkerBuildOptions = {}): Promise<Model<unknown, unknown>> {
  const { module, ...build } = options;
  if (module === undefined) return buildBuiltIn(name, build);
  const entry = findIn(await catalogueAt(module, module), name);
  if (entry === undefined) throw new RangeError(`unknown model ${name}`);
  return entry.build(build);
}
