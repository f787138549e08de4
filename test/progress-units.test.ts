// A topic's backtest counts messages, not bytes: its bar said "0/0 MB" and "NULLs left" for a range of some
// thousand messages, shown as megabytes.
import { afterEach, describe, expect, it, vi } from "vitest";
import { progressBar } from "../src/app/progress.js";

const wasTTY = process.stderr.isTTY;
afterEach(() => {
  vi.restoreAllMocks();
  process.stderr.isTTY = wasTTY;
});

function drawn(draw: () => void): string {
  process.stderr.isTTY = true;
  const out: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  draw();
  vi.restoreAllMocks();
  return out.join("");
}

describe("progress bar units", () => {
  it("shows messages as counts", () => {
    const text = drawn(() => {
      const bar = progressBar("backtest", true, "messages");
      bar.update(3000, 6896);
      bar.stop();
    });
    expect(text).toContain("3000/6896 messages");
  });

  it("shows bytes as MB, as before", () => {
    const text = drawn(() => {
      const bar = progressBar("replay", true);
      bar.update(3_000_000, 6_000_000);
      bar.stop();
    });
    expect(text).toContain("3/6 MB");
  });
});
