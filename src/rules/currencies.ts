// Amounts in rule parameters are minor units, whose worth differs by currency (200 is 2 EUR, 200 JPY, 0.2 KWD).
// A rule with an amount parameter may name the currencies it was set for; its explanation says which.
import { z } from "zod";

/** the currencies an amount parameter was set for (ISO 4217); any when absent */
export const Currencies = z.array(z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code, as EUR")).min(1).optional();

/** Whether a sale's currency is one the parameter was set for. */
export const inCurrencies = (currencies: readonly string[] | undefined, currency: string): boolean =>
  !currencies || currencies.includes(currency);

/** "in EUR, GBP" or "in any currency", for an explanation. */
export const currencyText = (currencies: readonly string[] | undefined): string =>
  currencies ? `in ${currencies.join(", ")}` : "in any currency";
