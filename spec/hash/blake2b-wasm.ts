/**
 * The encoder's Merkle hashing (walrus-core `merkle.rs`: leaf H(0x00 ‖ symbol), inner node
 * H(0x01 ‖ left ‖ right), odd levels padded with the all-zero empty node) as batch operations over
 * one arena of bytes: hash `count` consecutive symbols into leaf digests, and reduce `count`
 * digests at a stride to their root; also the symbols' bytes from their field elements, so that
 * the encoder converts where it hashes. At n = 1000 a blob has a million leaves and two million
 * inner nodes, so BLAKE2b-256 (RFC 7693) is most of the encoder's work.
 *
 * Two implementations of the same operations:
 * - a WebAssembly kernel, assembled below from the RFC's G function with `wasm-assembler.ts`.
 *   WebAssembly has 64-bit integers: each BLAKE2b word operation is one machine instruction,
 *   where JavaScript must split every word into two int32 halves and carry by hand (3–4 times
 *   the instructions; see scripts/gen-blake2b.ts for how far that goes);
 * - the TypeScript BLAKE2b of `blake2b.ts` over a plain buffer, where WebAssembly is missing or
 *   may not be compiled synchronously (a browser's main thread), and as the reference in tests.
 *
 * Each thread has its own arena (`hashArena()`); an arena's views change when it grows, so take
 * `bytes` / `words` after `layout`.
 */

import { merkleRootInto } from "../commitments/merkle.js";
import { elementsToSymbols } from "../codec/symbol-layout.js";
import { hashLeavesInto } from "./blake2b.js";
import { IV as IV_HALVES, PARAM0_LOW, SIGMA, STEPS } from "./blake2b-constants.js";
import { type FunctionBody, I32, I64, type KernelMemory, ModuleBuilder, Op, instantiate } from "./wasm-assembler.js";

/** Bytes in a digest. */
const DIGEST = 32;

// Fixed addresses in the kernel's memory: the block being compressed, the chaining value, and the
// empty node (32 zero bytes) that pads odd levels. Arena regions start at USER_BASE.
const BLOCK = 0;
const STATE = 128;
const EMPTY_NODE = 192;
const USER_BASE = 256;
const PAGE = 65536;

/** The initialisation vector as 64-bit words. */
const IV = IV_HALVES.map(([high, low]) => (BigInt(high) << 32n) | BigInt(low));

/** Emits: the digest (the first 32 bytes of the chaining value) to the address in local `out`. */
function copyDigest(f: FunctionBody, out: number): void {
  for (let k = 0; k < 4; k++)
    f.get(out)
      .i32(STATE)
      .memory(Op.i64Load, 8 * k)
      .memory(Op.i64Store, 8 * k);
}

