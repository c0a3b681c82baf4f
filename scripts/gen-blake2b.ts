/**
 * Generator for `spec/hash/blake2b-compress.ts`: the BLAKE2b compression function
 * (RFC 7693, section 3.2) used by `spec/hash/blake2b.ts`. Written from the RFC;
 * its constants are in `spec/hash/blake2b-constants.ts`.
 *
 * Run: `npx tsx scripts/gen-blake2b.ts` to regenerate the committed file.
 *   --check           only verify that the committed file is up to date
 *   --out FILE        write elsewhere (for benchmarking variants)
 *   --options JSON    override generator options, e.g. '{"carry":"bits"}'
 *
 * Representation: every 64-bit word is a pair of int32 values, `<name>l` (low
 * half) and `<name>h` (high half). By default one function loops over the 12
 * rounds and picks message words through a schedule table (`loop`). Unrolled
 * (`{"loop":false}`), the message schedule SIGMA is resolved here, so every
 * mixing step G names its message words directly; message words known to be
 * zero are left out. A 64-bit
 * addition adds the halves and carries `(lowSum >>> 0) < (lowAddend >>> 0)`
 * into the high half; rotation by 32 is a swap, rotations by 24 / 16 / 63 are
 * two 32-bit rotates (which V8 compiles to `ror`) plus a masked exchange of the
 * bits that crossed between the halves.
 *
 * Layout of the unrolled code (`{"loop":false}`):
 *  - The working vector v lives in a module-level Int32Array V; each G loads its
 *    four words into locals and stores them back. Referenced directly as a
 *    module constant, V has a fixed address and needs no bounds checks. Keeping
 *    all of v in locals instead makes V8's register allocator spill heavily and
 *    was ~40% slower.
 *  - Rounds are split over several functions: V8 does not optimize functions
 *    with more than 60 KiB of bytecode (--max-optimized-bytecode-size), which
 *    a fully unrolled compression exceeds. Rounds 10 and 11 reuse the schedule
 *    of rounds 0 and 1, so the function for rounds 0..1 is called twice; this
 *    keeps the machine code (~25 KiB per round set) within the 32 KiB L1
 *    instruction cache, which otherwise made runs randomly 1.3-1.9x slower.
 *  - Two round sets: one for full blocks, one for blocks of at most 68 bytes
 *    (Merkle inner nodes, short leaves, short final blocks), where message
 *    words 9..15 and the high half of word 8 are zero.
 *
 * Variants measured on node 20 / AMD EPYC (Zen 5), µs per compression once
 * optimized, inner node / full block: unrolled 0.49 / 0.53; shift-based
 * rotations 0.51 / 0.56; carry "bits" 0.73 / 0.83; carry "float" 0.90 / 0.91;
 * state in locals 0.71 / 0.79; rolled loop over rounds (schedule from a table,
 * no zero-word specialisation, ~4 KiB of code) 0.61 / 0.61.
 *
 * Why the loop is the default: the unrolled functions (9 000 lines) run slowly
 * until V8 has compiled them, and that is what most processes see. In a fresh
 * process on a 2-core EPYC (node 20, machine busy), the first 2 000 inner nodes
 * took 220–360 ms unrolled against 40 ms looped, the first 20 000 240–650 ms
 * against 70–80 ms; at 2 million the two were level (0.84 / 0.83 µs per
 * hash), and warm the unrolled code was 10–20% faster. The encoder's and the
 * sliver verifier's bulk hashing runs in WebAssembly (`blake2b-wasm.ts`); the
 * TypeScript compression hashes the rest: metadata, proofs, the models' data.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { IV, PARAM0_LOW, ROUNDS, SIGMA, STEPS } from "../spec/hash/blake2b-constants.js";

export { IV, PARAM0_LOW, ROUNDS, SIGMA };

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
  /** Working vector v in local variables, or in a module-level array loaded and stored around each G. */
  state: "locals" | "memory";
  /** Message words copied into locals at the start of each round function, or read from the message array at each use. */
  msg: "locals" | "memory";
  /** Rounds per generated round function (V8 does not optimize functions above 60 KiB of bytecode: keep this <= 4). */
  roundsPerFunction: number;
  /** Generate rounds 0..9 only and run the rounds-0..1 function again for rounds 10..11. */
  reuseRounds: boolean;
  /** 64-bit rotations by 24 / 16 / 63: shifts and ors of the halves, or 32-bit rotates plus a masked exchange. */
  rot: "shift" | "ror";
  /** Loop over the rounds reading the schedule from a table instead of unrolling them. */
  loop: boolean;
}

