/**
 * Markdown tables as GitHub renders them, written one way for every generated page and printed
 * table: text made safe for a cell (a `|` escaped, a line break made a space), code spans, rows and
 * the delimiter row under a table's header.
 */

/** Text safe inside a table cell: `|` escaped, line breaks (with the spaces around them) one space. */
export const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** Text as a code span inside a cell; nothing for empty text. */
export const code = (text: string) => (text === "" ? "" : `\`${cell(text)}\``);

/** One row: `| a | b |`. The cells are Markdown already (see {@link cell}). */
export const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;

/** How a column's text is aligned: as the renderer likes (`---`) or to the right (`---:`, numbers). */
export type Alignment = "default" | "right";

/** How the delimiter row is written: `| --- | --- |` (spaced) or `|---|---:|` (compact). */
export type DelimiterStyle = "spaced" | "compact";

/** How a table is written. */
export interface TableOptions {
  /** Each column's alignment (default: `default` for every column). */
  readonly align?: readonly Alignment[];
  /** Default: `spaced`. */
  readonly delimiter?: DelimiterStyle;
}

/** The delimiter row under a header of `columns` cells. */
export function delimiterRow(columns: number, options: TableOptions = {}): string {
  const rules = Array.from({ length: columns }, (_, i) => (options.align?.[i] === "right" ? "---:" : "---"));
  return options.delimiter === "compact" ? `|${rules.join("|")}|` : row(rules);
}

/** A table's lines: the header, the delimiter row, then one line per row. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string[] {
  return [row(header), delimiterRow(header.length, options), ...rows.map(row)];
}
