import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import type { SharedDrawing } from '../feedback';
import { SharedDrawingPage } from './SharedDrawingPage';

const drawing: SharedDrawing = {
  id: 'abc',
  created_at: '2026-05-20T12:00:00Z',
  predicted: 1,
  confidence: 0.875,
  probabilities: [0.01, 0.875, 0.01, 0.01, 0.01, 0.01, 0.01, 0.055, 0.01, 0.01],
  model: 'cnn-test',
  label: 7,
  canvas: { width: 300, height: 300 },
  strokes: [[[0.5, 0.1]]],
  image: 'data:image/png;base64,PICTURE',
};

describe('SharedDrawingPage', () => {
  it('shows the drawing, what the model read and its bars', async () => {
    const load = vi.fn(async () => drawing);
    render(<SharedDrawingPage id="abc" load={load} />);
    expect(await screen.findByTestId('shared-image')).toHaveAttribute('src', drawing.image);
    expect(load).toHaveBeenCalledWith('abc', expect.any(AbortSignal));
    expect(screen.getByTestId('shared-prediction')).toHaveTextContent('The model read it as 1 (87.5% sure).');
    expect(screen.getByTestId('shared-prediction')).toHaveTextContent('Whoever drew it says it is a 7.');
    expect(screen.getByTestId('prob-1')).toHaveAttribute('aria-valuenow', '87.5');
    expect(screen.getByTestId('prob-7')).toHaveAttribute('aria-valuenow', '5.5');
    expect(screen.getByTestId('draw-your-own')).toHaveAttribute('href', '/');
  });

  it('says when there is no such drawing', async () => {
    render(<SharedDrawingPage id="nope" load={async () => Promise.reject(new ApiError('not_found', 'No.', 404))} />);
    expect(await screen.findByTestId('shared-missing')).toHaveTextContent('There is no drawing at this link');
  });

  it('says when it could not be loaded', async () => {
    render(<SharedDrawingPage id="x" load={async () => Promise.reject(new ApiError('network', 'Down.'))} />);
    expect(await screen.findByTestId('shared-error')).toBeInTheDocument();
  });
});
