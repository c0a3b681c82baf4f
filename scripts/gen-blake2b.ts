/**
 * Generator for `spec/hash/blake2b-compress.ts`, the fully unrolled BLAKE2b
 * compression function (RFC 7693, section 3.2) used by `spec/hash/blake2b.ts`.
 *
 * Run: `npx tsx scripts/gen-blake2b.ts` (add `--check` to only verify that the
 * committed file is up to date).
 *
 * Representation: every 64-bit word is a pair of int32 locals, `<name>l` (low
 * half) and `<name>h` (high half). The 12 rounds are unrolled and the message
 * schedule SIGMA is resolved here, so every mixing step names its two message
 * words directly. 64-bit additions propagate the carry of the low halves into
 * the high halves; rotations by 32 / 24 / 16 / 63 become swaps and shifts.
 *
 * Two functions are generated:
 *  - `compress`: one generic compression of a 128-byte block (32 LE u32 message
 *    words) into a chaining value held as 16 u32 words.
 *  - `innerNode`: a complete BLAKE2b-256 of the 65-byte Merkle inner-node input
 *    0x01 ‖ left ‖ right, with the initial state folded in and the seven
 *    all-zero message words (and one zero half-word) dropped from the rounds.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** BLAKE2b initialisation vector (RFC 7693, section 2.6), as [high, low] u32 halves. */
export const IV: ReadonlyArray<readonly [number, number]> = [
  [0x6a09e667, 0xf3bcc908],
  [0xbb67ae85, 0x84caa73b],
  [0x3c6ef372, 0xfe94f82b],
  [0xa54ff53a, 0x5f1d36f1],
  [0x510e527f, 0xade682d1],
  [0x9b05688c, 0x2b3e6c1f],
  [0x1f83d9ab, 0xfb41bd6b],
  [0x5be0cd19, 0x137e2179],
];

/** Message schedule (RFC 7693, section 2.7); rounds 10 and 11 reuse rows 0 and 1. */
export const SIGMA: ReadonlyArray<ReadonlyArray<number>> = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

export const ROUNDS = 12;

/** Low 32 bits of the parameter block word 0 for an unkeyed 32-byte digest: digest length 32, key length 0, fanout 1, depth 1. */
export const PARAM0_LOW = 0x01010020;

/** How the carry out of a 32-bit low-half addition is computed. */
export type CarryStyle =
  /** unsigned comparison of the wrapped sum with an addend */
  | "cmp"
  /** majority-function bit trick: msb of (a & b) | ((a | b) & ~sum) */
  | "bits"
  /** exact float64 sum of the unsigned halves, carry = floor(sum / 2^32) */
  | "float";

export interface GenOptions {
  carry: CarryStyle;
}

export const DEFAULT_OPTIONS: GenOptions = { carry: "cmp" };

const hex = (x: number): string => `0x${(x >>> 0).toString(16).padStart(8, "0")}`;

/** A message word operand: expressions for its halves, or null when that half is known to be zero. */
interface Operand {
  l: string | null;
  h: string | null;
}

class Emitter {
  readonly lines: string[] = [];
  constructor(
    private readonly opts: GenOptions,
    private readonly indent = "  ",
  ) {}

  line(s: string): void {
    this.lines.push(s === "" ? "" : this.indent + s);
  }

  /** a += b (+ x): 64-bit addition of up to three operands. */
  add(a: string, b: string, x: Operand | null): void {
    const al = `${a}l`;
    const ah = `${a}h`;
    const bl = `${b}l`;
    const bh = `${b}h`;
    const xl = x?.l ?? null;
    const xh = x?.h ?? null;
    const hiTerms = (extra: string): string => [ah, bh, ...(xh ? [xh] : []), extra].join(" + ");
    switch (this.opts.carry) {
      case "float": {
        const sum = [`(${al} >>> 0)`, `(${bl} >>> 0)`, ...(xl ? [`(${xl} >>> 0)`] : [])].join(" + ");
        this.line(`s = ${sum};`);
        this.line(`${ah} = (${hiTerms("((s / 4294967296) | 0)")}) | 0;`);
        this.line(`${al} = s | 0;`);
        return;
      }
      case "cmp":
      case "bits": {
        const carry = (p: string, q: string, sum: string): string =>
          this.opts.carry === "cmp"
            ? `+((${sum} >>> 0) < (${p} >>> 0))`
            : `((${p} & ${q}) | ((${p} | ${q}) & ~${sum})) >>> 31`;
        this.line(`t = (${al} + ${bl}) | 0;`);
        this.line(`${ah} = (${ah} + ${bh}${xh ? ` + ${xh}` : ""} + (${carry(al, bl, "t")})) | 0;`);
        if (xl) {
          this.line(`${al} = (t + ${xl}) | 0;`);
          this.line(`${ah} = (${ah} + (${carry("t", xl, al)})) | 0;`);
        } else {
          this.line(`${al} = t;`);
        }
        return;
      }
    }
  }

