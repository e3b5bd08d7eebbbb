/** The messages between the app and the on-device reader's Web Worker (inference.worker.ts). */
import type { Prediction } from '../api';

/** Raw pixels: `width` x `height`, four bytes (RGBA) each, row by row. */
export interface Pixels {
  rgba: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** A picture to read: the exported PNG (a data URL or a Blob, e.g. an uploaded file) or its pixels. */
export type ImageInput = string | Blob | Pixels;

/** Load the runtime and the model now, or read a picture. */
export type WorkerMessage = { type: 'load' } | { type: 'predict'; image: ImageInput };

export type WorkerRequest = WorkerMessage & { id: number };

/** A device answer: a `/predict` answer, from the model the card names. */
export type DevicePrediction = Required<Pick<Prediction, 'verdict' | 'reason' | 'alternatives'>> &
  Omit<Prediction, 'explanation' | 'answeredBy'>;

export type WorkerReply =
  | {
      id: number;
      ok: true;
      version: string;
      prediction?: DevicePrediction;
      /** How long the answer took in the worker, and each of its steps (ms). */
      ms?: number;
      stages?: Record<string, number>;
    }
  | { id: number; ok: false; code: FailureCode; message: string };

/** Nothing to read, a picture too large to read, or anything else that went wrong on the device. */
export type FailureCode = 'empty_canvas' | 'too_large' | 'device_failed';
