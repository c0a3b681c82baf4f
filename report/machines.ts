/**
 * The machines the docs draw, found by looking, not by a list: every xstate machine a module of
 * machines/ exports (and those of a machine made of several modules, `machines/node/`), each with
 * its page name and its source file.
 */

import { readFile, readdir } from "node:fs/promises";
import { join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type AnyStateMachine, StateMachine } from "xstate";
import { UsageError } from "./errors.js";

/** The compiled machine modules beside this one (sources under tsx and vitest, JavaScript under dist/). */
const MACHINE_MODULES = fileURLToPath(new URL("../machines/", import.meta.url));

/** A machine the docs draw: its page name, its export and source file, its definition. */
export interface MachineEntry {
  /** The page's name: the export without `Machine`, in kebab case (`storageNodeMachine` → `storage-node`). */
  readonly name: string;
  readonly exportName: string;
  /** The source file, relative to the package root, with `/` (`machines/storage-node.ts`). */
  readonly source: string;
  readonly machine: AnyStateMachine;
}

const kebab = (name: string) =>
  name
    .replace(/Machine$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase();

/**
 * Every machine the modules of machines/ export, by file and then export name. A machine exported
 * by several modules (a re-export) is documented once, under the module that declares it.
 */
export async function discoverMachines(directory = MACHINE_MODULES): Promise<MachineEntry[]> {
  const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  let files: string[];
  try {
    // The machines' modules, and those of a machine made of several (`node/`, one level down).
    files = (await readdir(directory, { recursive: true }))
      .map((f) => f.split(sep).join("/"))
      .filter((f) => f.split("/").length <= 2 && f.endsWith(extension) && !f.endsWith(".d.ts"))
      .sort();
  } catch (error) {
    throw new UsageError(`cannot list the machines in ${directory}: ${(error as Error).message}`);
  }
  const found = new Map<AnyStateMachine, { exportName: string; base: string; declares: boolean }[]>();
  for (const file of files) {
    const base = file.slice(0, -extension.length);
    let exports: Record<string, unknown>;
    let text: string;
    try {
      text = await readFile(join(directory, file), "utf8");
      exports = (await import(pathToFileURL(join(directory, file)).href)) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`cannot load machines/${base}.ts: ${(error as Error).message}`);
    }
    for (const [exportName, value] of Object.entries(exports).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!(value instanceof StateMachine)) continue;
      const declares = new RegExp(`export (?:const|let|var) ${exportName}\\b`).test(text);
      found.set(value, [...(found.get(value) ?? []), { exportName, base, declares }]);
    }
  }
  const entries: MachineEntry[] = [];
  for (const [machine, candidates] of found) {
    const { exportName, base } = candidates.find((c) => c.declares) ?? (candidates[0] as (typeof candidates)[0]);
    entries.push({ name: kebab(exportName), exportName, source: `machines/${base}.ts`, machine });
  }
  entries.sort((a, b) =>
    a.source === b.source ? (a.exportName < b.exportName ? -1 : 1) : a.source < b.source ? -1 : 1,
  );
  // Two files may name their machines alike; the file's name then tells the pages apart.
  return entries.map((entry) =>
    entries.some((other) => other !== entry && other.name === entry.name)
      ? { ...entry, name: `${entry.source.slice("machines/".length, -".ts".length)}-${entry.name}` }
      : entry,
  );
}