/** Assembles the kernel: compress, init, hash, leaves, nodes (see each function's comment). */
function assembleKernel(): Uint8Array {
  const m = new ModuleBuilder(1);
  const compress = m.declare(undefined, [I32, I64, I32]);
  const init = m.declare(undefined, []);
  const hash = m.declare("hash", [I32, I32, I32, I32]);
  const leaves = m.declare("leaves", [I32, I32, I32, I32]);
  const node = m.declare(undefined, [I32, I32, I32]);
  const nodes = m.declare("nodes", [I32, I32, I32, I32], [I32]);
  const symbols = m.declare("symbols", [I32, I32, I32, I32]);

  // compress(block, t, last): F(h, m, t, f) of RFC 7693 section 3.2 on the chaining value at
  // STATE, message = the 128 bytes at `block` (16 little-endian words), counter t, f = last.
  m.define(compress, (f) => {
    const [block, t, last] = [0, 1, 2];
    const v = Array.from({ length: 16 }, () => f.local(I64));
    const w = Array.from({ length: 16 }, () => f.local(I64));
    for (let k = 0; k < 16; k++)
      f.get(block)
        .memory(Op.i64Load, 8 * k)
        .set(w[k]);
    for (let i = 0; i < 8; i++)
      f.i32(STATE)
        .memory(Op.i64Load, 8 * i)
        .set(v[i]);
    for (let i = 0; i < 8; i++) {
      if (i === 4) f.i64(IV[4]).get(t).op(Op.i64Xor);
      else if (i === 6) f.i64(~IV[6]).i64(IV[6]).get(last).op(Op.select);
      else f.i64(IV[i]);
      f.set(v[8 + i]);
    }
    const add = (a: number, b: number, x?: number) => {
      f.get(v[a]).get(v[b]).op(Op.i64Add);
      if (x !== undefined) f.get(w[x]).op(Op.i64Add);
      f.set(v[a]);
    };
    const xorRotr = (d: number, a: number, r: number) => {
      f.get(v[d]).get(v[a]).op(Op.i64Xor).i64(BigInt(r)).op(Op.i64Rotr).set(v[d]);
    };
    for (let round = 0; round < 12; round++) {
      const s = SIGMA[round % 10];
      STEPS.forEach(([a, b, c, d], j) => {
        // G (RFC 7693, section 3.1) with message words s[2j], s[2j + 1]
        add(a, b, s[2 * j]);
        xorRotr(d, a, 32);
        add(c, d);
        xorRotr(b, c, 24);
        add(a, b, s[2 * j + 1]);
        xorRotr(d, a, 16);
        add(c, d);
        xorRotr(b, c, 63);
      });
    }
    for (let i = 0; i < 8; i++) {
      // h[i] ^= v[i] ^ v[i + 8]
      f.i32(STATE)
        .i32(STATE)
        .memory(Op.i64Load, 8 * i);
      f.get(v[i])
        .op(Op.i64Xor)
        .get(v[8 + i])
        .op(Op.i64Xor)
        .memory(Op.i64Store, 8 * i);
    }
  });

  // init(): the chaining value of BLAKE2b-256, IV with the parameter block folded into h[0].
  m.define(init, (f) => {
    for (let i = 0; i < 8; i++)
      f.i32(STATE)
        .i64(i === 0 ? IV[0] ^ BigInt(PARAM0_LOW) : IV[i])
        .memory(Op.i64Store, 8 * i);
  });

  // hash(prefix, ptr, len, out): BLAKE2b-256 of (prefix byte ‖ the len bytes at ptr), or of the
  // bytes alone when prefix < 0; the digest to the 32 bytes at out. Whole blocks are compressed
  // where they lie; the first block when it holds the prefix, and the last block (zero-padded),
  // are assembled at BLOCK. The data must not start below BLOCK + 128.
  m.define(hash, (f) => {
    const [prefix, ptr, len, out] = [0, 1, 2, 3];
    const pre = f.local(I32);
    const total = f.local(I32);
    const done = f.local(I32);
    f.get(prefix).i32(0).op(Op.i32GeS).set(pre);
    f.get(len).get(pre).op(Op.i32Add).set(total);
    f.i32(0).set(done);
    f.call(init);
    // the first block holds the prefix: it is the one to assemble when done = 0 and pre = 1
    const prefixedFirst = () => f.get(done).op(Op.i32Eqz).get(pre).op(Op.i32And);
    f.whileNot(
      () => f.get(total).get(done).op(Op.i32Sub).i32(128).op(Op.i32LeU),
      () => {
        prefixedFirst().ifElse(
          () => {
            f.i32(BLOCK + 1)
              .get(ptr)
              .i32(127)
              .memoryCopy();
            f.i32(BLOCK).get(prefix).memory(Op.i32Store8, 0);
            f.i32(BLOCK).i64(128n).i32(0).call(compress);
          },
          () => {
            // block at data offset done − pre (the prefix shifts the data by one byte)
            f.get(ptr).get(done).op(Op.i32Add).get(pre).op(Op.i32Sub);
            f.get(done).i32(128).op(Op.i32Add).op(Op.i64ExtendI32U).i32(0).call(compress);
          },
        );
        f.get(done).i32(128).op(Op.i32Add).set(done);
      },
    );
    // zero BLOCK with sixteen stores (cheaper than a memory.fill call for 128 bytes)
    for (let k = 0; k < 16; k++)
      f.i32(BLOCK)
        .i64(0n)
        .memory(Op.i64Store, 8 * k);
    prefixedFirst().ifElse(
      () => {
        f.i32(BLOCK).get(prefix).memory(Op.i32Store8, 0);
        f.i32(BLOCK + 1)
          .get(ptr)
          .get(len)
          .memoryCopy();
      },
      () => {
        f.i32(BLOCK).get(ptr).get(done).op(Op.i32Add).get(pre).op(Op.i32Sub);
        f.get(total).get(done).op(Op.i32Sub).memoryCopy();
      },
    );
    f.i32(BLOCK).get(total).op(Op.i64ExtendI32U).i32(1).call(compress);
    copyDigest(f, out);
  });

  // leaves(src, size, count, out): leaf hashes of `count` symbols of `size` bytes at src, digest i
  // to out + 32·i.
  m.define(leaves, (f) => {
    const [src, size, count, out] = [0, 1, 2, 3];
    const i = f.local(I32);
    f.whileNot(
      () => f.get(i).get(count).op(Op.i32GeU),
      () => {
        f.i32(0).get(src).get(size).get(out).call(hash);
        f.get(src).get(size).op(Op.i32Add).set(src);
        f.get(out).i32(DIGEST).op(Op.i32Add).set(out);
        f.get(i).i32(1).op(Op.i32Add).set(i);
      },
    );
  });

  // node(left, right, out): H(0x01 ‖ left ‖ right) of two 32-byte digests; out may be left.
  // The 65-byte message is built in BLOCK a word at a time (the digests shifted up by the prefix
  // byte, words 9..15 zero) rather than by filling and copying bytes: a tree is mostly this.
  m.define(node, (f) => {
    const [left, right, out] = [0, 1, 2];
    const words = Array.from({ length: 8 }, () => f.local(I64));
    words.forEach((word, k) => {
      f.get(k < 4 ? left : right)
        .memory(Op.i64Load, 8 * (k % 4))
        .set(word);
    });
    for (let k = 0; k < 16; k++) {
      f.i32(BLOCK);
      // message word k = bytes 8k..8k+7 of 0x01 ‖ left ‖ right = (word k−1 >> 56) | (word k << 8)
      if (k === 0) f.get(words[0]).i64(8n).op(Op.i64Shl).i64(1n).op(Op.i64Or);
      else if (k < 8) {
        f.get(words[k - 1])
          .i64(56n)
          .op(Op.i64ShrU);
        f.get(words[k]).i64(8n).op(Op.i64Shl).op(Op.i64Or);
      } else if (k === 8) f.get(words[7]).i64(56n).op(Op.i64ShrU);
      else f.i64(0n);
      f.memory(Op.i64Store, 8 * k);
    }
    f.call(init);
    f.i32(BLOCK).i64(65n).i32(1).call(compress);
    copyDigest(f, out);
  });

  // nodes(src, stride, count, out) -> parents: one Merkle level, the `count` digests at
  // src + stride·i hashed in pairs to out + 32·j, an odd last one paired with the empty node.
  // out may be src when stride >= 32 (each parent is written after its children were read).
  m.define(nodes, (f) => {
    const [src, stride, count, out] = [0, 1, 2, 3];
    const pairs = f.local(I32);
    const j = f.local(I32);
    f.get(count).i32(1).op(Op.i32ShrU).set(pairs);
    f.whileNot(
      () => f.get(j).get(pairs).op(Op.i32GeU),
      () => {
        f.get(src).get(src).get(stride).op(Op.i32Add).get(out).call(node);
        f.get(src).get(stride).op(Op.i32Add).get(stride).op(Op.i32Add).set(src);
        f.get(out).i32(DIGEST).op(Op.i32Add).set(out);
        f.get(j).i32(1).op(Op.i32Add).set(j);
      },
    );
    f.get(count)
      .i32(1)
      .op(Op.i32And)
      .ifElse(() => {
        f.get(src).i32(EMPTY_NODE).get(out).call(node);
      });
    f.get(pairs).get(count).i32(1).op(Op.i32And).op(Op.i32Add);
  });

  // symbols(src, size, count, out): `count` symbols of `size` bytes from their field elements
  // (u16, little-endian, size/2 per symbol, consecutive at src) to their bytes in
  // reed-solomon-simd's layout (codec/symbol-layout.ts): each 64-byte block is 32 low bytes then
  // 32 high bytes, a tail of t elements is t low bytes then t high bytes.
  m.define(symbols, (f) => {
    const [src, size, count, out] = [0, 1, 2, 3];
    const blocks = f.local(I32); // whole 64-byte blocks of this symbol still to convert
    const half = f.local(I32); // elements in the stretch being converted: 32 in a block, t in a tail
    const tail = f.local(I32); // elements of this symbol's tail still to convert (t, then 0)
    const i = f.local(I32);
    const q = f.local(I32);
    const value = f.local(I32);
    f.get(size).i32(63).op(Op.i32And).i32(1).op(Op.i32ShrU).set(tail);
    // Walk the stretches of each symbol: size >> 6 blocks of 32 elements, then the tail.
    f.whileNot(
      () => f.get(i).get(count).op(Op.i32GeU),
      () => {
        f.get(size).i32(6).op(Op.i32ShrU).set(blocks);
        f.whileNot(
          () => f.get(blocks).op(Op.i32Eqz).get(tail).op(Op.i32Eqz).op(Op.i32And),
          () => {
            f.get(blocks).ifElse(
              () => {
                f.i32(32).set(half);
                f.get(blocks).i32(1).op(Op.i32Sub).set(blocks);
              },
              () => {
                f.get(tail).set(half);
                f.i32(0).set(tail);
              },
            );
            f.i32(0).set(q);
            f.whileNot(
              () => f.get(q).get(half).op(Op.i32GeU),
              () => {
                f.get(src).get(q).i32(1).op(Op.i32Shl).op(Op.i32Add).memory(Op.i32Load16U, 0).set(value);
                f.get(out).get(q).op(Op.i32Add).get(value).memory(Op.i32Store8, 0);
                f.get(out).get(q).op(Op.i32Add).get(half).op(Op.i32Add);
                f.get(value).i32(8).op(Op.i32ShrU).memory(Op.i32Store8, 0);
                f.get(q).i32(1).op(Op.i32Add).set(q);
              },
            );
            f.get(src).get(half).i32(1).op(Op.i32Shl).op(Op.i32Add).set(src);
            f.get(out).get(half).i32(1).op(Op.i32Shl).op(Op.i32Add).set(out);
          },
        );
        f.get(size).i32(63).op(Op.i32And).i32(1).op(Op.i32ShrU).set(tail);
        f.get(i).i32(1).op(Op.i32Add).set(i);
      },
    );
  });
  return m.bytes();
}

