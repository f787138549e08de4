// A query string's parameters as a zod schema: an unknown one (a typo) is refused with the parameters there are.
import { z } from "zod";

export function queryParams<S extends z.ZodRawShape>(shape: S, what = "the parameters") {
  return z.strictObject(shape, {
    error: (iss) => (iss.code === "unrecognized_keys" ? `unknown parameter ${iss.keys.join(", ")}; ${what} are ${Object.keys(shape).join(", ")}` : undefined),
  });
}
