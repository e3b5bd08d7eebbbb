import { useRef, useState } from 'react';
import { predict as apiPredict, predictFile as apiPredictFile, type Prediction, type ReadOptions } from './api';
import type { DeviceReader } from './device/deviceReader';
import { exportNumber } from './exportImage';
import { readNumber as apiReadNumber, readNumberFile as apiReadNumberFile, type NumberReading } from './reading';
import { isEmpty, type Stroke } from './strokes';
import { useAnswerSource } from './useAnswerSource';
import { useDrawing } from './useDrawing';
import { usePrediction } from './usePrediction';

/** What the pad reads: one digit (`/predict`) or a whole number (`/read-number`). */
export type Mode = 'digit' | 'number';

type Send<T> = (image: string, signal: AbortSignal, options?: ReadOptions) => Promise<T>;
type SendFile<T> = (file: Blob, signal: AbortSignal, options?: ReadOptions) => Promise<T>;

export interface ReadersOptions {
  /** Injected in tests; the real API client otherwise. */
  predict?: Send<Prediction>;
  predictFile?: SendFile<Prediction>;
  readNumber?: Send<NumberReading>;
  readNumberFile?: SendFile<NumberReading>;
  checkHealth?: (signal: AbortSignal) => Promise<boolean>;
  exportImage?: (strokes: readonly Stroke[]) => string;
  exportNumberImage?: (strokes: readonly Stroke[]) => string;
  /** The on-device reader (injected in tests; the Web Worker otherwise). */
  device?: DeviceReader;
}

/**
 * The two pads and their readers: a square pad read as one digit, a wide one read as a number. Each keeps its own
 * drawing (switching back finds it as it was) and its own answers; `pad` and `ask` are the current mode's. With
 * `why` on, every request also asks why (`explain`), and turning it on asks again about what is on the pad.
 * A digit is read by the server or on this device, as `source` says (issue 11); a number only by the server.
 */
export function useReaders(options: ReadersOptions) {
  const [mode, setMode] = useState<Mode>('digit');
  const [why, setWhyShown] = useState(false);
  const explaining = useRef(false); // read when a request is sent, so a toggle applies to the very next one
  const digitPad = useDrawing();
  const numberPad = useDrawing();

  // Exactly the old call without `why`: (image, signal).
  function asking<I, T>(send: (input: I, signal: AbortSignal, options?: ReadOptions) => Promise<T>) {
    return (input: I, signal: AbortSignal) =>
      explaining.current ? send(input, signal, { explain: true }) : send(input, signal);
  }

  const source = useAnswerSource({ device: options.device, checkHealth: options.checkHealth });
  const prediction = usePrediction(digitPad.getStrokes, {
    predict: asking(source.route(options.predict ?? apiPredict)),
    predictFile: asking(source.route(options.predictFile ?? apiPredictFile)),
    checkHealth: options.checkHealth,
    exportImage: options.exportImage,
  });
  const reading = usePrediction<NumberReading>(numberPad.getStrokes, {
    predict: asking(source.watch(options.readNumber ?? apiReadNumber)),
    predictFile: asking(source.watch(options.readNumberFile ?? apiReadNumberFile)),
    checkHealth: options.checkHealth,
    exportImage: options.exportNumberImage ?? exportNumber,
  });

  const pad = mode === 'number' ? numberPad : digitPad;
  const ask = mode === 'number' ? reading : prediction;
  const setWhy = (on: boolean) => {
    explaining.current = on;
    setWhyShown(on);
    if (on && (!isEmpty(pad.drawing) || ask.source === 'upload')) ask.predictAgain();
  };
  return { mode, setMode, why, setWhy, pad, prediction, reading, ask, source };
}
