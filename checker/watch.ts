/**
 * When a search must stop short of its end, whatever kind of search it is (breadth- or depth-first,
 * the `eventually` phase, a simulation): its deadline has passed, the heap is close to its limit, or
 * it was asked to from outside (the command caught SIGINT or SIGTERM). A search that stops for one
 * of these still reports what it found, counterexamples included, so that a long run that found a
 * violation never ends with nothing to show for it.
 *
 * Reading the clock costs about as much as a cheap step, so the watch reads it only every so many
 * units of work, and adapts that number so that a look happens about every {@link LOOK_EVERY_MS}:
 * on a fast model once in thousands of states, on a model whose steps take a second each at every
 * step. The heap is looked at with the clock (V8's statistics cost half a microsecond), and the
 * search is stopped once the used heap passes a share of what the old generation may hold, leaving
 * room for the report itself.
 */

import { getHeapStatistics } from "node:v8";

/** Why a search stopped before the end, apart from its bounds on states and depth. */
export type StopReason = "timeout" | "memory" | "interrupted";

/** Every {@link StopReason}, for readers of reports. */
export const STOP_REASONS: readonly StopReason[] = ["timeout", "memory", "interrupted"];

/** What a report says stopped a search early, in words. */
export function stopText(reason: StopReason | "violation"): string {
  switch (reason) {
    case "timeout":
      return "the timeout";
    case "memory":
      return "the heap nearing its limit";
    case "interrupted":
      return "an interrupt (SIGINT or SIGTERM)";
    case "violation":
      return "the first violation";
  }
}

/**
 * What a parallel search's worker writes into the search's shared stop word when its own heap is
 * nearly full (any other value not 0: the coordinator's watch stopped it).
 */
export const STOP_MEMORY = 2;

/** How often (ms) the watch aims to look at the clock. */
export const LOOK_EVERY_MS = 20;

/**
 * What V8 keeps for the young generation within `heap_size_limit` on a 64-bit machine (three
 * 16 MiB semi-spaces): the old generation, where a search's states end up, can hold only the rest
 * (measured: with --max-old-space-size=64 the limit is 112 MiB and V8 gives up at 64 MiB used).
 */
const YOUNG_GENERATION_BYTES = 48 * 2 ** 20;

/** The heap a search may fill before it stops: `share` of what the old generation may hold. */
function heapBudget(share: number): number {
  const limit = getHeapStatistics().heap_size_limit;
  return share * Math.max(limit / 2, limit - YOUNG_GENERATION_BYTES);
}

/** The share of the heap limit past which a search stops (default of {@link WatchOptions.heapLimit}). */
export const DEFAULT_HEAP_LIMIT = 0.8;

/** Units of work between two looks at most (a fast model's thousands of states a millisecond). */
const MAX_COUNTDOWN = 4096;

/** What a search watches besides its own bounds. */
export interface WatchOptions {
  /** Stop after this many milliseconds. */
  readonly timeoutMs?: number;
  /**
   * Stop once the used heap passes this share of what V8's old generation may hold
   * (`--max-old-space-size`), so that the partial report can still be made; `false`: never.
   * Default {@link DEFAULT_HEAP_LIMIT}.
   */
  readonly heapLimit?: number | false;
  /**
   * Asked from outside to stop (a signal the command caught, another thread's request): looked at
   * as often as the clock. A shared `Int32Array` is a request when its first element is not 0.
   */
  readonly interrupt?: (() => boolean) | Int32Array;
  /**
   * Give the event loop a turn about this often (ms) — the asynchronous searches only
   * (`checkModelAsync`, `simulateAsync`): on the main thread, a signal handler runs only then.
   */
  readonly yieldEveryMs?: number;
}

/** The stop conditions of one search, looked at every so many units of work. */
export class Watch {
  readonly started = Date.now();
  /** When the search must stop (ms since the epoch). */
  readonly deadline: number;
  private readonly heapBytes: number;
  private readonly interrupt: (() => boolean) | undefined;
  private readonly yieldEveryMs: number;
  private countdown = 1;
  private every = 1;
  private lastLook = this.started;
  private lastYield = this.started;
  /** Why the search must stop, once it must. */
  reason: StopReason | undefined;
  /** Set when the search should give the event loop a turn (cleared by the search). */
  yieldDue = false;
  /** The time of the last look (ms since the epoch). */
  now = this.started;

  constructor(options: WatchOptions) {
    this.deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : this.started + options.timeoutMs;
    const share = options.heapLimit ?? DEFAULT_HEAP_LIMIT;
    this.heapBytes = share === false ? Number.POSITIVE_INFINITY : heapBudget(share);
    const interrupt = options.interrupt;
    this.interrupt =
      interrupt === undefined
        ? undefined
        : typeof interrupt === "function"
          ? interrupt
          : () => Atomics.load(interrupt, 0) !== 0;
    this.yieldEveryMs = options.yieldEveryMs ?? Number.POSITIVE_INFINITY;
  }

  /** One unit of work done; true when it is time to {@link look}. */
  due(): boolean {
    return --this.countdown <= 0;
  }

  /**
   * Looks at the clock, the request from outside and (less often) the heap; returns the reason
   * to stop, if there is one. Adapts how many units of work pass before the next look.
   */
  look(): StopReason | undefined {
    const now = Date.now();
    const since = now - this.lastLook;
    // Twice as many units when they went by fast, down to one when they were slow.
    if (since < LOOK_EVERY_MS / 2) this.every = Math.min(MAX_COUNTDOWN, this.every * 2);
    else if (since > LOOK_EVERY_MS * 2) this.every = Math.max(1, this.every >> 1);
    this.countdown = this.every;
    this.lastLook = now;
    this.now = now;
    if (now - this.lastYield >= this.yieldEveryMs) {
      this.lastYield = now;
      this.yieldDue = true;
    }
    if (this.reason !== undefined) return this.reason;
    if (this.interrupt?.()) this.reason = "interrupted";
    else if (now >= this.deadline) this.reason = "timeout";
    else if (getHeapStatistics().used_heap_size > this.heapBytes) this.reason = "memory";
    return this.reason;
  }

  /** Time left before the deadline (ms, at least 1), for a phase that comes after; undefined: none. */
  remainingMs(): number | undefined {
    return Number.isFinite(this.deadline) ? Math.max(1, this.deadline - Date.now()) : undefined;
  }
}

/** A turn of the event loop (for the asynchronous searches). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs a search written as a generator to its end, without pausing: the synchronous searches. */
export function runToEnd<R>(steps: Generator<void, R, void>): R {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs a search written as a generator, giving the event loop a turn at each of its pauses. */
export async function runWithTurns<R>(steps: Generator<void, R, void>): Promise<R> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await nextTurn();
  }
}
