import type { CSSProperties } from 'react';
import { toPercent } from '../percent';

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

export interface ProbabilityBarsProps {
  /** Ten probabilities (0..1) for digits 0..9, or null before the first prediction. */
  probabilities: readonly number[] | null;
}

/**
 * Ten bars, 0..9, the most likely one highlighted; sizes animate via CSS. Horizontal rows with their percentages
 * where there is room; on small screens, ten short columns beside the answer.
 */
export function ProbabilityBars({ probabilities }: ProbabilityBarsProps) {
  const values = DIGITS.map((d) => probabilities?.[d] ?? 0);
  const top = probabilities ? values.indexOf(Math.max(...values)) : -1;
  return (
    <ol className="bars" aria-label="Probability of each digit">
      {DIGITS.map((digit) => {
        const percent = toPercent(values[digit]!);
        const label = `${percent.toFixed(1)}%`;
        return (
          <li key={digit} className={digit === top ? 'bar-row top' : 'bar-row'}>
            <span className="bar-digit" aria-hidden="true">
              {digit}
            </span>
            <div
              className="bar-track"
              role="progressbar"
              data-testid={`prob-${digit}`}
              aria-label={`Digit ${digit}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              aria-valuetext={label}
            >
              {/* `--p` lets the compact layout turn the bar into a column (height instead of width). */}
              <div className="bar-fill" style={{ width: `${percent}%`, '--p': `${percent}%` } as CSSProperties} />
            </div>
            <span className="bar-value" aria-hidden="true">
              {probabilities ? label : '–'}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
