/**
 * Time units accepted by `with maxspan=N<unit>`, per Elasticsearch's `LogicalPlanBuilder`
 * (`ms`, `s`, `m`, `h`, `d`) and the "EQL syntax reference" (Time units section).
 */
export const TIME_UNIT_MILLIS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds in one `unit` (`ms`, `s`, `m`, `h`, `d`); undefined for any other unit, including ''. */
export function timeUnitMillis(unit: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(TIME_UNIT_MILLIS, unit) ? TIME_UNIT_MILLIS[unit] : undefined;
}
