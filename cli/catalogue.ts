/**
 * The model catalogue a command reads: the built-in one, or the module `--model FILE` names
 * (models/load.ts), whose loading errors are usage errors (exit code 2).
 */

import { BUILT_IN, type ModelCatalogue, ModelModuleError, loadModelModule } from "../models/load.js";
import { UsageError } from "./errors.js";

/** The catalogue of `--model FILE`, or the built-in one. */
export async function catalogueFor(file: string | undefined): Promise<ModelCatalogue> {
  if (file === undefined) return BUILT_IN;
  try {
    return await loadModelModule(file);
  } catch (error) {
    if (error instanceof ModelModuleError) throw new UsageError(error.message);
    throw error;
  }
}