export const DEFAULT_OPTIONS: GenOptions = {
  carry: "cmp",
  state: "memory",
  msg: "locals",
  roundsPerFunction: 4,
  reuseRounds: true,
  rot: "ror",
  loop: true,
};

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

  line(...ss: string[]): void {
    for (const s of ss) this.lines.push(s === "" ? "" : this.indent + s);
  }

  /** a += b (+ x): 64-bit addition of up to three operands; `t` names a scratch variable. */
  add(a: string, b: string, x: Operand | null, t: string): void {
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
        this.line(`${t} = ${sum};`);
        this.line(`${ah} = (${hiTerms(`((${t} / 4294967296) | 0)`)}) | 0;`);
        this.line(`${al} = ${t} | 0;`);
        return;
      }
      case "cmp":
      case "bits": {
        const carry = (p: string, q: string, sum: string): string =>
          this.opts.carry === "cmp"
            ? `+((${sum} >>> 0) < (${p} >>> 0))`
            : `((${p} & ${q}) | ((${p} | ${q}) & ~${sum})) >>> 31`;
        this.line(`${t} = (${al} + ${bl}) | 0;`);
        this.line(`${ah} = (${ah} + ${bh}${xh ? ` + ${xh}` : ""} + (${carry(al, bl, t)})) | 0;`);
        if (xl) {
          this.line(`${al} = (${t} + ${xl}) | 0;`);
          this.line(`${ah} = (${ah} + (${carry(t, xl, al)})) | 0;`);
        } else {
          this.line(`${al} = ${t};`);
        }
        return;
      }
    }
  }

  /** d = (d ^ a) >>> r (64-bit rotate right) for r in {32, 24, 16, 63}; `t`, `u` name scratch variables. */
  xorRotr(d: string, a: string, r: number, t: string, u: string): void {
    const dl = `${d}l`;
    const dh = `${d}h`;
    const al = `${a}l`;
    const ah = `${a}h`;
    if (r === 32) {
      this.line(`${t} = ${dl} ^ ${al};`);
      this.line(`${dl} = ${dh} ^ ${ah};`);
      this.line(`${dh} = ${t};`);
      return;
    }
    this.line(`${t} = ${dl} ^ ${al};`);
    this.line(`${u} = ${dh} ^ ${ah};`);
    if (this.opts.rot === "ror") {
      // Rotate both halves by r mod 32 (V8 emits 32-bit rotate instructions for
      // these), then exchange the bits that crossed between the halves.
      const k = r % 32;
      const mask = 2 ** (32 - k) - 1;
      this.line(`${t} = (${t} >>> ${k}) | (${t} << ${32 - k});`);
      this.line(`${u} = (${u} >>> ${k}) | (${u} << ${32 - k});`);
      this.line(`w = (${t} ^ ${u}) & 0x${mask.toString(16)};`);
      if (r < 32) {
        this.line(`${dl} = ${u} ^ w;`);
        this.line(`${dh} = ${t} ^ w;`);
      } else {
        // rotation by more than 32 also exchanges the halves
        this.line(`${dl} = ${t} ^ w;`);
        this.line(`${dh} = ${u} ^ w;`);
      }
      return;
    }
    if (r === 63) {
      // rotate left by one
      this.line(`${dl} = (${t} << 1) | (${u} >>> 31);`);
      this.line(`${dh} = (${u} << 1) | (${t} >>> 31);`);
    } else {
      this.line(`${dl} = (${t} >>> ${r}) | (${u} << ${32 - r});`);
      this.line(`${dh} = (${u} >>> ${r}) | (${t} << ${32 - r});`);
    }
  }

  /**
   * The mixing function G (RFC 7693, section 3.1) on words a, b, c, d of v with
   * message operands x, y. With state "memory" the four words are loaded from V
   * into the locals al, ah, .. dh before and stored back after.
   */
  g(a: number, b: number, c: number, d: number, x: Operand | null, y: Operand | null): void {
    const mem = this.opts.state === "memory";
    const words = [a, b, c, d] as const;
    const names = (mem ? ["a", "b", "c", "d"] : words.map((i) => `v${i}`)) as [string, string, string, string];
    const [va, vb, vc, vd] = names;
    if (mem) {
      words.forEach((i, j) => {
        this.line(`${names[j]}l = V[${2 * i}] | 0;`, `${names[j]}h = V[${2 * i + 1}] | 0;`);
      });
    }
    this.add(va, vb, x, "t");
    this.xorRotr(vd, va, 32, "t", "u");
    this.add(vc, vd, null, "t");
    this.xorRotr(vb, vc, 24, "t", "u");
    this.add(va, vb, y, "t");
    this.xorRotr(vd, va, 16, "t", "u");
    this.add(vc, vd, null, "t");
    this.xorRotr(vb, vc, 63, "t", "u");
    if (mem) {
      words.forEach((i, j) => {
        this.line(`V[${2 * i}] = ${names[j]}l;`, `V[${2 * i + 1}] = ${names[j]}h;`);
      });
    }
  }

  /** Rounds [from, to) with message operands from `msg` (null: known zero). */
  rounds(from: number, to: number, msg: (i: number) => Operand | null): void {
    for (let r = from; r < to; r++) {
      const s = SIGMA[r % 10] as ReadonlyArray<number>;
      this.line(`// round ${r}`);
      STEPS.forEach(([a, b, c, d], j) => {
        const xi = s[2 * j] as number;
        const yi = s[2 * j + 1] as number;
        this.line(`// G(v${a}, v${b}, v${c}, v${d}, m${xi}, m${yi})`);
        this.g(a, b, c, d, msg(xi), msg(yi));
      });
    }
  }
}

