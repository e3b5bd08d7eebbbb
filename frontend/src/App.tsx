import {
  useEffect,
  useEffectEvent,
  useLayoutEffect,
  useRef,
  useState,
  type ChangeEvent,
  type DragEvent,
  type FocusEvent,
} from 'react';
import { fetchModelCard, type ModelCard, type Prediction, type ReadOptions } from './api';
import { AnswerSource } from './components/AnswerSource';
import { DrawingCanvas } from './components/DrawingCanvas';
import { FeedbackBar } from './components/FeedbackBar';
import { HeatmapOverlay } from './components/HeatmapOverlay';
import { ModeSwitch } from './components/ModeSwitch';
import { MyDrawings } from './components/MyDrawings';
import { NumberBoxes } from './components/NumberBoxes';
import { NumberResult } from './components/NumberResult';
import type { DeviceReader } from './device/deviceReader';
import { PredictionResult } from './components/PredictionResult';
import { ProbabilityBars } from './components/ProbabilityBars';
import { WhyToggle } from './components/WhyToggle';
import { exportStrokes } from './exportImage';
import type { NumberReading } from './reading';
import { NUMBER_ASPECT, isEmpty, type Stroke } from './strokes';
import { useReaders } from './useReaders';

export interface AppProps {
  /** Injected in tests; the real API client otherwise. */
  predict?: (image: string, signal: AbortSignal) => Promise<Prediction>;
  predictFile?: (file: Blob, signal: AbortSignal) => Promise<Prediction>;
  checkHealth?: (signal: AbortSignal) => Promise<boolean>;
  exportImage?: (strokes: readonly Stroke[]) => string;
  loadModelCard?: () => Promise<ModelCard>;
  /** Number mode's requests and picture (injected in tests). */
  readNumber?: (image: string, signal: AbortSignal, options?: ReadOptions) => Promise<NumberReading>;
  readNumberFile?: (file: Blob, signal: AbortSignal, options?: ReadOptions) => Promise<NumberReading>;
  exportNumberImage?: (strokes: readonly Stroke[]) => string;
  /** The on-device reader (injected in tests; ONNX Runtime Web in a Web Worker otherwise). */
  device?: DeviceReader;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** Keys typed into a text field are the field's, not shortcuts. */
const isTextField = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'file', 'range'].includes(target.type)));

const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');

/** A control that can no longer hold the focus: disabled, or taken out of the page. */
const isGone = (element: Element | null): boolean =>
  !!element && (!element.isConnected || (element as HTMLButtonElement).disabled === true);

