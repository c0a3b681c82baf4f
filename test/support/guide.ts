/** The auditor's own files the guide (docs/README.md) shows: blocks opening `// FILE (your own file)`. */

/** The header of such a block. */
export const OWN_FILE = /^\/\/ ([\w.-]+\.ts) \(your own file\)$/;

/** Each own file of the guide: its name and its text. */
export function guideOwnFiles(guide: string): { readonly name: string; readonly text: string }[] {
  return [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].flatMap((match) => {
    const text = match[1] ?? "";
    const name = OWN_FILE.exec(text.split("\n")[0] ?? "")?.[1];
    return name === undefined ? [] : [{ name, text }];
  });
}
