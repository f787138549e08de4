// A partner's STIX bundle or MISP event, or a member's CSV list, given where a set is read (verify, stats, sign,
// replay --indicators) was refused with every key of format v1 said missing, or a JSON syntax error quoting the
// file's first characters: nothing said it needs importing first, or how. It now says what the file is and the
// import command that makes a set of it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-coalition-formats-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const BUNDLE = join(PACKAGE_ROOT, "fixtures", "stix", "partner-tool-bundle.json");
const EVENT = join(PACKAGE_ROOT, "fixtures", "misp-feed", "40f531cd-dd5b-56c3-ad97-c32655774acb.json");

describe("a file in another format where a set is read", () => {
  it("is named as such, with the import that makes a set of it", { timeout: 60_000 }, () => {
    const stix = cli("stats", BUNDLE);
    expect(stix.status).toBe(2);
    expect(stix.stderr).toBe(
      `refused: ${BUNDLE}: (top level): a STIX 2.1 bundle, not a moneytrail indicator set\n` +
        `Import it first: moneytrail indicators import ${BUNDLE} --from stix --set-id ID --publisher MEMBER_ID --out SET.json (the same --set-id and --publisher for each import from this sender); nothing was changed.\n`,
    );
    const misp = cli("stats", EVENT);
    expect(misp.status).toBe(2);
    expect(misp.stderr).toContain(`refused: ${EVENT}: (top level): a MISP event, not a moneytrail indicator set\nImport it first: moneytrail indicators import ${EVENT} --from misp`);
  });

  it("a CSV list is named as such, without quoting its first characters", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "list.csv"), "kind,value,confidence\nurl,https://flagged-gallery.example/album/17,80\n");
    const r = cli("stats", "list.csv");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("refused: list.csv: (top level): not JSON: a CSV file, not a moneytrail indicator set\nImport it first: moneytrail indicators import list.csv --from csv");
    expect(r.stderr).not.toContain("kind,value");
  });

  it("a set that is not valid JSON is refused without quoting the text around the fault (a page's address)", { timeout: 60_000 }, () => {
    const text = `{"format":"moneytrail-indicators/1","entries":[{"id":"b-1","kind":"url","value":https://flagged-gallery.example/album/17}],"more":"${"x".repeat(200)}"}`;
    writeFileSync(join(dir, "broken.json"), text);
    const r = cli("stats", "broken.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^refused: broken\.json: \(top level\): not valid JSON: Unexpected token 'h', "…" is not valid JSON\n/);
    expect(r.stderr).not.toContain("https");
  });
});