interface KernelExports {
  readonly memory: KernelMemory;
  hash(prefix: number, ptr: number, len: number, out: number): void;
  leaves(src: number, size: number, count: number, out: number): void;
  nodes(src: number, stride: number, count: number, out: number): number;
  symbols(src: number, size: number, count: number, out: number): void;
}

/**
 * A thread's hashing arena: regions of one growable byte buffer, addressed by byte offset, and
 * the Merkle operations over them. Digests are 32 bytes, so a region of digests can be read as
 * little-endian u32 words (`words`), the form `merkle.ts` and the encoder keep them in.
 */
export interface HashArena {
  /** Which implementation this is. */
  readonly kind: "wasm" | "js";
  /** The arena's bytes; replaced when the arena grows. */
  readonly bytes: Uint8Array;
  /** The same memory as u32 words. */
  readonly words: Uint32Array;
  /** The same memory as u16 field elements. */
  readonly elements: Uint16Array;
  /**
   * Reserves consecutive regions of the given sizes (each aligned to 32 bytes) and returns their
   * byte offsets. Earlier regions and their contents are released: call once per task.
   */
  layout(sizes: readonly number[]): number[];
  /**
   * The bytes of `count` symbols of `size` bytes (codec/symbol-layout.ts `elementsToSymbols`) from
   * their field elements at `src`, to `out`: the encoder converts where it hashes, in one pass.
   */
  symbols(src: number, size: number, count: number, out: number): void;
  /** Leaf hashes of `count` symbols of `size` bytes at `src`, digest i to `out` + 32·i. */
  leaves(src: number, size: number, count: number, out: number): void;
  /**
   * The Merkle root over `count` digests at `src` + `stride`·i (stride ≥ 32, a multiple of 4),
   * written as 8 words to target[targetOffset]. Uses `scratch` (⌈count/2⌉·32 bytes; it may be
   * `src` when stride is 32, which then overwrites the digests).
   */
  rootInto(
    src: number,
    stride: number,
    count: number,
    scratch: number,
    target: Uint32Array,
    targetOffset: number,
  ): void;
}