  /** d = (d ^ a) >>> r (64-bit rotate right) for r in {32, 24, 16, 63}. */
  xorRotr(d: string, a: string, r: number): void {
    const dl = `${d}l`;
    const dh = `${d}h`;
    const al = `${a}l`;
    const ah = `${a}h`;
    if (r === 32) {
      this.line(`t = ${dl} ^ ${al};`);
      this.line(`${dl} = ${dh} ^ ${ah};`);
      this.line(`${dh} = t;`);
      return;
    }
    this.line(`t = ${dl} ^ ${al};`);
    this.line(`u = ${dh} ^ ${ah};`);
    if (r === 63) {
      // rotate left by one
      this.line(`${dl} = (t << 1) | (u >>> 31);`);
      this.line(`${dh} = (u << 1) | (t >>> 31);`);
    } else {
      this.line(`${dl} = (t >>> ${r}) | (u << ${32 - r});`);
      this.line(`${dh} = (u >>> ${r}) | (t << ${32 - r});`);
    }
  }

  /** The mixing function G (RFC 7693, section 3.1). */
  g(a: number, b: number, c: number, d: number, x: Operand | null, y: Operand | null): void {
    const va = `v${a}`;
    const vb = `v${b}`;
    const vc = `v${c}`;
    const vd = `v${d}`;
    this.add(va, vb, x);
    this.xorRotr(vd, va, 32);
    this.add(vc, vd, null);
    this.xorRotr(vb, vc, 24);
    this.add(va, vb, y);
    this.xorRotr(vd, va, 16);
    this.add(vc, vd, null);
    this.xorRotr(vb, vc, 63);
  }

  rounds(msg: (i: number) => Operand | null): void {
    const cols: ReadonlyArray<readonly [number, number, number, number]> = [
      [0, 4, 8, 12],
      [1, 5, 9, 13],
      [2, 6, 10, 14],
      [3, 7, 11, 15],
      [0, 5, 10, 15],
      [1, 6, 11, 12],
      [2, 7, 8, 13],
      [3, 4, 9, 14],
    ];
    for (let r = 0; r < ROUNDS; r++) {
      const s = SIGMA[r % 10] as ReadonlyArray<number>;
      this.line(`// round ${r}`);
      cols.forEach(([a, b, c, d], i) => {
        const xi = s[2 * i] as number;
        const yi = s[2 * i + 1] as number;
        this.line(`// G(v${a}, v${b}, v${c}, v${d}, m${xi}, m${yi})`);
        this.g(a, b, c, d, msg(xi), msg(yi));
      });
    }
  }
}

function genCompress(opts: GenOptions): string[] {
  const e = new Emitter(opts);
  const out: string[] = [];
  out.push(
    "/**",
    " * One BLAKE2b compression F(h, m, t, f) (RFC 7693, section 3.2).",
    " *",
    " * @param h chaining value, 16 u32 words (low, high half of h[0], then h[1], ...); updated in place.",
    " * @param m message block, 32 LE u32 words (low, high half of m[0], then m[1], ...).",
    " * @param tLo low 32 bits of the byte counter (bytes hashed so far, including this block).",
    " * @param tHi bits 32..63 of the byte counter.",
    " * @param last whether this is the final block.",
    " */",
    "export function compress(h: Int32Array, m: Int32Array, tLo: number, tHi: number, last: boolean): void {",
  );
  e.line("let t = 0;");
  e.line("let u = 0;");
  if (opts.carry === "float") e.line("let s = 0;");
  for (let i = 0; i < 8; i++) {
    e.line(`let v${i}l = h[${2 * i}] | 0;`);
    e.line(`let v${i}h = h[${2 * i + 1}] | 0;`);
  }
  for (let i = 0; i < 8; i++) {
    const [hi, lo] = IV[i] as readonly [number, number];
    let l = `${hex(lo)} | 0`;
    let h = `${hex(hi)} | 0`;
    if (i === 4) {
      l = `(${hex(lo)} ^ tLo) | 0`;
      h = `(${hex(hi)} ^ tHi) | 0`;
    } else if (i === 6) {
      l = `last ? ~${hex(lo)} : ${hex(lo)} | 0`;
      h = `last ? ~${hex(hi)} : ${hex(hi)} | 0`;
    }
    e.line(`let v${i + 8}l = ${l};`);
    e.line(`let v${i + 8}h = ${h};`);
  }
  for (let i = 0; i < 16; i++) {
    e.line(`const m${i}l = m[${2 * i}] | 0;`);
    e.line(`const m${i}h = m[${2 * i + 1}] | 0;`);
  }
  e.rounds((i) => ({ l: `m${i}l`, h: `m${i}h` }));
  e.line("// h[i] ^= v[i] ^ v[i + 8]");
  for (let i = 0; i < 8; i++) {
    e.line(`h[${2 * i}] ^= v${i}l ^ v${i + 8}l;`);
    e.line(`h[${2 * i + 1}] ^= v${i}h ^ v${i + 8}h;`);
  }
  out.push(...e.lines, "}");
  return out;
}

