// Integration files run two at a time on the one broker and database, except those that disturb what the others use
// (a broker restarted or stopped) or need the machine to themselves: those hold the run alone. The lock lives in the
// global setup's control server (the main process); a file holds it for as long as its request stays open, so a
// worker that dies lets go of it with its socket.
import type { IncomingMessage, ServerResponse } from "node:http";

type Mode = "shared" | "exclusive";
interface Waiter {
  mode: Mode;
  grant: () => void;
}

/** A readers-writer lock that lets a waiting exclusive holder in before later shared ones (no starving). */
export class FileLock {
  private shared = 0;
  private exclusive = false;
  private readonly waiting: Waiter[] = [];

  /** `granted` resolves once held; `release` lets go, or gives up waiting (once). */
  acquire(mode: Mode): { granted: Promise<void>; release: () => void } {
    let held = false;
    let released = false;
    let grant!: () => void;
    const granted = new Promise<void>((r) => (grant = r));
    const waiter: Waiter = { mode, grant: () => ((held = true), grant()) };
    this.waiting.push(waiter);
    this.admit();
    const release = (): void => {
      if (released) return;
      released = true;
      if (!held) this.waiting.splice(this.waiting.indexOf(waiter), 1);
      else if (mode === "exclusive") this.exclusive = false;
      else this.shared--;
      this.admit();
    };
    return { granted, release };
  }

  private admit(): void {
    while (this.waiting.length && !this.exclusive) {
      const next = this.waiting[0]!;
      if (next.mode === "exclusive" && this.shared > 0) return;
      this.waiting.shift();
      if (next.mode === "exclusive") this.exclusive = true;
      else this.shared++;
      next.grant();
    }
  }
}

/**
 * GET /lock?mode=shared|exclusive: answers "held" when held and once `settled` (a broker restart under way) has
 * ended, and keeps the answer open until the client closes it. A file that let go mid-restart (its test timed out)
 * must not hand the next files a broker that is still down.
 */
export function serveLock(lock: FileLock, req: IncomingMessage, res: ServerResponse, mode: string | null, settled: () => Promise<unknown>): void {
  if (mode !== "shared" && mode !== "exclusive") {
    res.writeHead(400).end("mode=shared or mode=exclusive\n");
    return;
  }
  const { granted, release } = lock.acquire(mode);
  req.socket.setKeepAlive(true);
  res.on("close", release);
  void granted.then(settled).then(() => {
    if (res.destroyed) return release();
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("held\n");
  });
}
