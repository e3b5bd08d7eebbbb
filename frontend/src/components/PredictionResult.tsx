import { useEffect, useState, type ReactNode } from 'react';
import { LOW_CONFIDENCE, announcementFor } from '../announce';
import { candidatesOf, verdictOf, type Prediction, type Verdict } from '../api';
import type { Failure } from '../failure';
import { toPercent } from '../percent';

export interface PredictionResultProps {
  result: Prediction | null;
  /** Nothing is drawn (and no picture uploaded): prompt the user to draw. */
  empty: boolean;
  loading: boolean;
  error: string | null;
  onRetry: () => void;
  /** A stroke is being drawn: live answers are shown, but the low-confidence hint waits for the pen to lift. */
  drawing?: boolean;
  /** The latest answer to a finished stroke (or another deliberate action): the one announced. */
  settled?: { id: number; result: Prediction } | null;
  /** What failed, to say whether the app is retrying by itself. */
  failure?: Failure | null;
  /** When the next automatic attempt is due (ms since the epoch). */
  retryAt?: number | null;
  /** The answer is for an uploaded picture with this file name. */
  uploadName?: string | null;
  /** How many answers have been shown (a test hook: `data-answers`). */
  answers?: number;
  /** The probability bars, placed by this component's layout (beside the digit on small screens). */
  bars?: ReactNode;
}

const VERDICT_CLASS: Record<Verdict, string> = {
  digit: 'verdict-digit',
  unsure: 'verdict-unsure',
  not_a_digit: 'verdict-not-a-digit',
};

/**
 * The answer: the predicted digit (large) and its confidence, or, when the model is unsure, the two digits
 * it hesitates between, or "Not a digit?" with the server's reason. Then the model's view, a notice line
 * (an error with Retry, or the low-confidence hint) whose space is always reserved, and the bars.
 *
 * Screen readers: the `output` is a polite live region that is always in the page (so the first answer is not
 * missed). What it says is a sentence such as "7, 98 percent", set once per finished stroke; the digit drawn
 * large beside it updates live while drawing but is hidden from assistive technology, so nothing is announced
 * five times a second.
 */
export function PredictionResult({
  result,
  empty,
  loading,
  error,
  onRetry,
  drawing = false,
  settled = null,
  failure = null,
  retryAt = null,
  uploadName = null,
  answers = 0,
  bars = null,
}: PredictionResultProps) {
  const show = !empty && result !== null;
  const verdict = result ? verdictOf(result) : 'digit';
  const lowConfidence = show && verdict === 'digit' && result.confidence < LOW_CONFIDENCE;
  const announcement = !empty && settled ? announcementFor(settled.result) : '';
  const classes = ['result', show ? VERDICT_CLASS[verdict] : 'answer-empty', show && error ? 'stale' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={classes} aria-busy={loading} data-answers={answers}>
      <span className="busy-cue" data-testid="busy-indicator" data-active={loading} aria-hidden="true" />
      <div className="answer-digit-box">
        <span className="label" id="prediction-label">
          Prediction
        </span>
        <output
          className="answer-output"
          data-testid="prediction"
          aria-labelledby="prediction-label"
          aria-live="polite"
          aria-atomic="true"
        >
          {show ? (
            <span className="answer" data-testid="verdict" data-verdict={verdict} aria-hidden="true">
              <Answer result={result} verdict={verdict} />
            </span>
          ) : (
            <span className="answer-digit answer-placeholder" aria-hidden="true">
              ?
            </span>
          )}
          {/* Re-keyed per answer, so that the same sentence twice is announced twice. */}
          <span className="visually-hidden" data-testid="announcement" key={settled?.id ?? 0}>
            {announcement}
          </span>
        </output>
      </div>
      <div className="answer-side">
        {show ? (
          <>
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
              <figcaption>
                What the model sees
                {uploadName && (
                  <span className="upload-source" data-testid="upload-source">
                    {' '}
                    in {uploadName}
                  </span>
                )}
              </figcaption>
            </figure>
          </>
        ) : (
          <p className="prompt" data-testid="prompt">
            {empty
              ? 'Draw a digit from 0 to 9 in the box.'
              : error
                ? 'No answer yet.'
                : loading
                  ? 'Looking…'
                  : 'Draw a little more…'}
          </p>
        )}
      </div>
      <div className="bars-slot">{bars}</div>
      {/* Always there, and tall enough for either message: nothing below moves when one appears. */}
      <div className="notice" data-testid="notice">
        {error ? (
          <div className="error" role="alert" data-testid="error">
            <p className="error-text">
              {error}
              {failure?.retry && <RetryStatus key={retryAt ?? 0} at={retryAt} loading={loading} />}
            </p>
            <button type="button" className="btn btn-small" onClick={onRetry} data-testid="retry">
              Retry
            </button>
          </div>
        ) : lowConfidence && !drawing ? (
          <p className="hint" data-testid="low-confidence">
            Not quite sure. Try drawing the digit larger, centred and in one clear shape.
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** "Trying again in 4 s…", counting down; "Trying again…" while the attempt is under way. */
function RetryStatus({ at, loading }: { at: number | null; loading: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  const seconds = at === null ? 0 : Math.ceil((at - now) / 1000);
  return (
    <span className="retry-status" data-testid="retry-status">
      {' '}
      {loading || seconds <= 0 ? 'Trying again…' : `Trying again in ${seconds} s.`}
    </span>
  );
}

/** The content of the answer, by verdict (drawn large; the announcement says it in words). */
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
        <span className="answer-candidates">
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
