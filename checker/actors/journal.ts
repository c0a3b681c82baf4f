/**
 * The interning journal of an actor model: how each id of a local state, message or event came to
 * be, and every local transition computed, in the order they happened. Ids are given in the order
 * the search meets things, so a global state written as ids (a checkpoint's queue) means nothing
 * to another process — until that process has made the same ids. It does so by replaying the
 * journal, in order, through the same deterministic operations on a freshly built model: each
 * replayed operation records itself again, and the record must come out word for word as the
 * saved one. A difference means the model is not the one that wrote the checkpoint (its machines,
 * inputs or properties changed), and the resume is refused rather than continued on ids that mean
 * something else.
 *
 * Every computed transition is journaled, not only those that made new ids: what partial-order
 * reduction decides depends on which transitions are memoised already (its budgets count the ones
 * it must compute), and a resumed search must decide as the uninterrupted one would.
 *
 * Entries, as 32-bit words:
 * - step: `STEP, local, event, next, k, sent₁…sentₖ` — `ActorTables.step` computed a transition;
 * - renamed local state: `RENAME_LOCAL, local, actor, permutation, id` — symmetry made a new id;
 * - renamed message: `RENAME_MESSAGE, message, permutation, id`;
 * - computed menu: `MENU, actor, n, state₁…stateₙ, k, id₁…idₖ` — a Byzantine menu, computed from
 *   a whole state, made new message ids.
 */

import { type ByteSink, type ByteSource, MalformedData, expectData, readNumbers, writeNumbers } from "../binary.js";
import { CheckpointError } from "../errors.js";
import type { SystemState } from "./types.js";

const STEP = 0;
const RENAME_LOCAL = 1;
const RENAME_MESSAGE = 2;
const MENU = 3;

/** How a replay redoes each kind of entry on the fresh model (each records itself again). */
export interface Redo {
  /** Computes the local transition of `local` on `event` again. */
  step(local: number, event: number): void;
  /** Renames actor `actor`'s local state `local` by the symmetry's permutation `permutation` again. */
  renameLocal(local: number, actor: number, permutation: number): void;
  /** Renames message `message` by the symmetry's permutation `permutation` again. */
  renameMessage(message: number, permutation: number): void;
  /** Computes Byzantine actor `actor`'s menu in `state` again. */
  menu(actor: number, state: SystemState): void;
}

/** One model's journal (see the module comment). */
export class InterningJournal {
  private words = new Int32Array(1024);
  /** Words in use. */
  length = 0;

  /** A transition `ActorTables.step` computed: `local` on `event` gives `next` and sends `sent`. */
  step(local: number, event: number, next: number, sent: readonly number[]): void {
    this.append([STEP, local, event, next, sent.length, ...sent]);
  }

  /** Symmetry renamed `local` to actor `actor` under `permutation`, making the new id `id`. */
  renamedLocal(local: number, actor: number, permutation: number, id: number): void {
    this.append([RENAME_LOCAL, local, actor, permutation, id]);
  }

  /** Symmetry renamed `message` under `permutation`, making the new id `id`. */
  renamedMessage(message: number, permutation: number, id: number): void {
    this.append([RENAME_MESSAGE, message, permutation, id]);
  }

  /** Byzantine actor `actor`'s menu, computed in `state`, made new message ids: it is `ids`. */
  menu(actor: number, state: SystemState, ids: readonly number[]): void {
    this.append([MENU, actor, state.length, ...state, ids.length, ...ids]);
  }

  /** Writes the journal for {@link InterningJournal.read}. */
  write(sink: ByteSink): void {
    writeNumbers(sink, [this.length]);
    sink.write(this.words.subarray(0, this.length));
  }

  /** The words of a journal {@link InterningJournal.write} wrote. */
  static read(source: ByteSource): Int32Array {
    const [length] = readNumbers(source, 1);
    expectData(Number.isSafeInteger(length) && length >= 0 && length < 2 ** 31, `a journal of ${length} words`);
    const words = new Int32Array(length);
    source.read(words);
    return words;
  }

  /**
   * Replays `saved` (the words of a journal) on this model, which must have been built just now:
   * the entries made while building must be the same, and each later entry is redone and must be
   * recorded again exactly; otherwise a {@link CheckpointError} (`model-changed`).
   */
  replay(saved: Int32Array, redo: Redo): void {
    const built = this.length;
    if (built > saved.length || !same(this.words, 0, saved, 0, built)) {
      throw changed("building it does not make the same ids");
    }
    for (let at = built; at < saved.length; ) {
      const size = entrySize(saved, at);
      const before = this.length;
      try {
        redoEntry(saved, at, redo);
      } catch (error) {
        if (error instanceof CheckpointError) throw error;
        throw changed(`${describe(saved, at)} fails: ${(error as Error).message}`, error);
      }
      if (this.length - before !== size || !same(this.words, before, saved, at, size)) {
        throw changed(`${describe(saved, at)} no longer comes out the same`);
      }
      at += size;
    }
  }

  private append(entry: readonly number[]): void {
    if (this.length + entry.length > this.words.length) {
      const words = new Int32Array(Math.max(2 * this.words.length, this.length + entry.length));
      words.set(this.words.subarray(0, this.length));
      this.words = words;
    }
    this.words.set(entry, this.length);
    this.length += entry.length;
  }
}

function changed(what: string, cause?: unknown): CheckpointError {
  return new CheckpointError(
    "model-changed",
    `the model changed since the checkpoint: ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

function same(a: Int32Array, at: number, b: Int32Array, bt: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (a[at + k] !== b[bt + k]) return false;
  return true;
}

/** The words of the entry at `at`, checked to lie within the journal. */
function entrySize(words: Int32Array, at: number): number {
  const room = words.length - at;
  const fits = (size: number) => {
    expectData(size <= room, "a journal entry past the end of the journal");
    return size;
  };
  switch (words[at]) {
    case STEP:
      fits(5);
      return fits(5 + words[at + 4]);
    case RENAME_LOCAL:
      return fits(5);
    case RENAME_MESSAGE:
      return fits(4);
    case MENU: {
      fits(4);
      const n = words[at + 2];
      fits(4 + n);
      return fits(4 + n + words[at + 3 + n]);
    }
    default:
      throw new MalformedData(`a journal entry of unknown kind ${words[at]}`);
  }
}

function redoEntry(words: Int32Array, at: number, redo: Redo): void {
  switch (words[at]) {
    case STEP:
      redo.step(words[at + 1], words[at + 2]);
      return;
    case RENAME_LOCAL:
      redo.renameLocal(words[at + 1], words[at + 2], words[at + 3]);
      return;
    case RENAME_MESSAGE:
      redo.renameMessage(words[at + 1], words[at + 2]);
      return;
    default: {
      const n = words[at + 2];
      redo.menu(words[at + 1], Uint16Array.from(words.subarray(at + 3, at + 3 + n)));
    }
  }
}

/** An entry in words, for the error that says which one came out otherwise. */
function describe(words: Int32Array, at: number): string {
  switch (words[at]) {
    case STEP:
      return `the transition of local state ${words[at + 1]} on event ${words[at + 2]}`;
    case RENAME_LOCAL:
      return `the renaming of local state ${words[at + 1]} (symmetry)`;
    case RENAME_MESSAGE:
      return `the renaming of message ${words[at + 1]} (symmetry)`;
    default:
      return `the menu of Byzantine actor ${words[at + 1]}`;
  }
}