/** Message word i for a generic block, as read inside a round function. */
type MessageModel = (i: number) => "full" | "low" | "zero";

/**
 * A function running rounds [from, to) on the working vector V with message M.
 * `model` says which message words are known to be zero (they are left out).
 */
function genRounds(opts: GenOptions, name: string, from: number, to: number, model: MessageModel): string[] {
  const e = new Emitter(opts);
  e.line("let t = 0;", "let u = 0;", "let w = 0;");
  if (opts.state === "memory") {
    e.line("let al = 0, ah = 0, bl = 0, bh = 0, cl = 0, ch = 0, dl = 0, dh = 0;");
  } else {
    for (let i = 0; i < 16; i++) {
      e.line(`let v${i}l = V[${2 * i}] | 0;`);
      e.line(`let v${i}h = V[${2 * i + 1}] | 0;`);
    }
  }
  const ref = (i: number, half: 0 | 1): string =>
    opts.msg === "memory" ? `M[${2 * i + half}]` : `m${i}${half ? "h" : "l"}`;
  if (opts.msg === "locals") {
    const used = new Set<number>();
    for (let r = from; r < to; r++) for (const i of SIGMA[r % 10] as ReadonlyArray<number>) used.add(i);
    for (let i = 0; i < 16; i++) {
      if (!used.has(i) || model(i) === "zero") continue;
      e.line(`const m${i}l = M[${2 * i}] | 0;`);
      if (model(i) === "full") e.line(`const m${i}h = M[${2 * i + 1}] | 0;`);
    }
  }
  e.rounds(from, to, (i) => {
    const m = model(i);
    return m === "zero" ? null : { l: ref(i, 0), h: m === "full" ? ref(i, 1) : null };
  });
  if (opts.state === "locals") {
    for (let i = 0; i < 16; i++) {
      e.line(`V[${2 * i}] = v${i}l;`);
      e.line(`V[${2 * i + 1}] = v${i}h;`);
    }
  }
  return [`function ${name}(): void {`, ...e.lines, "}", ""];
}

/** Rolled variant: one function looping over the 12 rounds, message words picked through table S. */
function genLoopRounds(opts: GenOptions, name: string): string[] {
  const e = new Emitter({ ...opts, state: "memory" }, "    ");
  STEPS.forEach(([a, b, c, d], j) => {
    e.line(`// G(v${a}, v${b}, v${c}, v${d}, m[s[${2 * j}]], m[s[${2 * j + 1}]])`);
    e.line(`x = S[r + ${2 * j}] & 30;`, `y = S[r + ${2 * j + 1}] & 30;`);
    e.g(a, b, c, d, { l: "M[x]", h: "M[x + 1]" }, { l: "M[y]", h: "M[y + 1]" });
  });
  return [
    `function ${name}(): void {`,
    "  let t = 0, u = 0, w = 0, x = 0, y = 0;",
    "  let al = 0, ah = 0, bl = 0, bh = 0, cl = 0, ch = 0, dl = 0, dh = 0;",
    `  for (let r = 0; r < ${16 * ROUNDS}; r += 16) {`,
    ...e.lines,
    "  }",
    "}",
    "",
  ];
}

