import type { NumberReading } from '../reading';

const bars = (digit: number, p: number) => Array.from({ length: 10 }, (_, d) => (d === digit ? p : (1 - p) / 9));
/** A number read as "40": a sure 4 low on the pad, an unsure 0 near its top. */
export const reading: NumberReading = {
  number: '40',
  digits: [
    {
      box: { x: 50, y: 60, width: 100, height: 120 },
      digit: 4,
      confidence: 0.973,
      probabilities: bars(4, 0.973),
      verdict: 'digit',
      reason: '',
    },
    {
      box: { x: 200, y: 10, width: 90, height: 100 },
      digit: 0,
      confidence: 0.61,
      probabilities: bars(0, 0.61),
      verdict: 'unsure',
      reason: 'It could be a 0 or a 6.',
    },
  ],
  width: 500,
  height: 200,
  model: 'test',
};
