/**
 * A minimal WebAssembly binary writer: just enough of the format (WebAssembly Core Specification
 * 2.0, chapter 5 "Binary Format") to assemble the kernels of `blake2b-wasm.ts` and
 * `codec/reed-solomon-wasm.ts` from TypeScript at load time: i32/i64/v128 locals and arithmetic,
 * loads and stores, structured control, calls, memory.copy, a few SIMD
 * instructions and one exported memory.
 *
 * Why assemble instead of shipping a .wasm file: a kernel's source stays readable TypeScript next
 * to the algorithm it follows, there is no binary artefact to trust or regenerate, and assembling
 * a few kilobytes takes well under a millisecond.
 */

/** Value type i32. */
export const I32 = 0x7f;
/** Value type i64. */
export const I64 = 0x7e;
/** Value type v128 (SIMD). */
export const V128 = 0x7b;
/** The value types used. */
export type ValueType = typeof I32 | typeof I64 | typeof V128;

/** SIMD opcodes (fixed-width SIMD proposal, part of WebAssembly 2.0), after the 0xfd prefix. */
export const Simd = {
  load: 0x00,
  store: 0x0b,
  shuffle: 0x0d,
  swizzle: 0x0e,
  i8x16Splat: 0x0f,
  and: 0x4e,
  or: 0x50,
  xor: 0x51,
  i16x8Shl: 0x8b,
  i16x8ShrU: 0x8d,
} as const;

/** Opcodes used by the kernel (spec section 5.4). */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i32Load16U: 0x2f,
  i64Store: 0x37,
  i32Store8: 0x3a,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32GeU: 0x4f,
  i32GeS: 0x4e,
  i32LeU: 0x4d,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32ShrU: 0x76,
  i32Shl: 0x74,
  i64Add: 0x7c,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrU: 0x88,
  i64Rotr: 0x8a,
  i64ExtendI32U: 0xad,
} as const;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 of a 64-bit (or 32-bit) two's-complement value. */
function sleb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const signBit = (byte & 0x40) !== 0;
    if ((value === 0n && !signBit) || (value === -1n && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** The body of one function: its extra locals and its instructions, appended in order. */
export class FunctionBody {
  private readonly localTypes: ValueType[] = [];
  readonly code: number[] = [];

  constructor(readonly params: readonly ValueType[]) {}

  /** Declares a local of `type` and returns its index (parameters come first). */
  local(type: ValueType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  /** Appends raw instruction bytes (an opcode and its immediates). */
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  /** local.get */
  get(index: number): this {
    return this.op(Op.localGet, ...uleb(index));
  }

  /** local.set */
  set(index: number): this {
    return this.op(Op.localSet, ...uleb(index));
  }

  /** i32.const */
  i32(value: number): this {
    return this.op(Op.i32Const, ...sleb(BigInt(value | 0)));
  }

  /** An i64 constant given as its unsigned 64-bit value. */
  i64(value: bigint): this {
    return this.op(Op.i64Const, ...sleb(BigInt.asIntN(64, value)));
  }

  /** A load or store with an unaligned memarg (alignment hint 1) and a constant byte offset. */
  memory(opcode: number, offset: number): this {
    return this.op(opcode, 0, ...uleb(offset));
  }

  /** A SIMD instruction; loads and stores take a constant byte offset, shuffles their 16 lanes. */
  simd(opcode: number, ...immediates: number[]): this {
    const memarg = opcode === Simd.load || opcode === Simd.store ? [0, ...uleb(immediates[0] ?? 0)] : immediates;
    return this.op(0xfd, ...uleb(opcode), ...memarg);
  }

  /** memory.copy (dst, src, n on the stack). */
  memoryCopy(): this {
    return this.op(0xfc, 10, 0, 0);
  }

  /** call */
  call(functionIndex: number): this {
    return this.op(Op.call, ...uleb(functionIndex));
  }

  /** `while (condition) body`: `exit` pushes an i32 that is non-zero when the loop must stop. */
  whileNot(exit: () => void, body: () => void): this {
    this.op(Op.block, 0x40, Op.loop, 0x40);
    exit();
    this.op(Op.brIf, 1);
    body();
    return this.op(Op.br, 0, Op.end, Op.end);
  }

  /** `if (condition on the stack) then else otherwise`. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.op(Op.if, 0x40);
    then();
    if (otherwise) {
      this.op(Op.else);
      otherwise();
    }
    return this.op(Op.end);
  }

  /** The function's code entry: size, locals, instructions, end. */
  encode(): number[] {
    const groups: number[][] = [];
    for (const type of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === type) last[0]++;
      else groups.push([1, type]);
    }
    const body = [...vector(groups.map(([count, type]) => [...uleb(count), type])), ...this.code, Op.end];
    return [...uleb(body.length), ...body];
  }
}

interface FunctionEntry {
  readonly exportName: string | undefined;
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
  body: FunctionBody | undefined;
}

/** A module with one memory (exported as "memory") and functions, some exported. */
export class ModuleBuilder {
  private readonly functions: FunctionEntry[] = [];

  constructor(private readonly memoryPages: number) {}

  /** Declares a function (so that others can call it before it is defined) and returns its index. */
  declare(exportName: string | undefined, params: readonly ValueType[], results: readonly ValueType[] = []): number {
    this.functions.push({ exportName, params, results, body: undefined });
    return this.functions.length - 1;
  }

  /** Defines the body of a declared function. */
  define(index: number, build: (body: FunctionBody) => void): void {
    const entry = this.functions[index];
    const body = new FunctionBody(entry.params);
    build(body);
    entry.body = body;
  }

  /** The module's binary. */
  bytes(): Uint8Array {
    const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
    const types = this.functions.map((f) => [
      0x60,
      ...vector(f.params.map((t) => [t])),
      ...vector(f.results.map((t) => [t])),
    ]);
    const exports = [
      [...name("memory"), 0x02, 0],
      ...this.functions.flatMap((f, i) =>
        f.exportName === undefined ? [] : [[...name(f.exportName), 0x00, ...uleb(i)]],
      ),
    ];
    const bodies = this.functions.map((f, i) => {
      if (f.body === undefined) throw new Error(`wasm function ${i} declared but not defined`);
      return f.body.encode();
    });
    return new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(1, vector(types)),
      ...section(3, vector(this.functions.map((_, i) => uleb(i)))),
      ...section(5, vector([[0x00, ...uleb(this.memoryPages)]])),
      ...section(7, vector(exports)),
      ...section(10, vector(bodies)),
    ]);
  }
}

/** The part of the WebAssembly JavaScript API used here (not in the ES2022 library types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

/** The memory a kernel exports. */
export interface KernelMemory {
  /** The memory's bytes (a new buffer after each growth). */
  readonly buffer: ArrayBuffer;
  /** Adds `pages` pages of 64 KiB; returns the size before, in pages. */
  grow(pages: number): number;
}

/**
 * Compiles and instantiates a module synchronously and returns its exports, or undefined where
 * that cannot be done: no WebAssembly, no SIMD, or no synchronous compilation of this size (a
 * browser's main thread). The caller then falls back to TypeScript.
 */
export function instantiate<Exports>(bytes: Uint8Array): Exports | undefined {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return undefined;
  try {
    return new api.Instance(new api.Module(bytes)).exports as Exports;
  } catch {
    return undefined;
  }
}
