import { toPercent } from '../percent';
import type { NumberReading } from '../reading';
import { ProbabilityBars } from './ProbabilityBars';
import './reading.css';

export interface NumberResultProps {
  result: NumberReading | null;
  /** Nothing is written (and no picture uploaded): prompt for a number. */
  empty: boolean;
  loading: boolean;
  error: string | null;
  onRetry: () => void;
  /** The digit whose bars are shown, or null. */
  selected: number | null;
  onSelect: (index: number) => void;
  /** The latest answer to a finished stroke (or another deliberate action): the one announced. */
  settled?: { id: number; result: NumberReading } | null;
}

/**
 * The number read, large; a button per digit (the same choice as tapping its box on the pad); and the chosen
 * digit's ten bars. Screen readers hear the number once per finished stroke, not every live answer.
 */
export function NumberResult({
  result,
  empty,
  loading,
  error,
  onRetry,
  selected,
  onSelect,
  settled = null,
}: NumberResultProps) {
  const show = !empty && result !== null && result.digits.length > 0;
  const chosen = show && selected !== null ? (result.digits[selected] ?? null) : null;
  return (
    <div className="number-result" aria-busy={loading} data-testid="number-answer">
      <span className="label" id="number-label">
        Number
      </span>
      <p className="number-value" aria-hidden="true" data-testid="number-result">
        {show ? result.number : '–'}
      </p>
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {!empty && settled ? `Read ${settled.result.number.split('').join(' ')}` : ''}
      </p>
      {error ? (
        <p className="number-notice error" role="alert">
          {error}{' '}
          <button type="button" className="btn btn-quiet" onClick={onRetry}>
            Retry
          </button>
        </p>
      ) : (
        <p className="number-notice">
          {show
            ? 'Tap a digit’s box (or a digit below) to see how sure the network is.'
            : 'Write a number, its digits side by side.'}
        </p>
      )}
      {show && (
        <div className="number-digits" role="group" aria-label="Digits read">
          {result.digits.map((digit, index) => (
            <button
              key={index}
              type="button"
              className="number-digit"
              aria-pressed={selected === index}
              data-testid={`number-digit-${index}`}
              onClick={() => onSelect(index)}
            >
              {digit.digit}
              <span className="number-digit-confidence">{Math.round(toPercent(digit.confidence))}%</span>
            </button>
          ))}
        </div>
      )}
      {chosen && (
        <div className="number-bars" data-testid="number-bars">
          <p className="number-bars-title">
            Digit {selected! + 1} of {result!.digits.length}: {chosen.digit}, {toPercent(chosen.confidence).toFixed(1)}%
            {chosen.verdict !== 'digit' && chosen.reason ? ` · ${chosen.reason}` : ''}
          </p>
          <ProbabilityBars probabilities={chosen.probabilities} />
        </div>
      )}
    </div>
  );
}
