/** pg returns NUMERIC as a string to keep precision; ratings and multipliers fit a double. */
export function numeric() {
  return {
    to: (value: number | null | undefined) => value,
    from: (value: string | null) => (value === null ? null : Number(value)),
  };
}
