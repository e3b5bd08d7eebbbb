import type { Prediction } from '../api';
import { toPercent } from '../percent';

/** Below this confidence the answer comes with a gentle hint. */
export const LOW_CONFIDENCE = 0.6;

export interface PredictionResultProps {
  result: Prediction | null;
  /** Nothing is drawn: prompt the user to draw. */
  empty: boolean;
  loading: boolean;
  error: string | null;
  onRetry: () => void;
}

/** The predicted digit (large), its confidence, a low-confidence hint, the model's view, errors. */
export function PredictionResult({ result, empty, loading, error, onRetry }: PredictionResultProps) {
  const show = !empty && result !== null;
  return (
    <div className="result" aria-busy={loading}>
      {error && (
        <div className="error" role="alert" data-testid="error">
          <span className="error-text">{error}</span>
          <button type="button" className="btn btn-small" onClick={onRetry} data-testid="retry">
            Retry
          </button>
        </div>
      )}
      {show ? (
        <div className={error ? 'answer stale' : 'answer'}>
          <div className="answer-main">
            <div className="answer-digit-box">
              <span className="label" id="prediction-label">
                Prediction
              </span>
              <output
                className="answer-digit"
                data-testid="prediction-digit"
                aria-labelledby="prediction-label"
                aria-live="polite"
              >
                {result.digit}
              </output>
            </div>
            <div className="answer-side">
              <span className="label">Confidence</span>
              <span className="answer-confidence" data-testid="confidence">
                {toPercent(result.confidence).toFixed(1)}%
              </span>
              <figure className="model-view">
                <img
                  src={result.input}
                  width={84}
                  height={84}
                  alt="The 28 × 28 picture the model sees"
                  data-testid="model-input"
                  className="model-input"
                />
                <figcaption>What the model sees</figcaption>
              </figure>
            </div>
          </div>
          {result.confidence < LOW_CONFIDENCE && (
            <p className="hint" data-testid="low-confidence">
              Not quite sure. Try drawing the digit larger, centred and in one clear shape.
            </p>
          )}
        </div>
      ) : (
        <p className="prompt" data-testid="prompt">
          {empty ? 'Draw a digit from 0 to 9 in the box.' : loading ? 'Looking…' : 'Draw a little more…'}
        </p>
      )}
    </div>
  );
}
