import { candidatesOf, verdictOf, type Prediction, type Verdict } from '../api';
import { toPercent } from '../percent';

/** Below this confidence a "digit" answer comes with a gentle hint (the other verdicts say it themselves). */
export const LOW_CONFIDENCE = 0.6;

export interface PredictionResultProps {
  result: Prediction | null;
  /** Nothing is drawn: prompt the user to draw. */
  empty: boolean;
  loading: boolean;
  error: string | null;
  onRetry: () => void;
}

const VERDICT_CLASS: Record<Verdict, string> = {
  digit: 'verdict-digit',
  unsure: 'verdict-unsure',
  not_a_digit: 'verdict-not-a-digit',
};

/**
 * The answer: the predicted digit (large) and its confidence, or, when the model is unsure, the two digits
 * it hesitates between, or "Not a digit?" with the server's reason. Then a low-confidence hint, the model's
 * view and errors. Whatever the verdict, it is announced from one `aria-live` output.
 */
export function PredictionResult({ result, empty, loading, error, onRetry }: PredictionResultProps) {
  const show = !empty && result !== null;
  const verdict = result ? verdictOf(result) : 'digit';
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
        <div
          className={`answer ${VERDICT_CLASS[verdict]}${error ? ' stale' : ''}`}
          data-testid="verdict"
          data-verdict={verdict}
        >
          <div className="answer-main">
            <div className="answer-digit-box">
              <span className="label" id="prediction-label">
                Prediction
              </span>
              <output
                className="answer-output"
                data-testid="prediction"
                aria-labelledby="prediction-label"
                aria-live="polite"
              >
                <Answer result={result} verdict={verdict} />
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
          {verdict === 'digit' && result.confidence < LOW_CONFIDENCE && (
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

/** The content of the live output, by verdict. */
function Answer({ result, verdict }: { result: Prediction; verdict: Verdict }) {
  if (verdict === 'not_a_digit') {
    // No `prediction-digit` here: the app does not claim a digit.
    return (
      <>
        <span className="verdict-title" data-testid="verdict-not-a-digit">
          Not a digit?
        </span>
        <span className="verdict-reason" data-testid="verdict-reason">
          {result.reason ?? 'This does not look like a digit from 0 to 9.'}
        </span>
      </>
    );
  }
  if (verdict === 'unsure') {
    const [first, second] = candidatesOf(result);
    return (
      <>
        {/* Shown large; the sentence below says the same in words. */}
        <span className="answer-candidates" aria-hidden="true">
          <span className="answer-digit" data-testid="prediction-digit">
            {first}
          </span>
          <span className="answer-or">or</span>
          <span className="answer-digit" data-testid="prediction-alternative">
            {second}
          </span>
        </span>
        <span className="verdict-title" data-testid="verdict-unsure">
          Not sure: {first} or {second}?
        </span>
        {result.reason && (
          <span className="verdict-reason" data-testid="verdict-reason">
            {result.reason}
          </span>
        )}
      </>
    );
  }
  return (
    <span className="answer-digit" data-testid="prediction-digit">
      {result.digit}
    </span>
  );
}