/** Round functions covering rounds 0..11 in chunks of opts.roundsPerFunction; returns [names, code]. */
function genRoundChunks(opts: GenOptions, prefix: string, model: MessageModel): [string[], string[]] {
  const names: string[] = [];
  const code: string[] = [];
  if (opts.loop) {
    // one generic round loop; short blocks clear the message tail first
    const name = `${prefix}Loop`;
    const code = genLoopRounds(opts, name);
    if (model(15) === "full") return [[name], code];
    const clear = `${prefix}ClearTail`;
    return [
      [clear, name],
      [...code, `function ${clear}(): void {`, ...Array.from({ length: 15 }, (_, i) => `  M[${17 + i}] = 0;`), "}", ""],
    ];
  }
  // Rounds 10 and 11 use the same schedule rows as rounds 0 and 1; with reuseRounds
  // the function for rounds 0..1 is simply called again (less machine code).
  const bounds: number[] = [0];
  const last = opts.reuseRounds ? ROUNDS - 2 : ROUNDS;
  for (let r = opts.reuseRounds ? 2 : 0; r < last; r += opts.roundsPerFunction) {
    if (r > 0) bounds.push(r);
  }
  bounds.push(last);
  for (let k = 0; k + 1 < bounds.length; k++) {
    const from = bounds[k] as number;
    const to = bounds[k + 1] as number;
    const name = `${prefix}${from}to${to - 1}`;
    names.push(name);
    const doc =
      opts.reuseRounds && from === 0
        ? `/** Rounds 0..1 (and, with the same message schedule, rounds 10..11) on V with message M. */`
        : `/** Rounds ${from}..${to - 1} on V with message M. */`;
    code.push(doc, ...genRounds(opts, name, from, to, model));
  }
  if (opts.reuseRounds) names.push(names[0] as string);
  return [names, code];
}

/** `compress` (all message words) and `compressShort` (message words 17..31 taken as zero). */
function genCompress(opts: GenOptions, fullRounds: readonly string[], shortRounds: readonly string[]): string[] {
  const wrapper = (names: readonly string[]): string[] => {
    const e = new Emitter(opts);
    for (let i = 0; i < 16; i++) e.line(`V[${i}] = H[${i}];`);
    for (let i = 0; i < 8; i++) {
      const [hi, lo] = IV[i] as readonly [number, number];
      let l = `${hex(lo)}`;
      let h = `${hex(hi)}`;
      if (i === 4) {
        l = `${hex(lo)} ^ tLo`;
        h = `${hex(hi)} ^ tHi`;
      } else if (i === 6) {
        l = `last ? ${hex(~lo)} : ${hex(lo)}`;
        h = `last ? ${hex(~hi)} : ${hex(hi)}`;
      }
      e.line(`V[${2 * (i + 8)}] = ${l};`);
      e.line(`V[${2 * (i + 8) + 1}] = ${h};`);
    }
    for (const n of names) e.line(`${n}();`);
    e.line("// h[i] ^= v[i] ^ v[i + 8]");
    for (let i = 0; i < 16; i++) e.line(`H[${i}] ^= V[${i}] ^ V[${i + 16}];`);
    return e.lines;
  };
  return [
    "/**",
    " * One BLAKE2b compression F(h, m, t, f) (RFC 7693, section 3.2) of the block in",
    " * {@link MESSAGE} into the chaining value in {@link STATE} (updated in place).",
    " *",
    " * @param tLo low 32 bits of the byte counter (bytes hashed so far, including this block).",
    " * @param tHi bits 32..63 of the byte counter.",
    " * @param last whether this is the final block.",
    " */",
    "export function compress(tLo: number, tHi: number, last: boolean): void {",
    ...wrapper(fullRounds),
    "}",
    "",
    "/**",
    ` * Same as {@link compress} for a block whose bytes ${SHORT_MAX_BYTES}..127 are zero: message`,
    " * words 17..31 are not read (and need not be cleared).",
    " */",
    "export function compressShort(tLo: number, tHi: number, last: boolean): void {",
    ...wrapper(shortRounds),
    "}",
  ];
}

