// vitest globalSetup of both projects (made once a run): the `moneytrail` command, bundled from src/ once per run for the tests that
// spawn it (test/helpers/cli.ts). Through tsx each spawn compiled and loaded some 150 modules, 1.2 s of CPU; the
// bundle loads in half that, and the tests spawn it hundreds of times.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { PACKAGE_ROOT } from "../../src/lib/paths.js";

export const CLI_VARIABLE = "MT_TEST_CLI";

export default async function setup(): Promise<() => void> {
  // made already for the other project of this run (a globalSetup runs once per project)
  if (process.env[CLI_VARIABLE]) return () => undefined;
  // two levels under the package, as src/lib/paths.ts is: PACKAGE_ROOT comes out the same, and the packages (left
  // outside the bundle) resolve from the package's node_modules
  mkdirSync(join(PACKAGE_ROOT, ".cache"), { recursive: true });
  const dir = mkdtempSync(join(PACKAGE_ROOT, ".cache", "test-cli-"));
  const file = join(dir, "cli.mjs");
  await build({ entryPoints: [join(PACKAGE_ROOT, "src/cli.ts")], outfile: file, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "error" });
  process.env[CLI_VARIABLE] = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
