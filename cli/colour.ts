/**
 * The verdict colours of `walrus-spec check`'s text report on a terminal: whether to colour at all
 * (NO_COLOR, FORCE_COLOR, a terminal with colours) and each verdict word's colour.
 */

import { styleText } from "node:util";

/**
 * Whether the text report on `stream` is coloured: on a terminal, unless NO_COLOR is set
 * (no-color.org) or the terminal has no colours; FORCE_COLOR forces it.
 */
export function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY) && (typeof stream.hasColors !== "function" || stream.hasColors());
}

/** The verdict words of the text report and their colours. */
const VERDICT_COLOURS: ReadonlyArray<[RegExp, Parameters<typeof styleText>[0]]> = [
  [/^(\s*)(ok)(\b)/, "green"],
  [/^(\s*)(FAIL|VACUOUS|UNEXPECTED)(\b)/, ["red", "bold"]],
  [/^(\s*)(fails|vacuous|expected)(\b)/, "yellow"],
  [/^(\s*)(UNKNOWN)(\b)/, "yellow"],
  [/^(models: \d+ passed, )(\d+ failed)()/, "red"],
  [/(, )(\d+ incomplete)()$/, "yellow"],
  [/(, )(INCOMPLETE[^,]*)(,)/, "yellow"],
];

/**
 * A line of the text report with its verdict coloured (`models: … 0 failed` stays plain). Whether
 * to colour at all is {@link useColour}'s decision, so styleText is told not to second-guess it.
 */
export function colourVerdict(line: string): string {
  let out = line;
  for (const [pattern, style] of VERDICT_COLOURS) {
    out = out.replace(pattern, (whole, before: string, word: string, after: string) =>
      word === "0 failed" ? whole : `${before}${styleText(style, word, { validateStream: false })}${after}`,
    );
  }
  return out;
}
