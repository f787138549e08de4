// A STIX bundle whose indicators name no creator (no created_by_ref) was imported under a publisher made of the
// bundle's id, which the sender's tool makes anew for each bundle: every week's import of the same partner's list was
// another publisher's set. Under one --set-id it was refused beside the last ("a set id belongs to one publisher"), a
// process that had the last one in force reported it missing, and a key vouching for the partner's sets (keygen
// --publisher <the set's publisher.id>) had to be made again for each import. `import --publisher` names the set's
// publisher (the partner's member id); without it such an import says so.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-import-publisher-"));
// the fixture's indicators without their creator, as many feeds send them
const bundle = JSON.parse(readFileSync(join(PACKAGE_ROOT, "fixtures", "stix", "partner-tool-bundle.json"), "utf8")) as { id: string; objects: Record<string, unknown>[] };
for (const o of bundle.objects) delete o.created_by_ref;
writeFileSync(join(dir, "bundle.json"), JSON.stringify(bundle));
const MISP_EVENT = join(PACKAGE_ROOT, "fixtures", "misp-feed", "40f531cd-dd5b-56c3-ad97-c32655774acb.json");
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", "import", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });

describe("import --publisher", () => {
  it("names the publisher of a STIX import", { timeout: 60_000 }, () => {
    const r = cli("bundle.json", "--set-id", "partner-b-stix", "--publisher", "member:partner-b");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: "partner-b-stix", publisher: { id: "member:partner-b" } });
    // (an indicator expired before the import is noted as such: indicators-import-expired.test.ts)
    expect(r.stderr).not.toContain("note: the set's publisher");
  });

  it("names the publisher of a MISP import", { timeout: 60_000 }, () => {
    const r = cli(MISP_EVENT, "--from", "misp", "--publisher", "member:partner-b");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).publisher).toEqual({ id: "member:partner-b" });
  });

  it("is asked for when a STIX import's publisher would be the bundle's id", { timeout: 60_000 }, () => {
    const r = cli("bundle.json", "--set-id", "partner-b-stix");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).publisher).toEqual({ id: `stix:${bundle.id}` });
    expect(r.stderr).toContain(
      `note: the set's publisher, stix:${bundle.id}, is the bundle's id (its indicators name no creator), which the sender's tool makes anew for each bundle: the next import would be another publisher's set; give --publisher with the sender's member id (e.g. --publisher member:partner-b)\n`,
    );
  });
});