/** Consecutive regions of the given sizes from USER_BASE, each aligned to a digest. */
function regions(sizes: readonly number[]): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let end = USER_BASE;
  for (const size of sizes) {
    offsets.push(end);
    end += Math.ceil(size / DIGEST) * DIGEST;
  }
  return { offsets, end };
}

class WasmArena implements HashArena {
  readonly kind = "wasm";
  bytes: Uint8Array;
  words: Uint32Array;
  elements: Uint16Array;

  constructor(private readonly kernel: KernelExports) {
    this.bytes = new Uint8Array(kernel.memory.buffer);
    this.words = new Uint32Array(kernel.memory.buffer);
    this.elements = new Uint16Array(kernel.memory.buffer);
  }

  layout(sizes: readonly number[]): number[] {
    const { offsets, end } = regions(sizes);
    const memory = this.kernel.memory;
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      this.bytes = new Uint8Array(memory.buffer);
      this.words = new Uint32Array(memory.buffer);
      this.elements = new Uint16Array(memory.buffer);
    }
    return offsets;
  }

  symbols(src: number, size: number, count: number, out: number): void {
    this.kernel.symbols(src, size, count, out);
  }

  leaves(src: number, size: number, count: number, out: number): void {
    this.kernel.leaves(src, size, count, out);
  }

  rootInto(src: number, stride: number, count: number, scratch: number, target: Uint32Array, targetOffset: number) {
    if (count <= 1) {
      if (count === 0) target.fill(0, targetOffset, targetOffset + 8);
      else target.set(this.words.subarray(src >>> 2, (src >>> 2) + 8), targetOffset);
      return;
    }
    let width = this.kernel.nodes(src, stride, count, scratch);
    while (width > 1) width = this.kernel.nodes(scratch, DIGEST, width, scratch);
    target.set(this.words.subarray(scratch >>> 2, (scratch >>> 2) + 8), targetOffset);
  }
}

