import { useEffect, useState } from 'react';
import { ApiError } from '../api';
import { fetchDrawing, type SharedDrawing } from '../feedback';
import { toPercent } from '../percent';
import { ProbabilityBars } from './ProbabilityBars';
import './feedback.css';

export interface SharedDrawingPageProps {
  /** The id in the link, `/d/<id>`. */
  id: string;
  /** Injected in tests; GET /drawings/<id> otherwise. */
  load?: (id: string, signal?: AbortSignal) => Promise<SharedDrawing>;
}

type Shown = { status: 'loading' } | { status: 'ok'; drawing: SharedDrawing } | { status: 'missing' | 'error' };

/** The page a share link opens (`/d/<id>`): the drawing, what the model read in it, and its ten bars. */
export function SharedDrawingPage({ id, load = fetchDrawing }: SharedDrawingPageProps) {
  const [shown, setShown] = useState<Shown>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    load(id, controller.signal)
      .then((drawing) => setShown({ status: 'ok', drawing }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setShown({ status: error instanceof ApiError && error.code === 'not_found' ? 'missing' : 'error' });
      });
    return () => controller.abort();
  }, [id, load]);

  return (
    <div className="page">
      <main className="shared-main">
        <header className="header">
          <h1>Digit recognizer</h1>
          <p className="subtitle">A drawing someone shared, and what the neural network made of it.</p>
        </header>
        <section
          className="card shared"
          aria-label="Shared drawing"
          data-testid="shared-drawing"
          aria-busy={shown.status === 'loading'}
        >
          {shown.status === 'loading' && <p className="shared-answer">Loading the drawing…</p>}
          {shown.status === 'missing' && (
            <p className="shared-answer" data-testid="shared-missing">
              There is no drawing at this link: it may be mistyped, or the drawing was deleted.
            </p>
          )}
          {shown.status === 'error' && (
            <p className="shared-answer error-text" data-testid="shared-error">
              The drawing could not be loaded. Try again in a moment.
            </p>
          )}
          {shown.status === 'ok' && <Drawing drawing={shown.drawing} />}
          <a className="btn btn-quiet btn-small" href="/" data-testid="draw-your-own">
            Draw your own
          </a>
        </section>
      </main>
    </div>
  );
}

function Drawing({ drawing }: { drawing: SharedDrawing }) {
  const percent = toPercent(drawing.confidence).toFixed(1);
  return (
    <>
      <img
        className="shared-image"
        src={drawing.image}
        alt={`A handwritten drawing the model read as ${drawing.predicted}`}
        width={280}
        height={280}
        data-testid="shared-image"
      />
      <p className="shared-answer" data-testid="shared-prediction">
        The model read it as <strong data-testid="shared-digit">{drawing.predicted}</strong> ({percent}% sure).
        {drawing.label !== null && drawing.label !== drawing.predicted && (
          <> Whoever drew it says it is a {drawing.label}.</>
        )}
      </p>
      <ProbabilityBars probabilities={drawing.probabilities} />
    </>
  );
}
