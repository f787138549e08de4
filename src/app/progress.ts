// A progress bar on a terminal (stderr), nothing when output goes to a file or CI log.
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** `unit`: what `done` and `total` count, bytes (shown as MB) or messages (shown as they are) */
export function progressBar(label: string, enabled = process.stderr.isTTY === true, unit: "bytes" | "messages" = "bytes"): Progress {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit === "bytes" ? "MB" : unit} | {eta}s left`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const mb = unit === "bytes" ? (b: number): number => Math.round(b / 1e5) / 10 : (n: number): number => n;
  return {
    update(done, total) {
      if (!started) {
        bar.start(mb(total), 0);
        started = true;
      }
      bar.update(mb(done));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