/** The same operations in TypeScript (blake2b.ts, merkle.ts) over a plain buffer. */
class ScriptArena implements HashArena {
  readonly kind = "js";
  bytes = new Uint8Array(0);
  words = new Uint32Array(0);
  elements = new Uint16Array(0);

  layout(sizes: readonly number[]): number[] {
    const { offsets, end } = regions(sizes);
    if (end > this.bytes.length) {
      const buffer = new ArrayBuffer(end);
      this.bytes = new Uint8Array(buffer);
      this.words = new Uint32Array(buffer);
      this.elements = new Uint16Array(buffer);
    }
    return offsets;
  }

  symbols(src: number, size: number, count: number, out: number): void {
    elementsToSymbols(this.elements, src >>> 1, size, count, this.bytes, out);
  }

  leaves(src: number, size: number, count: number, out: number): void {
    hashLeavesInto(this.bytes, src, size, count, this.words, out >>> 2);
  }

  rootInto(src: number, stride: number, count: number, _scratch: number, target: Uint32Array, targetOffset: number) {
    merkleRootInto(this.words, src >>> 2, stride >>> 2, count, target, targetOffset);
  }
}

function instantiateKernel(): KernelExports | undefined {
  return instantiate<KernelExports>(assembleKernel());
}

let arena: HashArena | undefined;

/** This thread's arena: the WebAssembly kernel where it can run, else the TypeScript one. */
export function hashArena(): HashArena {
  if (arena === undefined) {
    const kernel = instantiateKernel();
    arena = kernel ? new WasmArena(kernel) : new ScriptArena();
  }
  return arena;
}

/** An arena over the TypeScript implementation (the reference the tests compare the kernel to). */
export function scriptHashArena(): HashArena {
  return new ScriptArena();
}

/** Makes `hashArena()` return `replacement` (the default again when undefined); for tests. */
export function _setHashArenaForTests(replacement?: HashArena): void {
  arena = replacement;
}

/** BLAKE2b-256 of `data` through the WebAssembly kernel (for tests of the kernel itself). */
export function kernelBlake2b256(data: Uint8Array, prefix = -1): Uint8Array | undefined {
  const kernel = instantiateKernel();
  if (kernel === undefined) return undefined;
  const wasm = new WasmArena(kernel);
  const [input, out] = wasm.layout([data.length + 1, DIGEST]);
  wasm.bytes.set(data, input);
  kernel.hash(prefix, input, data.length, out);
  return wasm.bytes.slice(out, out + DIGEST);
}
