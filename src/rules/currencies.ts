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

/**
 * An amount band of minor units as a reviewer reads it: "9.00 to 50.00 in EUR, GBP" when the currencies named share a
 * minor unit, else the minor units with their worth in a currency with cents.
 */
export function amountBandText(min: number, max: number, currencies: readonly string[] | undefined): string {
  const digits = new Set(currencies?.map(minorDigits));
  const d = digits.size === 1 ? [...digits][0]! : undefined;
  if (d !== undefined) return `${(min / 10 ** d).toFixed(d)} to ${(max / 10 ** d).toFixed(d)} ${currencyText(currencies)}`;
  return `${min} to ${max} minor units ${currencyText(currencies)} (${(min / 100).toFixed(2)} to ${(max / 100).toFixed(2)} in a currency with cents)`;
}

/** Digits of a currency's minor unit, as the runtime's CLDR data has them: 2 for EUR (cents), 0 for JPY, 3 for KWD. */
export const minorDigits = (currency: string): number => new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

/**
 * RuleKind.doubts for an amount in minor units most likely written in whole units (maxMinor: 2 meant as 2 EUR is 2
 * cents): worth under `least` of one unit in a currency the parameter is set for that has a minor unit. Not for one
 * without (JPY: 2 is 2 yen however it was meant); with no currencies named (any), read as one with cents, as most
 * sales are. `what` names the amount for the message: "a price band whose top is".
 */
export function wholeUnitsDoubt(key: string, minor: number, currencies: readonly string[] | undefined, least: number, what: string): { path: string[]; message: string }[] {
  const under = (currencies ?? [undefined]).map((code) => ({ code, digits: code ? minorDigits(code) : 2 })).filter((c) => c.digits > 0 && minor < least * 10 ** c.digits);
  if (!under.length) return [];
  const inUnits = (n: number, c: (typeof under)[number]) => `${n.toFixed(c.digits)}${c.code ? ` ${c.code}` : ""}`;
  const first = under[0]!;
  const worth = first.code ? under.map((c) => inUnits(minor / 10 ** c.digits, c)).join(", ") : `${inUnits(minor / 100, first)} of a currency with cents (EUR, USD, …; no currencies are named)`;
  return [
    {
      path: [key],
      message: `${minor} is ${worth}: amounts are in minor units (${10 ** first.digits} to the ${first.code ?? "unit"}); ${what} under ${inUnits(least, first)} is most likely an amount written in whole units (for ${inUnits(minor, first)}, write ${key}: ${minor * 10 ** first.digits})`,
    },
  ];
}
