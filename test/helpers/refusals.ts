// A loader's refusal as a value, for a test to read its message and what it says to do.
import { ConfigError } from "../../src/lib/errors.js";

/** What `load` returns, or the ConfigError it throws (any other error is thrown on). */
export function loadedOrRefused<T>(load: () => T): T | ConfigError {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

/** The ConfigError `load` throws; the test fails if it loads. */
export function refusalOf(load: () => unknown): ConfigError {
  const r = loadedOrRefused(load);
  if (r instanceof ConfigError) return r;
  throw new Error("loaded, not refused");
}
