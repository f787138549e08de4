// A new user's review of the command line: mistakes a rule tuner or a coalition member makes on a first day, each
// answered with the path, the reason and what to do, the exit code the README gives, and no stack trace.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-cli-review-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const SET = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
const EVENTS = join(SAMPLE_DIR, "events.ndjson");

/** Exit `code`, and stderr that is exactly the lines given (no stack trace, no log lines). */
function fails(args: string[], code: number): string {
  const r = cli(...args);
  expect(r.status, r.stderr).toBe(code);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return r.stderr;
}

describe("indicator sets on the command line", () => {
  it("a file given to --from misp that is no MISP event is said to be one, not a crash in the refusal's own handler", { timeout: 60_000 }, () => {
    expect(fails(["indicators", "import", SET, "--from", "misp"], 2)).toBe(
      `error: ${SET} is not a MISP event (no "Event" object): --from misp takes one event's JSON export ({"Event": …}) or a MISP feed directory (manifest.json and one <uuid>.json per event); a STIX bundle file is imported with --from stix\n`,
    );
  });

  it("a trust store path under a file is refused, not a crash while saying what to do", { timeout: 60_000 }, () => {
    expect(fails(["indicators", "verify", SET, "--trust", `${SET}/trust.json`], 2)).toMatch(/^refused: .*trust\.json: \(top level\): not a readable JSON trust store: ENOTDIR[^\n]*\nFix the file and run the command again; nothing was changed\.\n$/);
  });

  it("a private key that is not one is refused with its file and what to give", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "trust.json"), JSON.stringify({ keys: [] }));
    expect(fails(["indicators", "sign", SET, "--key-id", "k", "--private-key", "trust.json"], 2)).toBe(
      "refused: trust.json: (top level): not a private key in PEM (keygen writes one that begins -----BEGIN PRIVATE KEY-----)\n" +
        "Give the private key file that `moneytrail indicators keygen --private-key-out` wrote; nothing was signed.\n",
    );
  });

  it("verify refuses a directory with no sets, and a file that is not a set among good ones without stopping", { timeout: 60_000 }, () => {
    mkdirSync(join(dir, "no-sets"));
    expect(fails(["indicators", "verify", "no-sets", "--trust", join(SAMPLE_DIR, "trust.json")], 2)).toBe(
      "error: no-sets: no *.json indicator set files in this directory: give a set file or a directory of them\n",
    );
    expect(fails(["indicators", "stats", "no-sets"], 2)).toContain("no *.json indicator set files");

    mkdirSync(join(dir, "sets"));
    cpSync(SET, join(dir, "sets", "b-sample.json"));
    // a trust-store entry saved among the sets by mistake: neither v1 nor an earlier file, so told what v1 needs
    writeFileSync(join(dir, "sets", "a-key.json"), JSON.stringify({ keyId: "k", publisher: "member:a", publicKey: "x" }));
    const r = cli("indicators", "verify", "sets", "--trust", join(SAMPLE_DIR, "trust.json"));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^REFUSED  sets\/a-key\.json: format: /);
    expect(r.stdout).not.toContain("source");
    expect(r.stdout).toMatch(/^ok       sets\/b-sample\.json: coalition-sample-2026-03 /m);
  });
});

describe("replay, produce and backtest", () => {
  it("replay refuses --trust without --indicators: nothing would be checked", { timeout: 60_000 }, () => {
    expect(fails(["replay", "--events", EVENTS, "--out", "a.ndjson", "--trust", join(SAMPLE_DIR, "trust.json"), "--no-progress"], 2)).toBe(
      "error: --trust checks the sets of --indicators: give --indicators DIR as well (or leave --trust out)\n",
    );
  });

  // Nothing listens at 127.0.0.1:1: a produce that went to the brokers first would end there, with "cannot reach
  // Kafka" and exit 1, not with the file's refusal. (A bound on the time, 8 s here before, failed under load: the
  // brokers' refusal itself takes about 10 s.)
  it("produce refuses a missing events file before going to the brokers", { timeout: 60_000 }, () => {
    expect(fails(["produce", "--events", "none.ndjson", "--brokers", "127.0.0.1:1", "--no-progress"], 2)).toBe("error: no events file at none.ndjson\n");
  });

  const backtest = (...more: string[]) => ["backtest", "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress", ...more];

  it("backtest names the flag and the path of an input that is a directory", { timeout: 60_000 }, () => {
    mkdirSync(join(dir, "a-dir"));
    expect(fails(backtest("--events", "a-dir"), 2)).toBe("error: --events a-dir is a directory: give the events file\n");
    expect(fails(backtest("--events", EVENTS, "--labels", "a-dir"), 2)).toBe("error: --labels a-dir is a directory: give the labels file\n");
  });

  it("backtest --dispositions: a value that is no URL is a usage error (not repeated: it may hold a password), a database that does not answer exit 1", { timeout: 60_000 }, () => {
    expect(fails(backtest("--events", EVENTS, "--dispositions", "s3cret"), 2)).toBe(
      "error: --dispositions: the case store's URL must start with postgres:// or postgresql://\n",
    );
    const down = fails(backtest("--events", EVENTS, "--dispositions", "postgres://reviewer:s3cret@127.0.0.1:1/cases"), 1);
    expect(down).toMatch(/^error: cannot reach PostgreSQL at 127\.0\.0\.1:1 for --dispositions /);
    expect(down).not.toContain("s3cret");
  });

  it("backtest --topic with brokers that do not answer says so in seconds (exit 1), without kafkajs's log lines", { timeout: 60_000 }, () => {
    const started = Date.now();
    expect(fails(backtest("--topic", "mt.merchant-events", "--brokers", "127.0.0.1:1"), 1)).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1 \([^\n]*\n$/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe("rules validate", () => {
  const rules = (name: string) => {
    const to = join(dir, name);
    cpSync(DEFAULT_RULES, to, { recursive: true });
    return to;
  };

  it("says which files it did not read, so a renamed file's rules are not silently missing", { timeout: 60_000 }, () => {
    const renamed = rules("renamed");
    renameSync(join(renamed, "sites.yaml"), join(renamed, "sites.YAML"));
    renameSync(join(renamed, "descriptors.yaml"), join(renamed, "descriptors.yml.txt"));
    const r = cli("rules", "validate", renamed);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("note: not read, as a rule file's name ends in .yaml or .yml: descriptors.yml.txt, sites.YAML\n");
    expect(cli("rules", "validate", DEFAULT_RULES).stderr).toBe("");
  });

  it("names a directory that has a rule file's name, and says how to mend a file of several documents", { timeout: 60_000 }, () => {
    const withDir = rules("with-dir");
    mkdirSync(join(withDir, "old.yaml"));
    expect(fails(["rules", "validate", withDir], 2)).toBe(`error: ${join(withDir, "old.yaml")}: is a directory: give a file\n`);

    const twoDocs = rules("two-docs");
    writeFileSync(join(twoDocs, "extra.yaml"), "rules: []\n---\nrules: []\n");
    expect(fails(["rules", "validate", twoDocs], 2)).toBe(
      `refused: ${join(twoDocs, "extra.yaml")}:2:1: (YAML syntax): holds more than one YAML document: remove the \`---\` line (a rule file is one document)\n` +
        "Fix what is said above and validate again.\n",
    );
  });
});
