/**
 * 64-bit integer columns (Arrow, Parquet) as JavaScript values: numbers while every value fits a
 * double exactly, else the integers' decimal text (database and Snowflake-style ids beyond 2^53
 * lose their last digits as doubles: neighbouring ids become one).
 */
const MAX_EXACT = 9007199254740991n; // 2^53 − 1

/** Whether `v` is a BigInt no double holds exactly. */
export function beyondDouble(v: unknown): boolean {
  return typeof v === 'bigint' && (v > MAX_EXACT || v < -MAX_EXACT);
}

/** A value of a column read as integers' text: decimal text, a missing value as it is. */
export function integerText(v: unknown): unknown {
  return v === null || v === undefined ? v : String(v);
}
