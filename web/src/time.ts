// Instants as the order contract writes them (RFC 3339 with the customer's UTC offset).

/** `instant` moved by `seconds`, written with the same UTC offset it had. */
export function addSeconds(instant: string, seconds: number): string {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(instant);
  const offsetMinutes = offset ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  const local = new Date(Date.parse(instant) + seconds * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
  return local + (offset ? `${offset[1]}${offset[2]}:${offset[3]}` : "Z");
}
