// Amounts as a product manager reads them: at the currency's minor unit, never sub-cent.

/** ISO 4217 minor units that are not 2 (the engine's table is iso_currency's; these are the ones in use). */
const MINOR_UNITS: Record<string, number> = {
  JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, HUF: 2, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3,
};

export function minorUnit(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

/**
 * `1234.5` in CNY -> "1,234.50 CNY". The engine already rounds amounts it decides; this only
 * keeps a number that arrives with more digits from being shown with them. It rounds half away
 * from zero on the decimal text, so no binary float touches the digits.
 */
export function moneyText(amount: string | number, currency: string): string {
  return `${digitsAt(String(amount), minorUnit(currency))} ${currency}`;
}

export function digitsAt(text: string, places: number): string {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign = "", whole = "0", fraction = ""] = match;
  const kept = (fraction + "0".repeat(places)).slice(0, places);
  const roundsUp = (fraction[places] ?? "0") >= "5";
  let digits = (whole || "0") + kept;
  if (roundsUp) digits = addOne(digits);
  const intPart = digits.slice(0, digits.length - places) || "0";
  const fracPart = places > 0 ? "." + digits.slice(digits.length - places) : "";
  const grouped = intPart.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const isZero = /^[0.,]*$/.test(grouped + fracPart);
  return (sign && !isZero ? "-" : "") + grouped + fracPart;
}

function addOne(digits: string): string {
  const chars = digits.split("");
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === "9") {
      chars[i] = "0";
    } else {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join("");
    }
  }
  return "1" + chars.join("");
}
