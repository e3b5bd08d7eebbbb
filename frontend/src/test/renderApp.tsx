import { fireEvent, render, screen } from '@testing-library/react';
import { expect, vi } from 'vitest';
import { App, type AppProps } from '../App';
import type { ModelCard, Prediction } from '../api';
import type { Stroke } from '../strokes';
import { stubCanvas } from './fakeCanvas';

export const answer = (digit: number, confidence = 0.97): Prediction => ({
  digit,
  confidence,
  probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? confidence : (1 - confidence) / 9)),
  input: `data:image/png;base64,SEEN${digit}`,
  model: 'test',
});

/** Export each drawing as a description of its strokes, so tests can see what was sent. */
export const describeStrokes = (strokes: readonly Stroke[]) =>
  `strokes:${strokes.length}:${strokes.map((s) => s.length).join(',')}`;

/** Two strokes the tests draw again and again: a short upright line, and a bar across it. */
export const UPRIGHT: [number, number][] = [
  [60, 20],
  [60, 160],
];
export const CROSSBAR: [number, number][] = [
  [20, 150],
  [250, 150],
];

type Options = Partial<AppProps> & {
  /** The model card the footer shows; none unless a test asks (a never-settling load keeps act() quiet). */
  card?: ModelCard;
};

/** The App on a 280 px canvas, with the API injected; `stroke` draws with pointer events. */
export function renderApp({ card, ...props }: Options = {}) {
  stubCanvas();
  vi.spyOn(HTMLCanvasElement.prototype, 'getBoundingClientRect').mockReturnValue({
    left: 0,
    top: 0,
    width: 280,
    height: 280,
    right: 280,
    bottom: 280,
    x: 0,
    y: 0,
    toJSON: () => ({}),
  });
  const loadModelCard = vi.fn(() => (card ? Promise.resolve(card) : new Promise<ModelCard>(() => undefined)));
  const view = render(
    <App
      exportImage={describeStrokes}
      loadModelCard={loadModelCard}
      checkHealth={vi.fn(async () => true)}
      {...props}
    />,
  );
  const canvas = screen.getByTestId('digit-canvas');
  let id = 100;
  const down = (x: number, y: number) => {
    const pointerId = ++id;
    fireEvent.pointerDown(canvas, { pointerId, pointerType: 'mouse', button: 0, clientX: x, clientY: y });
    return pointerId;
  };
  const move = (pointerId: number, x: number, y: number) =>
    fireEvent.pointerMove(canvas, { pointerId, pointerType: 'mouse', clientX: x, clientY: y });
  const up = (pointerId: number, x: number, y: number) =>
    fireEvent.pointerUp(canvas, { pointerId, pointerType: 'mouse', clientX: x, clientY: y });
  const stroke = (points: [number, number][]) => {
    const [first, ...rest] = points;
    const pointerId = down(...first!);
    for (const [x, y] of rest) move(pointerId, x, y);
    const last = points[points.length - 1]!;
    up(pointerId, ...last);
  };
  return { ...view, canvas, stroke, down, move, up };
}

/** The App with a 4 drawn on it (UPRIGHT, then CROSSBAR), against a server that reads UPRIGHT alone as a 1. */
export async function renderWithFour() {
  const predict = vi.fn(async (image: string) => answer(image === 'strokes:1:2' ? 1 : 4));
  const view = renderApp({ predict });
  view.stroke(UPRIGHT);
  view.stroke(CROSSBAR);
  expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('4');
  return { ...view, predict };
}
