/**
 * Progress on stderr: redrawn in place on a terminal, plain lines (at most one per second and one
 * per phase change) when stderr is a file or a CI log, nothing when disabled.
 */

export interface Progress {
  update(phase: string, done: number, total: number): void;
  done(): void;
}

export function createProgress(options: { enabled: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled) return { update() {}, done() {} };
  const start = Date.now();
  const interactive = Boolean(stream.isTTY) && !process.env.CI;
  let lastPhase = "";
  let lastLine = 0;
  let drawn = false;
  return {
    update(phase, done, total) {
      const now = Date.now();
      const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
      const line = `${phase}: ${done}/${total} (${percent}%), ${((now - start) / 1000).toFixed(1)} s`;
      if (interactive) {
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (phase !== lastPhase || now - lastLine >= 1000 || done === total) {
        stream.write(`${line}\n`);
        lastLine = now;
      }
      lastPhase = phase;
    },
    done() {
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}

/** A one-line status (a search's progress): redrawn in place on a terminal, a plain line every few seconds otherwise. */
export interface StatusLine {
  show(text: string): void;
  clear(): void;
}

export function createStatusLine(options: { enabled: boolean; stream?: NodeJS.WriteStream }): StatusLine {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled) return { show() {}, clear() {} };
  const interactive = Boolean(stream.isTTY) && !process.env.CI;
  let last = 0;
  let drawn = false;
  return {
    show(text) {
      const now = Date.now();
      if (interactive) {
        stream.write(`\r\x1b[2K${text}`);
        drawn = true;
      } else if (now - last >= 2000) {
        stream.write(`${text}\n`);
        last = now;
      }
    },
    clear() {
      if (drawn) stream.write("\r\x1b[2K");
      drawn = false;
    },
  };
}

/** Seconds as `42 s` or `3 min 05 s`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
}
