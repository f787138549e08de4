// `indicators hash` reads the values from stdin so that they stay out of the shell's history; a value given on the
// command line was refused with commander's "too many arguments for 'hash'", which did not say where the values go.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { CLI } from "./helpers/cli.js";

describe("indicators hash with a value on the command line", () => {
  it("says to give it on stdin, without repeating it", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [...CLI, "indicators", "hash", "--kind", "url", "https://flagged-gallery.example/album/17"], { input: "", encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "error: indicators hash reads the values from stdin, one a line, not from the command line (which keeps them in the shell's history): e.g. moneytrail indicators hash --kind url < urls.txt\n",
    );
    expect(r.stdout).toBe("");
  });
});
