import { memo, useEffect, useEffectEvent, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { ApiError, type Prediction } from '../api';
import { feedbackFor, sendFeedback, type FeedbackRequest, type Stored } from '../feedback';
import { rememberDrawing } from '../myDrawings';
import type { Stroke } from '../strokes';
import './feedback.css';

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

export interface FeedbackBarProps {
  /** The answer shown for the drawing. */
  result: Prediction;
  /** A stroke or a request is in progress: the answer may not be the drawing's yet. */
  busy: boolean;
  getStrokes: () => readonly Stroke[];
  /** The drawing as the PNG data URL /predict gets. */
  exportImage: (strokes: readonly Stroke[]) => string;
  /** The drawing area, for its size on screen (CSS pixels). */
  canvasRef: RefObject<HTMLElement | null>;
  /** Injected in tests; POST /feedback otherwise. */
  send?: (body: FeedbackRequest, signal?: AbortSignal) => Promise<Stored>;
}

interface State {
  /** The digit the person said it was, once stored. */
  corrected: number | null;
  /** The share page's path, once saved. */
  link: string | null;
  pending: 'correct' | 'share' | null;
  error: string | null;
}

const fresh: State = { corrected: null, link: null, pending: null, error: null };

/** Keys typed into a text field are the field's. */
const isTextField = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'file', 'range'].includes(target.type)));

const failureText = (error: unknown): string =>
  error instanceof ApiError && error.code === 'rate_limited'
    ? 'That was a lot at once: try again in a minute.'
    : error instanceof ApiError && error.code === 'network'
      ? 'Couldn’t reach the server: nothing was saved. Try again?'
      : 'Couldn’t save it: nothing was stored. Try again?';

/**
 * After an answer: "Wrong? It was ..." with the ten digits (the keys 0-9 too) records what the drawing really
 * was and thanks the person; "Save & share" stores it and gives a link to a page that shows it. Nothing is
 * sent until one of them is pressed, as the consent line under them says. Each stored drawing is added to
 * "My drawings" in this browser.
 */
export const FeedbackBar = memo(function FeedbackBar({
  result,
  busy,
  getStrokes,
  exportImage,
  canvasRef,
  send = sendFeedback,
}: FeedbackBarProps) {
  const [state, setState] = useState<State>(fresh);
  const [answer, setAnswer] = useState(result);
  if (answer !== result) {
    // A new answer is a new drawing (or a changed one): what was said about the last one is done.
    setAnswer(result);
    setState(fresh);
  }
  // The answer now shown, for a reply that arrives after it changed (then it is about another drawing).
  const shown = useRef(result);
  useLayoutEffect(() => {
    shown.current = result;
  });

  const store = async (label: number | null) => {
    const action = label === null ? 'share' : 'correct';
    const strokes = getStrokes();
    if (strokes.length === 0) return;
    const image = exportImage(strokes);
    setState((s) => ({ ...s, pending: action, error: null }));
    try {
      const size = canvasRef.current?.getBoundingClientRect() ?? { width: 0, height: 0 };
      const stored = await send(feedbackFor(strokes, image, size, result, label));
      const link = stored.url ?? `/d/${stored.id}`;
      rememberDrawing({
        id: stored.id,
        kind: label === null ? 'shared' : 'correction',
        label,
        predicted: result.digit,
        image,
        url: label === null ? link : null,
        at: stored.created_at ?? new Date().toISOString(),
      });
      if (shown.current !== result) return;
      setState((s) => (label === null ? { ...s, link, pending: null } : { ...s, corrected: label, pending: null }));
    } catch (error) {
      if (shown.current !== result) return;
      setState((s) => ({ ...s, pending: null, error: failureText(error) }));
    }
  };

  const canCorrect = !busy && state.pending === null && state.corrected === null;
  const canShare = !busy && state.pending === null && state.link === null;

  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (!/^[0-9]$/.test(event.key) || isTextField(event.target) || !canCorrect) return;
    event.preventDefault();
    void store(Number(event.key));
  });
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const saving = state.pending === 'correct' ? 'Saving…' : state.pending === 'share' ? 'Saving the drawing…' : '';

  return (
    <section className="feedback" aria-labelledby="feedback-title" data-testid="feedback">
      <h2 id="feedback-title" className="feedback-title">
        Wrong? It was…
      </h2>
      <div className="feedback-digits" role="group" aria-labelledby="feedback-title">
        {DIGITS.map((digit) => (
          <button
            key={digit}
            type="button"
            className="btn feedback-digit"
            data-testid={`correct-${digit}`}
            aria-label={`It was a ${digit}`}
            aria-pressed={state.corrected === digit}
            aria-keyshortcuts={String(digit)}
            disabled={!canCorrect}
            onClick={() => void store(digit)}
          >
            {digit}
          </button>
        ))}
      </div>
      <div className="feedback-actions">
        <button
          type="button"
          className="btn btn-quiet btn-small"
          data-testid="share"
          disabled={!canShare}
          onClick={() => void store(null)}
        >
          Save &amp; share
        </button>
        <p className="feedback-status" role="status" data-testid="feedback-status">
          {saving}
          {state.error && (
            <span className="error-text" data-testid="feedback-error">
              {state.error}
            </span>
          )}
          {!state.pending && state.corrected !== null && (
            <span data-testid="feedback-thanks">
              Thanks! Noted as a {state.corrected}: the next model learns from it.{' '}
            </span>
          )}
          {!state.pending && state.link && (
            <span>
              Saved; anyone with the link can see it:{' '}
              <a href={state.link} data-testid="share-link" className="feedback-link">
                {origin + state.link}
              </a>
            </span>
          )}
        </p>
      </div>
      <p className="feedback-consent" data-testid="feedback-consent">
        Nothing is stored unless you press one of these. Then the drawing, the model’s answer and yours are kept to
        improve the model, never your IP address; a shared drawing can be seen by anyone with its link.
      </p>
    </section>
  );
});
