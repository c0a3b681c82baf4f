/**
 * A counterexample's or witness's files, as `check` writes them beside its report and `replay`
 * reads them back: the ITF trace and the Mermaid sequence diagram, under one name from the model
 * and the property.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "../model.js";
import type { Path } from "../path.js";
import { type PropertyRef, type ToItfOptions, toItf } from "./itf.js";
import { toMermaidSequence } from "./sequence-diagram.js";

/** A name as a file name part: runs of anything but letters, digits, `.`, `_` and `-` become `-`. */
const fileSafe = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "") || "trace";

/** A trace's files as text: the ITF JSON and the Mermaid sequence diagram, and the name they share. */
export interface TraceTexts {
  /** `<model>.<property id>`, made safe as a file name. */
  readonly base: string;
  readonly itf: string;
  readonly mermaid: string;
}

/**
 * The ITF trace and the Mermaid diagram of a counterexample (`always`, `eventually`) or witness
 * (`sometimes`) of the property with id `propertyId`; `modelName` is the model's catalogue name,
 * by which `walrus-spec replay` finds it again. `description` replaces the trace's default one.
 */
export function traceTexts<S, A>(
  modelName: string,
  model: Model<S, A>,
  propertyId: string,
  kind: PropertyRef["kind"],
  path: Path<S, A>,
  options: ToItfOptions<S, A> & { readonly loopStart?: number; readonly description?: string } = {},
): TraceTexts {
  const { loopStart, description, ...itfOptions } = options;
  const itf = toItf(
    model,
    path,
    {
      model: modelName,
      property: propertyId,
      kind,
      ...(loopStart !== undefined ? { loopStart } : {}),
      ...(description !== undefined ? { description } : {}),
    },
    itfOptions,
  );
  const { propertyName, verdict } = itf["#meta"];
  const mermaid = toMermaidSequence(model, path, `${modelName}: ${verdict} of ${propertyName}`, {
    name: propertyName,
    kind,
  });
  return {
    base: `${fileSafe(modelName)}.${fileSafe(propertyId)}`,
    itf: `${JSON.stringify(itf, null, 2)}\n`,
    mermaid,
  };
}

/**
 * Writes `<model>.<property id>.itf.json` and `<model>.<property id>.mmd` ({@link traceTexts})
 * into `dir`, created if need be; returns their paths.
 */
export function writeTraceFiles<S, A>(
  dir: string,
  modelName: string,
  model: Model<S, A>,
  propertyId: string,
  kind: PropertyRef["kind"],
  path: Path<S, A>,
  options: ToItfOptions<S, A> & { readonly loopStart?: number } = {},
): { readonly itf: string; readonly mermaid: string } {
  const texts = traceTexts(modelName, model, propertyId, kind, path, options);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, texts.base);
  const files = { itf: `${base}.itf.json`, mermaid: `${base}.mmd` };
  writeFileSync(files.itf, texts.itf);
  writeFileSync(files.mermaid, texts.mermaid);
  return files;
}