function genInnerNode(opts: GenOptions): string[] {
  const e = new Emitter(opts);
  const out: string[] = [];
  out.push(
    "/**",
    " * BLAKE2b-256 of the 65-byte Merkle inner-node input 0x01 ‖ left ‖ right, in one",
    " * compression with counter 65 and the final-block flag set.",
    " *",
    " * `left` and `right` are digests given as 8 LE u32 words at the given offsets; the",
    " * digest is written as 8 LE u32 words to out[outOffset .. outOffset + 8).",
    " * `out` may alias the inputs (all inputs are read before anything is written).",
    " */",
    "export function innerNode(",
    "  left: Uint32Array,",
    "  leftOffset: number,",
    "  right: Uint32Array,",
    "  rightOffset: number,",
    "  out: Uint32Array,",
    "  outOffset: number,",
    "): void {",
  );
  e.line("let t = 0;");
  e.line("let u = 0;");
  if (opts.carry === "float") e.line("let s = 0;");
  for (let i = 0; i < 8; i++) e.line(`const l${i} = left[leftOffset + ${i}] | 0;`);
  for (let i = 0; i < 8; i++) e.line(`const r${i} = right[rightOffset + ${i}] | 0;`);
  // The 65 input bytes shifted by the one-byte prefix: u32 word k = byte 4k-1 .. 4k+2.
  const src = (k: number): string => (k < 8 ? `l${k}` : `r${k - 8}`);
  e.line("// message words: the digests shifted up by the one-byte prefix 0x01");
  for (let k = 0; k <= 16; k++) {
    const name = `m${k >> 1}${k & 1 ? "h" : "l"}`;
    let expr: string;
    if (k === 0) expr = `1 | (${src(0)} << 8)`;
    else if (k === 16) expr = `${src(15)} >>> 24`;
    else expr = `(${src(k - 1)} >>> 24) | (${src(k)} << 8)`;
    e.line(`const ${name} = ${expr};`);
  }
  const h0 = IV.map(([hi, lo], i) => [i === 0 ? (hi >>> 0) : hi, i === 0 ? (lo ^ PARAM0_LOW) >>> 0 : lo] as const);
  for (let i = 0; i < 8; i++) {
    const [hi, lo] = h0[i] as readonly [number, number];
    e.line(`let v${i}l = ${hex(lo)} | 0;`);
    e.line(`let v${i}h = ${hex(hi)} | 0;`);
  }
  for (let i = 0; i < 8; i++) {
    const [hi, lo] = IV[i] as readonly [number, number];
    let l = lo;
    let h = hi;
    if (i === 4) l ^= 65; // counter t = 65
    if (i === 6) {
      l = ~l;
      h = ~h;
    }
    e.line(`let v${i + 8}l = ${hex(l)} | 0;`);
    e.line(`let v${i + 8}h = ${hex(h)} | 0;`);
  }
  e.rounds((i) => (i < 8 ? { l: `m${i}l`, h: `m${i}h` } : i === 8 ? { l: "m8l", h: null } : null));
  e.line("// digest = first 4 words of h0 ^ v[i] ^ v[i + 8]");
  for (let i = 0; i < 4; i++) {
    const [hi, lo] = h0[i] as readonly [number, number];
    e.line(`out[outOffset + ${2 * i}] = ${hex(lo)} ^ v${i}l ^ v${i + 8}l;`);
    e.line(`out[outOffset + ${2 * i + 1}] = ${hex(hi)} ^ v${i}h ^ v${i + 8}h;`);
  }
  out.push(...e.lines, "}");
  return out;
}

export function generate(opts: GenOptions = DEFAULT_OPTIONS): string {
  const header = [
    "// GENERATED FILE - DO NOT EDIT.",
    "// Produced by scripts/gen-blake2b.ts (`npx tsx scripts/gen-blake2b.ts`);",
    `// options: ${JSON.stringify(opts)}.`,
    "//",
    "// Fully unrolled BLAKE2b compression (RFC 7693). 64-bit words are pairs of int32",
    "// locals (<name>l = low half, <name>h = high half); the message schedule is",
    "// resolved at generation time. Used by spec/hash/blake2b.ts.",
    "",
    "/* biome-ignore-all lint: generated code */",
    "",
  ];
  return [...header, ...genCompress(opts), "", ...genInnerNode(opts), ""].join("\n");
}

const here = dirname(fileURLToPath(import.meta.url));
export const OUTPUT = resolve(here, "../spec/hash/blake2b-compress.ts");

function main(argv: readonly string[]): void {
  const text = generate(DEFAULT_OPTIONS);
  if (argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(OUTPUT, "utf8");
    } catch {
      // missing file counts as out of date
    }
    if (current !== text) {
      console.error(`${OUTPUT} is out of date; run npx tsx scripts/gen-blake2b.ts`);
      process.exit(1);
    }
    console.log(`${OUTPUT} is up to date`);
    return;
  }
  writeFileSync(OUTPUT, text);
  console.log(`wrote ${OUTPUT} (${text.length} bytes)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