/** Initial chaining value of BLAKE2b-256 as [high, low] halves: IV with the parameter block folded into h[0]. */
const H0: ReadonlyArray<readonly [number, number]> = IV.map(
  ([hi, lo], i) => [hi, i === 0 ? (lo ^ PARAM0_LOW) >>> 0 : lo] as const,
);

/** Largest message (in bytes) whose block has m[9..15] and the high half of m[8] all zero. */
export const SHORT_MAX_BYTES = 68;

/**
 * Single-block hashes of at most {@link SHORT_MAX_BYTES} bytes: `shortBlock` (message
 * already in M) and `innerNode` (builds M from two digests). Both use round
 * functions that leave out the always-zero message words.
 */
function genShort(opts: GenOptions, names: readonly string[]): string[] {
  /** Initialise V for a single final block with counter `t` (a literal or an expression), run the rounds, write the digest. */
  const body = (e: Emitter, t: number | string): void => {
    e.line(`// v[0..7] = initial chaining value, v[8..15] = IV with counter ${t} and the final-block flag`);
    for (let i = 0; i < 8; i++) {
      const [hi, lo] = H0[i] as readonly [number, number];
      e.line(`V[${2 * i}] = ${hex(lo)};`);
      e.line(`V[${2 * i + 1}] = ${hex(hi)};`);
    }
    for (let i = 0; i < 8; i++) {
      const [hi, lo] = IV[i] as readonly [number, number];
      let l = hex(lo);
      let h = hex(hi);
      if (i === 4) l = typeof t === "number" ? hex(lo ^ t) : `${hex(lo)} ^ ${t}`;
      if (i === 6) {
        l = hex(~lo);
        h = hex(~hi);
      }
      e.line(`V[${2 * (i + 8)}] = ${l};`);
      e.line(`V[${2 * (i + 8) + 1}] = ${h};`);
    }
    for (const n of names) e.line(`${n}();`);
    e.line("// digest = first 4 words of h0 ^ v[i] ^ v[i + 8]");
    for (let i = 0; i < 8; i++) {
      const [hi, lo] = H0[i >> 1] as readonly [number, number];
      e.line(`out[outOffset + ${i}] = ${hex(i & 1 ? hi : lo)} ^ V[${i}] ^ V[${i + 16}];`);
    }
  };

  const short = new Emitter(opts);
  body(short, "length");

  const inner = new Emitter(opts);
  for (let i = 0; i < 8; i++) inner.line(`const l${i} = left[leftOffset + ${i}] | 0;`);
  for (let i = 0; i < 8; i++) inner.line(`const r${i} = right[rightOffset + ${i}] | 0;`);
  // The 65 input bytes shifted by the one-byte prefix: u32 word k = bytes 4k-1 .. 4k+2.
  const src = (k: number): string => (k < 8 ? `l${k}` : `r${k - 8}`);
  inner.line("// message: the digests shifted up by the one-byte prefix 0x01 (words 17..31 are never read)");
  for (let k = 0; k <= 16; k++) {
    let expr: string;
    if (k === 0) expr = `1 | (${src(0)} << 8)`;
    else if (k === 16) expr = `${src(15)} >>> 24`;
    else expr = `(${src(k - 1)} >>> 24) | (${src(k)} << 8)`;
    inner.line(`M[${k}] = ${expr};`);
  }
  body(inner, 65);

  return [
    "/**",
    ` * BLAKE2b-256 of a message of \`length\` <= ${SHORT_MAX_BYTES} bytes held in {@link MESSAGE}`,
    " * words 0..16 (zero-padded; words 17..31 are ignored): one final compression",
    " * from the initial state. The digest is written as 8 LE u32 words to",
    " * out[outOffset .. outOffset + 8).",
    " */",
    "export function shortBlock(length: number, out: Uint32Array, outOffset: number): void {",
    ...short.lines,
    "}",
    "",
    "/**",
    " * BLAKE2b-256 of the 65-byte Merkle inner-node input 0x01 ‖ left ‖ right: one",
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
    ...inner.lines,
    "}",
  ];
}

