// node's arguments that run the `moneytrail` command as test/infra/cli-bundle.ts bundled it for this run:
// spawn(process.execPath, [...CLI, "rules", "validate", dir]).
import { CLI_VARIABLE } from "../infra/cli-bundle.js";

const file = process.env[CLI_VARIABLE];
if (!file) throw new Error(`${CLI_VARIABLE} is not set: run the tests with vitest (vitest.config.ts's globalSetup bundles the command)`);

export const CLI: readonly string[] = [file];
