import { fileURLToPath } from "node:url";
import { join } from "node:path";

// src/lib and dist/lib sit at the same depth, so this holds for both the sources and the build.
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const DEFAULT_RULES = join(PACKAGE_ROOT, "rules");
export const SAMPLE_DIR = join(PACKAGE_ROOT, "fixtures", "sample");