export function generate(opts: GenOptions = DEFAULT_OPTIONS): string {
  const lines = [
    "// GENERATED FILE - DO NOT EDIT.",
    "// Produced by scripts/gen-blake2b.ts (`npx tsx scripts/gen-blake2b.ts`);",
    `// options: ${JSON.stringify(opts)}.`,
    "//",
    ...(opts.loop
      ? [
          "// BLAKE2b compression (RFC 7693) for spec/hash/blake2b.ts. 64-bit words are",
          "// pairs of int32 (<name>l = low half, <name>h = high half). The working vector",
          "// v lives in V and each G works on locals a, b, c, d; one loop runs the 12",
          "// rounds, taking message words through the schedule table S.",
        ]
      : [
          "// Unrolled BLAKE2b compression (RFC 7693) for spec/hash/blake2b.ts. 64-bit words",
          "// are pairs of int32 (<name>l = low half, <name>h = high half); the message",
          "// schedule is resolved at generation time. The working vector v lives in V and",
          "// each G works on locals a, b, c, d; the rounds are split over several functions",
          "// (V8 bytecode size limit) and rounds 10..11 rerun the function of rounds 0..1.",
        ]),
    "// See the generator for the design and the measured alternatives.",
    "",
    "/* biome-ignore-all lint: generated code */",
    "",
    "// Module-private scratch arrays. They are referenced directly (not through the",
    "// exported aliases) so that the optimizing compiler treats them as constants:",
    "// fixed addresses, no bounds checks.",
    "/** Chaining value h: 8 64-bit words as 16 u32 words (low half first). */",
    "const H = new Int32Array(16);",
    "/** Message block m: 16 64-bit words as 32 LE u32 words. */",
    "const M = new Int32Array(32);",
    "/** Working vector v: 16 64-bit words as 32 u32 words. */",
    "const V = new Int32Array(32);",
    "",
    "/** Chaining value used by {@link compress}: 8 64-bit words as 16 u32 words (low half first). */",
    "export const STATE: Int32Array = H;",
    "/** Message block used by {@link compress}: 128 bytes as 32 LE u32 words. */",
    "export const MESSAGE: Int32Array = M;",
    "/** Longest input (bytes) {@link shortBlock} accepts: m[9..15] and the high half of m[8] are zero. */",
    `export const SHORT_MAX_BYTES = ${SHORT_MAX_BYTES};`,
    "",
  ];
  if (opts.loop) {
    const table: number[] = [];
    for (let r = 0; r < ROUNDS; r++) for (const i of SIGMA[r % 10] as ReadonlyArray<number>) table.push(2 * i);
    while (table.length < 256) table.push(0);
    lines.push(
      "/** Message schedule: word offsets 2 * SIGMA[r % 10][j] at S[16r + j], padded to 256 entries. */",
      `const S = new Uint8Array([${table.join(", ")}]);`,
      "",
    );
  }
  const [fullNames, fullCode] = genRoundChunks(opts, "rounds", () => "full");
  // Blocks of at most SHORT_MAX_BYTES bytes: m[0..7] arbitrary, m[8] only its low half, m[9..15] zero.
  const [shortNames, shortCode] = genRoundChunks(opts, "shortRounds", (i) =>
    i < 8 ? "full" : i === 8 ? "low" : "zero",
  );
  return [
    ...lines,
    ...fullCode,
    ...shortCode,
    ...genCompress(opts, fullNames, shortNames),
    "",
    ...genShort(opts, shortNames),
    "",
  ].join("\n");
}

const here = dirname(fileURLToPath(import.meta.url));
export const OUTPUT = resolve(here, "../spec/hash/blake2b-compress.ts");

function main(argv: readonly string[]): void {
  const arg = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const overrides = arg("--options");
  const opts: GenOptions = { ...DEFAULT_OPTIONS, ...(overrides ? (JSON.parse(overrides) as Partial<GenOptions>) : {}) };
  const out = resolve(arg("--out") ?? OUTPUT);
  const text = generate(opts);
  if (argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(out, "utf8");
    } catch {
      // a missing file counts as out of date
    }
    if (current !== text) {
      console.error(`${out} is out of date; run npx tsx scripts/gen-blake2b.ts`);
      process.exit(1);
    }
    console.log(`${out} is up to date`);
    return;
  }
  writeFileSync(out, text);
  console.log(`wrote ${out} (${text.length} bytes)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
