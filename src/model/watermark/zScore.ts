/**
 * Kirchenbauer et al.'s detection statistic: with T scored tokens of which K are green and a green
 * fraction γ, z = (K − γT)/√(T·γ(1−γ)). Under the null (no watermark) K ~ Binomial(T, γ), so z is
 * approximately standard normal. Returns 0 when T = 0 (nothing scored is no evidence either way).
 */
export function zScore(green: number, scored: number, gamma: number): number {
  if (scored === 0) return 0;
  return (green - gamma * scored) / Math.sqrt(scored * gamma * (1 - gamma));
}
