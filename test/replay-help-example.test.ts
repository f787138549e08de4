// replay --help had no example, and a newcomer's first replay of the sample (no --indicators) gave 6 alerts where
// npm start shows 14: the help now shows the line that gives npm start's alerts, and this test runs it as written.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: PACKAGE_ROOT, encoding: "utf8", timeout: 60_000 });

describe("replay --help", () => {
  it("shows an example on the sample that gives npm start's 14 alerts", { timeout: 60_000 }, () => {
    const help = run(["replay", "--help"]).stdout;
    const lines = /\n {2}npx moneytrail replay (.*) \\\n {4}(.*)\n/.exec(help);
    expect(lines, help).not.toBeNull();
    const out = join(mkdtempSync(join(tmpdir(), "mt-replay-help-")), "alerts.ndjson");
    const args = `${lines![1]} ${lines![2]}`.split(" ").map((a) => (a === "out/alerts.ndjson" ? out : a));
    const r = run(["replay", ...args, "--no-progress"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("6908 lines: 6908 events processed, 0 rejected; 79 merchants, 14 alerts on 12 merchants");
    expect(r.stdout).toContain("acq-nl:M-100001");
  });
});
