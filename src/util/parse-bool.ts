const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * A boolean written the way upstream's Go code reads it (strconv.ParseBool): 1, t, T, TRUE, true, True and their
 * false counterparts. `undefined` for anything else; the caller says what was wrong and where.
 */
export function parseBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}
