// `indicators export SET --out SET` wrote the shareable copy over the set it was made from: the member's TLP:RED
// entries, its plaintext URLs (with --hash) and its descriptions were gone for good, and with them what its own
// processes match. An --out that is the input file is refused, as replay and backtest refuse theirs, and the file is
// left as it was; so is an import's over the file imported.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";
import { hotlineSet } from "./helpers/events.js";

const cli = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd, encoding: "utf8", timeout: 60_000 });

describe("an output that is the input file", () => {
  it("export refuses it and leaves the set whole", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-export-over-"));
    const text = JSON.stringify(
      hotlineSet({
        id: "hotline-a-week49",
        created: "2026-12-06T00:00:00Z",
        entries: [
          { id: "w-1", kind: "url", value: "https://flagged-gallery.example/album/17", confidence: 85, tlp: "amber", description: "seen 2026-12-01" },
          { id: "w-2", kind: "merchant-id", value: "acq-test:M-9", confidence: 90, tlp: "red" },
        ],
      }),
    );
    writeFileSync(join(dir, "week.json"), text);
    const r = cli(dir, "indicators", "export", "week.json", "--hash", "--out", "./week.json");
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      "error: --out ./week.json is the set file week.json: the export would replace the set it is made from, and what an export leaves out (TLP:RED entries; with --hash, plain values and descriptions) would be lost; give another --out file\n",
    );
    expect(readFileSync(join(dir, "week.json"), "utf8")).toBe(text);
  });

  it("import refuses it and leaves the partner's file as it was", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-import-over-"));
    const text = readFileSync(join(PACKAGE_ROOT, "fixtures", "stix", "partner-tool-bundle.json"), "utf8");
    writeFileSync(join(dir, "bundle.json"), text);
    const r = cli(dir, "indicators", "import", "bundle.json", "--from", "stix", "--out", "bundle.json");
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe("error: --out bundle.json is the file imported, bundle.json: the set would replace it; give another --out file\n");
    expect(readFileSync(join(dir, "bundle.json"), "utf8")).toBe(text);
  });
});
