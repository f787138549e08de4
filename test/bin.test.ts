// The `moneytrail` command as npm links it (package.json "bin"): a shim that loads dist/cli.js, and says what to do
// when dist/ is not built yet rather than failing as "not found".
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

const bin = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).bin.moneytrail as string;

describe("the moneytrail command", () => {
  // a copy of the package's shape: the shim and, in the second test, a dist/ of its own
  const root = mkdtempSync(join(tmpdir(), "mt-bin-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "bin"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  copyFileSync(join(PACKAGE_ROOT, bin), join(root, bin));
  const run = () => spawnSync(process.execPath, [join(root, bin), "rules", "validate"], { encoding: "utf8" });

  it("says to build first when dist/ is missing", () => {
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("moneytrail is not built: run `npm run build`");
  });

  it("runs dist/cli.js with the command's arguments once built", () => {
    mkdirSync(join(root, "dist"));
    writeFileSync(join(root, "dist", "cli.js"), "process.stdout.write(JSON.stringify(process.argv.slice(2)));\n");
    const r = run();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(["rules", "validate"]);
  });
});
