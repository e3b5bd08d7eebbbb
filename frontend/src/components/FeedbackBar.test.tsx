import { act, fireEvent, render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Prediction } from '../api';
import type { FeedbackRequest, Stored } from '../feedback';
import { loadMyDrawings } from '../myDrawings';
import type { Stroke } from '../strokes';
import { FeedbackBar, type FeedbackBarProps } from './FeedbackBar';

const answer = (digit: number): Prediction => ({
  digit,
  confidence: 0.9,
  probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? 0.91 : 0.01)),
  input: 'data:image/png;base64,SEEN',
  model: 'cnn-test',
});

const SEVEN: Stroke[] = [
  [
    { x: 0.2, y: 0.2 },
    { x: 0.8, y: 0.2 },
  ],
  [
    { x: 0.8, y: 0.2 },
    { x: 0.5, y: 0.9 },
  ],
];

const canvas = Object.assign(document.createElement('canvas'), {
  getBoundingClientRect: () => ({ width: 300, height: 300 }) as DOMRect,
});

function setup(props: Partial<FeedbackBarProps> = {}) {
  const send = vi.fn(async (body: FeedbackRequest): Promise<Stored> => ({
    id: body.label === null ? 'shared-id' : 'correction-id',
    created_at: '2026-05-20T12:00:00Z',
    label: body.label,
    shared: body.share,
    ...(body.share ? { url: '/d/shared-id' } : {}),
  }));
  const all: FeedbackBarProps = {
    result: answer(1),
    busy: false,
    getStrokes: () => SEVEN,
    exportImage: () => 'data:image/png;base64,PICTURE',
    canvasRef: { current: canvas },
    send,
    ...props,
  };
  const view = render(<FeedbackBar {...all} />);
  return { send, view, props: all };
}

beforeEach(() => localStorage.clear());

describe('FeedbackBar', () => {
  it('records what the drawing really was, thanks the person and adds it to My drawings', async () => {
    const { send } = setup();
    await act(async () => fireEvent.click(screen.getByTestId('correct-7')));
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0]).toEqual({
      strokes: [
        [
          [0.2, 0.2],
          [0.8, 0.2],
        ],
        [
          [0.8, 0.2],
          [0.5, 0.9],
        ],
      ],
      canvas: { width: 300, height: 300 },
      image: 'data:image/png;base64,PICTURE',
      predicted: 1,
      probabilities: answer(1).probabilities,
      model: 'cnn-test',
      label: 7,
      share: false,
    });
    expect(screen.getByTestId('feedback-thanks')).toHaveTextContent('Thanks! Noted as a 7');
    expect(screen.getByTestId('correct-7')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('correct-3')).toBeDisabled(); // one correction per answer
    expect(loadMyDrawings()).toMatchObject([{ id: 'correction-id', kind: 'correction', label: 7, predicted: 1 }]);
  });

  it('takes the digit keys too', async () => {
    const { send } = setup();
    await act(async () => fireEvent.keyDown(window, { key: '4' }));
    expect(send.mock.calls[0]![0].label).toBe(4);
    expect(screen.getByTestId('feedback-thanks')).toHaveTextContent('Noted as a 4');
  });

  it('ignores the digit keys with a modifier, in a text field, or while busy', async () => {
    const { send, view, props } = setup();
    fireEvent.keyDown(window, { key: '4', ctrlKey: true });
    const field = document.createElement('input');
    document.body.append(field);
    fireEvent.keyDown(field, { key: '4' });
    field.remove();
    view.rerender(<FeedbackBar {...props} busy />);
    fireEvent.keyDown(window, { key: '4' });
    expect(screen.getByTestId('correct-4')).toBeDisabled();
    expect(screen.getByTestId('share')).toBeDisabled();
    expect(send).not.toHaveBeenCalled();
  });

  it('Save & share stores the drawing without a label and shows its link', async () => {
    const { send } = setup();
    await act(async () => fireEvent.click(screen.getByTestId('share')));
    expect(send.mock.calls[0]![0]).toMatchObject({ label: null, share: true });
    const link = screen.getByTestId('share-link');
    expect(link).toHaveAttribute('href', '/d/shared-id');
    expect(link).toHaveTextContent(`${window.location.origin}/d/shared-id`);
    expect(screen.getByTestId('share')).toBeDisabled();
    expect(screen.getByTestId('correct-7')).toBeEnabled(); // a correction is still welcome
    expect(loadMyDrawings()).toMatchObject([{ id: 'shared-id', kind: 'shared', url: '/d/shared-id' }]);
  });

  it('says so when saving failed, and allows another try', async () => {
    const send = vi.fn(async () => {
      throw new ApiError('rate_limited', 'Too many.', 429);
    });
    setup({ send });
    await act(async () => fireEvent.click(screen.getByTestId('correct-7')));
    expect(screen.getByTestId('feedback-error')).toHaveTextContent('try again in a minute');
    expect(screen.getByTestId('correct-7')).toBeEnabled();
    expect(loadMyDrawings()).toEqual([]);
  });

  it('starts afresh for a new answer', async () => {
    const { view, props } = setup();
    await act(async () => fireEvent.click(screen.getByTestId('correct-7')));
    view.rerender(<FeedbackBar {...props} result={answer(3)} />);
    expect(screen.queryByTestId('feedback-thanks')).toBeNull();
    expect(screen.getByTestId('correct-7')).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByTestId('correct-7')).toBeEnabled();
  });

  it('drops a late reply about an answer no longer shown', async () => {
    let resolve: (stored: Stored) => void = () => undefined;
    const send = vi.fn(() => new Promise<Stored>((r) => (resolve = r)));
    const { view, props } = setup({ send });
    fireEvent.click(screen.getByTestId('correct-7'));
    expect(screen.getByTestId('feedback-status')).toHaveTextContent('Saving');
    view.rerender(<FeedbackBar {...props} send={send} result={answer(3)} />);
    await act(async () => resolve({ id: 'late', created_at: '', label: 7, shared: false }));
    expect(screen.queryByTestId('feedback-thanks')).toBeNull();
    expect(loadMyDrawings()).toMatchObject([{ id: 'late' }]); // it was stored all the same
  });

  it('says what is stored, and when', () => {
    setup();
    const consent = screen.getByTestId('feedback-consent');
    expect(consent).toHaveTextContent('Nothing is stored unless you press one of these');
    expect(consent).toHaveTextContent('never your IP address');
    expect(screen.getByRole('group', { name: 'Wrong? It was…' })).toBeInTheDocument();
  });
});
