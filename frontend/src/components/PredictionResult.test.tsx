import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Prediction } from '../api';
import { PredictionResult } from './PredictionResult';

const result = (digit: number, confidence: number): Prediction => ({
  digit,
  confidence,
  probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? confidence : (1 - confidence) / 9)),
  input: 'data:image/png;base64,SEEN',
  model: 'v1',
});

const base = { empty: false, loading: false, error: null, onRetry: () => undefined };

describe('PredictionResult', () => {
  it('shows the digit large, its confidence and the model input preview', () => {
    render(<PredictionResult {...base} result={result(3, 0.9876)} />);
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent(/^3$/);
    expect(screen.getByTestId('confidence')).toHaveTextContent('98.8%');
    const img = screen.getByTestId('model-input');
    expect(img).toHaveAttribute('src', 'data:image/png;base64,SEEN');
    expect(img).toHaveAccessibleName(/model sees/i);
    expect(screen.queryByTestId('low-confidence')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('adds a gentle hint when confidence is below 0.6', () => {
    render(<PredictionResult {...base} result={result(5, 0.41)} />);
    expect(screen.getByTestId('low-confidence')).toHaveTextContent(/not quite sure/i);
  });

  it('prompts to draw when the canvas is empty, even with an old result', () => {
    render(<PredictionResult {...base} empty result={result(1, 0.99)} />);
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a digit/i);
    expect(screen.queryByTestId('prediction-digit')).toBeNull();
  });

  it('shows an error with a Retry button, without hiding the last answer', async () => {
    const onRetry = vi.fn();
    render(
      <PredictionResult {...base} result={result(4, 0.8)} error="Can’t reach the recognizer." onRetry={onRetry} />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Can’t reach the recognizer.');
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('4');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('marks itself busy while a request is in flight', () => {
    const { container } = render(<PredictionResult {...base} loading result={null} />);
    expect(container.firstElementChild).toHaveAttribute('aria-busy', 'true');
  });
});
