// What a new user meets on the command line besides refused options: a refusal's last line says what fits the error,
// a closed pipe (`| head`) ends a command quietly, the version, the replay's help and summary, outputs into a
// directory not there yet, and the demo's sign-in page pointing to the demo's own sign-ins.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES, PACKAGE_ROOT, SAMPLE_DIR } from "../src/lib/paths.js";
import { replay } from "../src/app/replay.js";
import { serveDemo } from "../src/app/demo.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { createLogger } from "../src/lib/log.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-cli-walk-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const sampleLines = readFileSync(join(SAMPLE_DIR, "events.ndjson"), "utf8").split("\n").filter(Boolean);

/** Refused (exit 2) as a configuration: the reason, then the line that says what to do. */
function refusal(args: string[]): { reason: string; todo: string } {
  const r = cli(...args);
  expect(r.status, r.stderr).toBe(2);
  const m = /^refused: ([^\n]+)\n([^\n]+)\n$/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return { reason: m![1]!, todo: m![2]! };
}

describe("a refusal's last line fits the error", () => {
  writeFileSync(join(dir, "few.ndjson"), `${sampleLines.slice(0, 20).join("\n")}\n`);

  it("a file to fix: fix it; nothing was changed", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "broken.yaml"), "rules: [\n");
    expect(refusal(["replay", "--events", "few.ndjson", "--out", "a.ndjson", "--rules", "broken.yaml"]).todo).toBe("Fix the file and run the command again; nothing was changed.");
  });

  it("rules validate changes nothing, and is what is run again", { timeout: 60_000 }, () => {
    expect(refusal(["rules", "validate", "broken.yaml"]).todo).toBe("Fix what is said above and validate again.");
  });

  it("a rule-set directory with no `ruleset:` section: no file to fix, one to add to", { timeout: 60_000 }, () => {
    cpSync(DEFAULT_RULES, join(dir, "no-settings"), { recursive: true });
    rmSync(join(dir, "no-settings", "ruleset.yaml"));
    const r = refusal(["replay", "--events", "few.ndjson", "--out", "a.ndjson", "--rules", "no-settings"]);
    expect(r.reason).toContain("no file has a `ruleset:` section");
    expect(r.todo).toBe("Add or change files in the directory as said above, then run the command again; nothing was changed.");
  });

  it("a signed set changed after signing: the publisher's to fix, or the trust store", { timeout: 60_000 }, () => {
    const set = JSON.parse(readFileSync(join(SAMPLE_DIR, "indicators", "coalition-sample.json"), "utf8")) as { entries: { confidence?: number }[] };
    set.entries[0]!.confidence = set.entries[0]!.confidence === 80 ? 81 : 80;
    mkdirSync(join(dir, "tampered"));
    writeFileSync(join(dir, "tampered", "set.json"), JSON.stringify(set));
    const r = refusal(["replay", "--events", "few.ndjson", "--out", "a.ndjson", "--indicators", "tampered", "--trust", join(SAMPLE_DIR, "trust.json"), "--no-progress"]);
    expect(r.reason).toMatch(/^tampered\/set\.json: signature: the signature of set .* does not match its content/);
    expect(r.todo).toBe("Ask the set's publisher for a correctly signed copy, or check that the trust store holds their current key; nothing was changed.");
  });

  it("a --sweep value the rule does not take: the range is wrong, not the file", { timeout: 60_000 }, () => {
    const r = refusal([
      "backtest",
      "--events",
      "few.ndjson",
      "--baseline",
      DEFAULT_RULES,
      "--candidate",
      DEFAULT_RULES,
      "--sweep",
      "early-warning-disputes.params.levels[0].ratio=0.5:1.5:0.5",
      "--no-progress",
    ]);
    expect(r.reason).toContain("with --sweep early-warning-disputes.params.levels[0].ratio=1.5:");
    expect(r.todo).toBe("The --sweep range is what is wrong, not the file: give one whose every value the rule takes, then run the backtest again.");
  });
});

describe("the command line's output", () => {
  it("ends quietly when the reader of its output has gone (| head)", { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [...CLI, "rules", "validate"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    // closed before the command starts: its first write finds no reader
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("prints its version", { timeout: 60_000 }, () => {
    const r = cli("--version");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version}\n`);
  });

  it("replay's help names the rejects file it writes", { timeout: 60_000 }, () => {
    const help = cli("replay", "--help").stdout.replace(/\s+/g, " ");
    expect(help).toContain("(default: beside --out, alerts.rejects.ndjson for alerts.ndjson)");
    cli("replay", "--events", "few.ndjson", "--out", "alerts.ndjson", "--no-progress");
    expect(existsSync(join(dir, "alerts.rejects.ndjson"))).toBe(true);
  });

  it("replay's summary counts every line of the file, the blank ones apart", { timeout: 60_000 }, () => {
    const lines = [...sampleLines.slice(0, 10), "", "   ", "\r", "{", ...sampleLines.slice(10, 20)];
    writeFileSync(join(dir, "blank.ndjson"), `${lines.join("\n")}\n`);
    const r = cli("replay", "--events", "blank.ndjson", "--out", "b.ndjson", "--no-progress");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^24 lines: 20 events processed, 1 rejected \(see b\.rejects\.ndjson\), 3 blank; /);
  });

  it("writes a signed set or a key into a directory not there yet, as replay does", { timeout: 60_000 }, () => {
    const set = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
    const key = join(SAMPLE_DIR, "keys", "hotline-sample-2026.key.pem");
    const r = cli("indicators", "sign", set, "--key-id", "hotline-sample-2026", "--private-key", key, "--out", "new/signed/set.json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "new", "signed", "set.json"), "utf8"))).toHaveProperty("signature");
    expect(cli("indicators", "keygen", "--key-id", "k", "--publisher", "member:x", "--private-key-out", "new/keys/k.pem").status).toBe(0);
    expect(readFileSync(join(dir, "new", "keys", "k.pem"), "utf8")).toContain("PRIVATE KEY");
  });
});

describe("the demo's sign-in page", () => {
  it("points to the sign-ins the demo printed, not to `users add`, which cannot reach its in-memory database", { timeout: 60_000 }, async () => {
    writeFileSync(join(dir, "none.ndjson"), "");
    const s = await replay({ events: join(dir, "none.ndjson"), out: join(dir, "demo.ndjson"), rejects: join(dir, "demo-r.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: new IndicatorIndex() });
    const demo = await serveDemo({ alertsFile: join(dir, "demo.ndjson"), engine: s.engine, hits: s.hits, rulesDir: DEFAULT_RULES, host: "127.0.0.1", port: 0, log: createLogger("silent") });
    try {
      const page = await (await fetch(`${demo.url}login`)).text();
      expect(page).toContain("No account? The demo printed its one-time sign-ins where it was started (npm start or moneytrail demo).");
      expect(page).not.toContain("users add");
    } finally {
      await demo.close();
    }
  });
});
