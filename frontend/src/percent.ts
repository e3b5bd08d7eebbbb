/** Probability as a percentage with one decimal. */
export const toPercent = (p: number): number => Math.round(Math.min(1, Math.max(0, p)) * 1000) / 10;
