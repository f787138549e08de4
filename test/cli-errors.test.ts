// Ordinary mistakes on the command line, as a person sees them: one line naming the path or the option and what to
// do, exit 2, no stack trace; and a replay that would overwrite its own events refused before anything is opened.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-cli-errors-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });

/** Refused with exit 2 and exactly one line on stderr (commander's usage errors included). */
function refused(args: string[]): string {
  const r = cli(...args);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: [^\n]+\n$/);
  return r.stderr;
}

describe("the command line's refusals", () => {
  const events = join(dir, "s.ndjson");
  const sample = readFileSync(join(SAMPLE_DIR, "events.ndjson"));
  writeFileSync(events, sample);
  symlinkSync(events, join(dir, "link.ndjson"));
  mkdirSync(join(dir, "a-dir"));
  writeFileSync(join(dir, "taken.pem"), "");

  it("refuses a replay whose alerts or rejects would overwrite its events", { timeout: 60_000 }, () => {
    expect(refused(["replay", "--events", "s.ndjson", "--out", "s.ndjson"])).toBe(
      "error: --out s.ndjson is the events file s.ndjson: writing the alerts there would destroy the events; give another --out file\n",
    );
    expect(refused(["replay", "--events", "s.ndjson", "--out", "link.ndjson"])).toContain("--out link.ndjson is the events file s.ndjson");
    expect(refused(["replay", "--events", "s.ndjson", "--out", "a.ndjson", "--rejects", events])).toContain("give another --rejects file");
    expect(readFileSync(events).equals(sample)).toBe(true);
  });

  it("names the path and what to do for a file that is missing, a directory or already there", { timeout: 120_000 }, () => {
    expect(refused(["rules", "validate", "/nonexistent"])).toBe("error: /nonexistent: not found: check the path\n");
    expect(refused(["replay", "--events", "s.ndjson", "--out", "a.ndjson", "--indicators", "/nonexistent", "--no-progress"])).toBe("error: /nonexistent: not found: check the path\n");
    expect(refused(["replay", "--events", "a-dir", "--out", "a.ndjson"])).toBe("error: --events a-dir is a directory: give the events file\n");
    expect(refused(["replay", "--events", "s.ndjson", "--out", "a-dir", "--no-progress"])).toBe("error: a-dir: is a directory: give a file\n");
    // once crashed with an unhandled 'error' event of the write stream
    expect(refused(["replay", "--events", "s.ndjson", "--out", "/proc/x.ndjson", "--no-progress"])).toBe("error: /proc/x.ndjson: not found: check the path\n");
    const set = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
    expect(refused(["indicators", "sign", set, "--key-id", "k", "--private-key", "nope.pem"])).toBe("error: nope.pem: not found: check the path\n");
    expect(refused(["indicators", "sign", set, "--key-id", "k", "--private-key", "a-dir"])).toBe("error: a-dir: is a directory: give a file\n");
    expect(refused(["indicators", "import", "a-dir", "--from", "stix"])).toBe(
      "error: a-dir is a directory: --from stix takes a STIX bundle file (a MISP feed directory is imported with --from misp)\n",
    );
    expect(refused(["indicators", "keygen", "--key-id", "k", "--publisher", "member:x", "--private-key-out", "taken.pem"])).toBe(
      "error: taken.pem: already exists: give another path, or move the file away first\n",
    );
  });

  it("names the option and the values it takes", { timeout: 60_000 }, () => {
    expect(refused(["indicators", "export", "--format", "xml"])).toBe("error: option '--format <format>' argument 'xml' is invalid. Allowed choices are v1, stix, json-schema.\n");
    expect(refused(["indicators", "import", "x.json", "--from", "foo"])).toBe("error: option '--from <format>' argument 'foo' is invalid. Allowed choices are stix, misp, legacy, csv.\n");
    expect(refused(["indicators", "import", "x.json", "--set-version", "two"])).toMatch(/'--set-version <n>' argument 'two' is invalid. expected a whole number of at least 1/);
    expect(refused(["replay", "--out", "a.ndjson"])).toBe("error: required option '--events <file>' not specified\n");
    expect(refused(["replay", "--events", "s.ndjson", "--out", "a.ndjson", "--frobnicate"])).toBe("error: unknown option '--frobnicate'\n");
    // a misspelt required option is unknown, not the required one missing
    const typo = cli("replay", "--event", "s.ndjson", "--out", "a.ndjson");
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe("error: unknown option '--event'\n(Did you mean --events?)\n");
  });

  it("refuses a backtest window that ends before it starts", { timeout: 60_000 }, () => {
    const backtest = ["backtest", "--events", "s.ndjson", "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress"];
    expect(refused([...backtest, "--from", "5000", "--to", "100"])).toBe(
      "error: --from 5000 is after --to 100: give the window's start as --from and its end as --to (--from 100 --to 5000)\n",
    );
    expect(refused([...backtest, "--from", "2026-04-30T00:00:00Z", "--to", "2026-04-01T00:00:00Z"])).toContain("--from 2026-04-30T00:00:00Z is after --to 2026-04-01T00:00:00Z");
  });

  it("leaves help at exit 0", { timeout: 60_000 }, () => {
    const r = cli("replay", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--events <file>");
  });
});
