// vitest globalSetup of both projects (made once a run): the `moneytrail` command, bundled from src/ once per run for the tests that
// spawn it (test/helpers/cli.ts). Through tsx each spawn compiled and loaded some 150 modules, 1.2 s of CPU; a
// bundle of src/ alone (the packages loaded from node_modules) 0.6 s; this one, the packages inside and run through
// V8's code cache (cli-cached.cjs), about 0.2 s, and the tests spawn it hundreds of times.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { PACKAGE_ROOT } from "../../src/lib/paths.js";

export const CLI_VARIABLE = "MT_TEST_CLI";

export default async function setup(): Promise<() => void> {
  // made already for the other project of this run (a globalSetup runs once per project)
  if (process.env[CLI_VARIABLE]) return () => undefined;
  // two levels under the package, as src/lib/paths.ts is: PACKAGE_ROOT comes out the same, and the packages left
  // outside the bundle resolve from the package's node_modules
  mkdirSync(join(PACKAGE_ROOT, ".cache"), { recursive: true });
  const dir = mkdtempSync(join(PACKAGE_ROOT, ".cache", "test-cli-"));
  await build({
    entryPoints: [join(PACKAGE_ROOT, "src/cli.ts")],
    outfile: join(dir, "cli.cjs"),
    bundle: true,
    platform: "node",
    // a script, which V8's code cache takes (node 20 has none for modules)
    format: "cjs",
    banner: { js: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    define: { "import.meta.url": "__import_meta_url" },
    target: "node20",
    // import() of PGlite as require() of its CommonJS build: V8's code cache loses a script's import() callback
    supported: { "dynamic-import": false },
    // PGlite loads its WebAssembly and data files from beside its own module; pg-native is pg's optional binding
    external: ["@electric-sql/pglite", "pg-native"],
    logLevel: "error",
  });
  const file = join(dir, "cli-cached.cjs");
  copyFileSync(join(PACKAGE_ROOT, "test/infra/cli-cached.cjs"), file);
  // a run that loads every module writes the cache
  execFileSync(process.execPath, [file, "--help"], { env: { ...process.env, MT_TEST_CLI_WRITE_CACHE: "1" }, stdio: "ignore" });
  process.env[CLI_VARIABLE] = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
