/**
 * Where a property or a machine comes from, as the generated tables write it: protocol sections
 * ordered as numbers and titled, Walrus implementation files linked at the commit the protocol
 * notes describe.
 */

import type { Source } from "../checker/model.js";
import { PROTOCOL_SECTIONS, type ProtocolSection, WALRUS_COMMIT, WALRUS_REPOSITORY } from "../spec/sources.js";
import { cell } from "./markdown.js";

/** Orders sections as numbers part by part (`2.1` < `2.10` < `3`). */
export function compareSections(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** A section's title. */
export const sectionTitle = (section: string) => PROTOCOL_SECTIONS[section as ProtocolSection] ?? "";

/** The top-level section of a section (`3.1` → `3`). */
export const topOf = (section: string) => section.split(".")[0] as string;

/** A path in the Walrus repository: its file and the item after `::`, if any. */
function splitFile(file: string): { path: string; item: string } {
  const at = file.indexOf("::");
  return at < 0 ? { path: file, item: "" } : { path: file.slice(0, at), item: file.slice(at) };
}

/** The file part of a source's file (the item after `::` left out): what the matrix groups by. */
export const filePath = (file: string) => splitFile(file).path;

/** Whether a file is a path in the Walrus repository (not `repository: path` of another one). */
export const isWalrusFile = (file: string) => !file.includes(": ");

/** A file as a link to the Walrus repository at the commit the notes describe; others as text. */
export function fileMarkdown(file: string): string {
  if (!isWalrusFile(file)) return cell(file);
  const { path, item } = splitFile(file);
  return `[\`${path}\`](${WALRUS_REPOSITORY}/blob/${WALRUS_COMMIT}/${path})${item === "" ? "" : `\`${item}\``}`;
}

/** A source in a cell: its sections, what says it, and its files. */
export function sourceMarkdown(source: Source): string {
  const sections = [...(source.sections ?? [])].sort(compareSections).map((s) => `§${s}`);
  const head = [sections.join(", "), source.detail ?? ""].filter((part) => part !== "").join(": ");
  const files = (source.files ?? []).map(fileMarkdown).join(", ");
  return cell([head, files].filter((part) => part !== "").join("; "));
}
