/** What `npm run check` recorded (docs/check-results.json): the one home of the default models' counts. */

import { readCheckResults } from "../../report/check-results.js";

/** The unique states recorded for each of `models` (undefined for a model not recorded). */
export async function recordedStates(...models: string[]): Promise<(number | undefined)[]> {
  const record = await readCheckResults();
  return models.map((name) => record?.models.find((m) => m.model === name)?.states);
}
