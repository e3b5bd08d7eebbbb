import { useEffect, useEffectEvent, useState } from 'react';
import { fetchModelCard, type ModelCard, type Prediction } from './api';
import { DrawingCanvas } from './components/DrawingCanvas';
import { PredictionResult } from './components/PredictionResult';
import { ProbabilityBars } from './components/ProbabilityBars';
import { canUndo, isEmpty, type Stroke } from './strokes';
import { useDrawing } from './useDrawing';
import { usePrediction } from './usePrediction';

export interface AppProps {
  /** Injected in tests; the real API client otherwise. */
  predict?: (image: string, signal: AbortSignal) => Promise<Prediction>;
  exportImage?: (strokes: readonly Stroke[]) => string;
  loadModelCard?: () => Promise<ModelCard>;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function App({ predict, exportImage, loadModelCard = fetchModelCard }: AppProps) {
  const pad = useDrawing();
  const prediction = usePrediction(pad.getStrokes, { predict, exportImage });
  const [card, setCard] = useState<ModelCard | null>(null);
  const empty = isEmpty(pad.drawing);

  const undo = () => {
    pad.undo();
    prediction.predictNow();
  };
  const clear = () => {
    pad.clear();
    prediction.predictNow();
  };

  // Keyboard shortcuts: Ctrl/Cmd+Z undoes, Escape clears. An effect event always sees this render's
  // undo/clear, so the listener is added once.
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.defaultPrevented || event.altKey) return;
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      undo();
    } else if (event.key === 'Escape' && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      clear();
    }
  });
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    let live = true;
    loadModelCard()
      .then((value) => live && setCard(value))
      .catch(() => undefined); // the footer is optional
    return () => {
      live = false;
    };
  }, [loadModelCard]);

  const modKey = isMac ? '⌘' : 'Ctrl';

  return (
    <div className="page">
      <header className="header">
        <h1>Digit recognizer</h1>
        <p className="subtitle">Draw a digit from 0 to 9. The neural network guesses as you draw.</p>
      </header>

      <main className="layout">
        <section className="card pad" aria-labelledby="pad-title">
          <h2 id="pad-title" className="visually-hidden">
            Drawing pad
          </h2>
          <div className="canvas-frame">
            <DrawingCanvas
              drawing={pad.drawing}
              onStrokeStart={(point) => {
                pad.begin(point);
                prediction.predictSoon();
              }}
              onStrokeMove={(points) => {
                pad.extend(points);
                prediction.predictSoon();
              }}
              onStrokeEnd={() => {
                pad.end();
                prediction.predictNow();
              }}
            />
            {empty && (
              <span className="canvas-placeholder" aria-hidden="true">
                Draw here
              </span>
            )}
          </div>
          <div className="toolbar" role="toolbar" aria-label="Drawing tools">
            <button
              type="button"
              className="btn"
              onClick={undo}
              disabled={!canUndo(pad.drawing)}
              data-testid="undo"
              aria-label="Undo last stroke"
              aria-keyshortcuts="Control+Z Meta+Z"
            >
              <span aria-hidden="true">↶</span> Undo
            </button>
            <button
              type="button"
              className="btn"
              onClick={clear}
              disabled={empty}
              data-testid="clear"
              aria-label="Clear the drawing"
              aria-keyshortcuts="Escape"
            >
              <span aria-hidden="true">✕</span> Clear
            </button>
            <button
              type="button"
              className="btn btn-primary"
              onClick={prediction.predictNow}
              disabled={empty}
              data-testid="predict"
              aria-label="Predict the digit"
            >
              Predict
            </button>
          </div>
          <p className="tip">
            <kbd>{modKey}</kbd>+<kbd>Z</kbd> undoes a stroke, <kbd>Esc</kbd> clears.
          </p>
        </section>

        <section className="card output" aria-labelledby="output-title">
          <h2 id="output-title" className="visually-hidden">
            Prediction
          </h2>
          <PredictionResult
            result={prediction.result}
            empty={empty}
            loading={prediction.loading}
            error={prediction.error}
            onRetry={prediction.predictNow}
          />
          <ProbabilityBars probabilities={empty ? null : (prediction.result?.probabilities ?? null)} />
        </section>
      </main>

      <footer className="footer">
        {card?.version ? (
          <span data-testid="model-card">
            Model {card.version}
            {typeof card.test_accuracy === 'number' && <> · {(card.test_accuracy * 100).toFixed(2)}% test accuracy</>}
            {typeof card.params === 'number' && <> · {card.params.toLocaleString('en')} parameters</>}
          </span>
        ) : (
          <span>A convolutional network trained on MNIST.</span>
        )}
      </footer>
    </div>
  );
}