export function App({
  predict,
  predictFile,
  checkHealth,
  exportImage,
  readNumber,
  readNumberFile,
  exportNumberImage,
  device,
  loadModelCard = fetchModelCard,
}: AppProps) {
  // Digit | Number: each mode has its own pad and reader; `pad` and `ask` are the current mode's (issue 13).
  const readers = useReaders({
    predict,
    predictFile,
    readNumber,
    readNumberFile,
    checkHealth,
    exportImage,
    exportNumberImage,
    device,
  });
  const { mode, pad, prediction, reading, ask, source } = readers;
  const [chosen, setChosen] = useState<number | null>(null); // the number's digit whose bars are shown
  const [card, setCard] = useState<ModelCard | null>(null);
  const [dragging, setDragging] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const lastFocus = useRef<Element | null>(null);
  const blank = isEmpty(pad.drawing);
  const uploaded = ask.source === 'upload';
  const empty = blank && !uploaded;
  const strokeInProgress = pad.drawing.current !== null;
  // Numbers, corrections and sharing need the server (issue 11): said when it is away, rather than failing unsaid.
  const serverAway = source.server === 'down' || source.server === 'absent';

  const undo = () => {
    if (!pad.canUndo) return;
    pad.undo();
    ask.predictNow();
  };
  const redo = () => {
    if (!pad.canRedo) return;
    pad.redo();
    ask.predictNow();
  };
  const clear = () => {
    pad.clear();
    setPreview(null);
    ask.predictNow();
  };
  const upload = (file: File | undefined) => {
    if (!file) return;
    const picture = !file.type || file.type.startsWith('image/');
    // The drawing is cleared as an undoable step: Ctrl+Z brings it back (and asks about it again).
    if (picture) pad.clear();
    ask.predictUpload(file);
    if (picture && typeof URL.createObjectURL === 'function') setPreview(URL.createObjectURL(file));
  };

  // The uploaded picture is shown in the drawing area until something is drawn; its object URL is freed after.
  useEffect(() => {
    if (!preview) return;
    return () => URL.revokeObjectURL(preview);
  }, [preview]);

  // Keyboard shortcuts: Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z and Ctrl+Y redo, Escape clears, but only when the
  // drawing area or the page itself has the focus (not a button or the upload control). An effect event always
  // sees this render's handlers, so the listener is added once.
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.defaultPrevented || event.altKey || isTextField(event.target)) return;
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === 'z') {
      event.preventDefault();
      if (event.shiftKey) redo();
      else undo();
    } else if (mod && key === 'y' && !event.shiftKey) {
      event.preventDefault();
      redo();
    } else if (event.key === 'Escape' && !mod && !event.shiftKey) {
      const active = document.activeElement;
      if (active === null || active === document.body || active === canvasRef.current) clear();
    }
  });
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Focus is never lost to <body>: when the focused control is disabled (Undo once there is nothing left to undo)
  // or removed (Retry once the answer arrives), the drawing area takes the focus.
  useLayoutEffect(() => {
    const active = document.activeElement;
    const onBody = active === null || active === document.body;
    const candidate = onBody ? lastFocus.current : active;
    if (candidate && isGone(candidate)) {
      lastFocus.current = null;
      canvasRef.current?.focus({ preventScroll: true });
    }
  });
  const onFocus = (event: FocusEvent) => {
    lastFocus.current = event.target;
  };
  const onBlur = (event: FocusEvent) => {
    if (event.relatedTarget) return;
    const lost = event.target;
    setTimeout(() => {
      const active = document.activeElement;
      if (active !== null && active !== document.body) return;
      if (isGone(lost)) canvasRef.current?.focus({ preventScroll: true });
      else if (lastFocus.current === lost) lastFocus.current = null; // the user moved the focus away
    }, 0);
  };

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
    <div
      className={dragging ? 'page dragging' : 'page'}
      onFocus={onFocus}
      onBlur={onBlur}
      onDragEnter={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragOver={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        if (!dragging) setDragging(true);
      }}
      onDragLeave={(event) => {
        if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
        setDragging(false);
      }}
      onDrop={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDragging(false);
        upload(event.dataTransfer.files[0]);
      }}
    >
      <main className="layout">
        {/* Inside <main>, so that the phone-landscape layout can put it beside the drawing pad. */}
        <header className="header">
          <h1>Digit recognizer</h1>
          <p className="subtitle">
            {mode === 'number'
              ? 'Write a number, its digits side by side. The neural network reads each one.'
              : 'Draw a digit from 0 to 9. The neural network guesses as you draw.'}
          </p>
        </header>

        <section className="card pad" aria-labelledby="pad-title">
          <h2 id="pad-title" className="visually-hidden">
            Drawing pad
          </h2>
          <div className={mode === 'number' ? 'canvas-frame wide' : 'canvas-frame'}>
            <DrawingCanvas
              ref={canvasRef}
              describedBy="canvas-help"
              drawing={pad.drawing}
              aspect={mode === 'number' ? NUMBER_ASPECT : 1}
              label={mode === 'number' ? 'Number pad: write a number, its digits side by side' : undefined}
              onStrokeStart={(point) => {
                pad.begin(point);
                setPreview(null);
                ask.predictSoon();
              }}
              onStrokeMove={(points) => {
                pad.extend(points);
                ask.predictSoon();
              }}
              onStrokeEnd={() => {
                pad.end();
                ask.predictNow();
              }}
            />
            {!blank && !strokeInProgress && (
              <div className="canvas-overlay">
                {readers.why && <HeatmapOverlay heatmap={ask.result?.explanation?.heatmap ?? null} />}
                {mode === 'number' && reading.result && (
                  <NumberBoxes reading={reading.result} selected={chosen} onSelect={setChosen} />
                )}
              </div>
            )}
            {blank && uploaded && preview && (
              <img className="upload-preview" src={preview} alt="" data-testid="upload-preview" />
            )}
            {blank && !(uploaded && preview) && (
              <span className="canvas-placeholder" aria-hidden="true">
                Draw here
              </span>
            )}
            {dragging && (
              <span className="drop-hint" data-testid="drop-hint" aria-hidden="true">
                Drop the picture to recognise it
              </span>
            )}
          </div>
          {readers.why && (
            <p className="why-legend" data-testid="why-legend">
              Why? Red strokes decided the answer most, yellow ones less, blue ones hardly at all.
            </p>
          )}
          <p id="canvas-help" className="visually-hidden">
            Draw with a mouse, finger or pen; the answer below updates as you draw. {modKey}+Z undoes, {modKey}+Shift+Z
            or Ctrl+Y redoes, Escape clears. Without a pointer, use the Upload a picture button.
          </p>
          <div className="toolbar" role="toolbar" aria-label="Drawing tools">
            <button
              type="button"
              className="btn"
              onClick={undo}
              disabled={!pad.canUndo}
              data-testid="undo"
              aria-label="Undo last stroke"
              aria-keyshortcuts="Control+Z Meta+Z"
            >
              <span className="btn-icon" aria-hidden="true">
                ↶
              </span>
              Undo
            </button>
            <button
              type="button"
              className="btn"
              onClick={redo}
              disabled={!pad.canRedo}
              data-testid="redo"
              aria-label="Redo"
              aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z Control+Y"
            >
              <span className="btn-icon" aria-hidden="true">
                ↷
              </span>
              Redo
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
              <span className="btn-icon" aria-hidden="true">
                ✕
              </span>
              Clear
            </button>
            <button
              type="button"
              className="btn btn-quiet"
              onClick={ask.predictAgain}
              disabled={empty}
              data-testid="predict"
              aria-label={mode === 'number' ? 'Read the number' : 'Predict the digit'}
              title="Ask again (the answer already updates as you draw)"
            >
              {mode === 'number' ? 'Read number' : 'Predict'}
            </button>
          </div>
          <div className="pad-modes">
            <ModeSwitch mode={mode} onChange={readers.setMode} />
            <WhyToggle on={readers.why} onChange={readers.setWhy} />
          </div>
        </section>

        <section className="card output" aria-labelledby="output-title" hidden={mode === 'number'}>
          <h2 id="output-title" className="visually-hidden">
            Prediction
          </h2>
          <PredictionResult
            result={prediction.result}
            empty={empty}
            loading={prediction.loading}
            error={prediction.error}
            onRetry={prediction.predictAgain}
            drawing={strokeInProgress}
            settled={prediction.settled}
            failure={prediction.failure}
            retryAt={prediction.retryAt}
            uploadName={uploaded ? prediction.uploadName : null}
            answers={prediction.answers}
            bars={<ProbabilityBars probabilities={empty ? null : (prediction.result?.probabilities ?? null)} />}
          />
          <AnswerSource
            choice={source.choice}
            onChange={source.setChoice}
            answeredBy={empty ? null : (prediction.result?.answeredBy ?? null)}
            notice={source.notice}
            deviceAvailable={source.deviceAvailable}
            serverOnly={
              serverAway && prediction.result && !empty
                ? 'Corrections and sharing are saved on the server: they need it back.'
                : null
            }
          />
        </section>

        {mode === 'number' && (
          <section className="card output" aria-labelledby="number-title">
            <h2 id="number-title" className="visually-hidden">
              Number read
            </h2>
            <NumberResult
              result={reading.result}
              empty={empty}
              loading={reading.loading}
              error={reading.error}
              onRetry={reading.predictAgain}
              selected={chosen}
              onSelect={setChosen}
              settled={reading.settled}
            />
            {(serverAway || source.choice === 'device') && (
              <p className="source-notice" data-testid="number-needs-server">
                {serverAway
                  ? 'Reading a whole number needs the server, which can’t be reached now.'
                  : 'Whole numbers are always read by the server.'}
              </p>
            )}
          </section>
        )}

        <div className="extras">
          {/* What the person says about the answer: a correction, or Save & share (issue 12). */}
          {mode === 'digit' && prediction.result && !empty && !uploaded && (
            <FeedbackBar
              result={prediction.result}
              busy={prediction.loading || strokeInProgress}
              getStrokes={pad.getStrokes}
              exportImage={exportImage ?? exportStrokes}
              canvasRef={canvasRef}
            />
          )}
          <button
            type="button"
            className="btn btn-quiet btn-upload"
            onClick={() => fileRef.current?.click()}
            data-testid="upload"
          >
            <span className="btn-icon" aria-hidden="true">
              ⇪
            </span>
            Upload a picture
          </button>
          <input
            ref={fileRef}
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            className="file-input"
            data-testid="upload-input"
            hidden
            onChange={(event: ChangeEvent<HTMLInputElement>) => {
              upload(event.target.files?.[0]);
              event.target.value = ''; // the same file again is a new upload
            }}
          />
          <p className="tip">
            <kbd>{modKey}</kbd>+<kbd>Z</kbd> undoes, <kbd>{modKey}</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redoes,{' '}
            <kbd>Esc</kbd> clears. Or drop a picture here.
          </p>
          <MyDrawings />
        </div>
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
