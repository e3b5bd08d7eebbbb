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

  describe('verdicts', () => {
    const probabilities = [0.01, 0.01, 0.02, 0.03, 0.41, 0.05, 0.02, 0.06, 0.01, 0.38];
    const judged = (extra: Partial<Prediction>): Prediction => ({ ...result(4, 0.41), probabilities, ...extra });

    it('shows a "digit" verdict as today: the digit, large, in the live output', () => {
      render(<PredictionResult {...base} result={judged({ confidence: 0.93, verdict: 'digit', reason: 'A 4.' })} />);
      expect(screen.getByTestId('verdict')).toHaveAttribute('data-verdict', 'digit');
      expect(screen.getByTestId('prediction-digit')).toHaveTextContent(/^4$/);
      expect(screen.getByTestId('confidence')).toHaveTextContent('93.0%');
      const output = screen.getByRole('status', { name: 'Prediction' });
      expect(output).toHaveAttribute('aria-live', 'polite');
      expect(output).toContainElement(screen.getByTestId('prediction-digit'));
      expect(screen.queryByTestId('verdict-unsure')).toBeNull();
      expect(screen.queryByTestId('verdict-not-a-digit')).toBeNull();
      expect(screen.queryByTestId('low-confidence')).toBeNull();
    });

    it('reads an answer without a verdict (an older server) as "digit", low-confidence hint included', () => {
      render(<PredictionResult {...base} result={result(5, 0.41)} />);
      expect(screen.getByTestId('verdict')).toHaveAttribute('data-verdict', 'digit');
      expect(screen.getByTestId('prediction-digit')).toHaveTextContent(/^5$/);
      expect(screen.getByTestId('low-confidence')).toBeInTheDocument();
      expect(screen.queryByTestId('verdict-unsure')).toBeNull();
      expect(screen.queryByTestId('verdict-not-a-digit')).toBeNull();
    });

    it('shows "unsure" as the two candidates, in the live output, without the low-confidence hint', () => {
      render(
        <PredictionResult
          {...base}
          result={judged({ verdict: 'unsure', reason: 'It could be a 4 or a 9.', alternatives: [4, 9] })}
        />,
      );
      expect(screen.getByTestId('verdict')).toHaveAttribute('data-verdict', 'unsure');
      expect(screen.getByTestId('verdict-unsure')).toHaveTextContent('Not sure: 4 or 9?');
      expect(screen.getByTestId('prediction-digit')).toHaveTextContent(/^4$/);
      expect(screen.getByTestId('prediction-alternative')).toHaveTextContent(/^9$/);
      expect(screen.getByTestId('verdict-reason')).toHaveTextContent('It could be a 4 or a 9.');
      const output = screen.getByRole('status', { name: 'Prediction' });
      expect(output).toContainElement(screen.getByTestId('verdict-unsure'));
      expect(output).toContainElement(screen.getByTestId('prediction-digit'));
      expect(screen.getByTestId('confidence')).toHaveTextContent('41.0%');
      expect(screen.getByTestId('model-input')).toBeInTheDocument();
      expect(screen.queryByTestId('low-confidence')).toBeNull();
      expect(screen.queryByTestId('verdict-not-a-digit')).toBeNull();
    });

    it("takes an unsure answer's candidates from the probabilities when alternatives are missing", () => {
      render(<PredictionResult {...base} result={judged({ verdict: 'unsure' })} />);
      expect(screen.getByTestId('verdict-unsure')).toHaveTextContent('Not sure: 4 or 9?');
      expect(screen.queryByTestId('verdict-reason')).toBeNull();
    });

    it('shows "not_a_digit" as "Not a digit?" with the reason, and no digit', () => {
      render(
        <PredictionResult
          {...base}
          result={judged({ verdict: 'not_a_digit', reason: 'This does not look like a digit.', alternatives: [4, 9] })}
        />,
      );
      expect(screen.getByTestId('verdict')).toHaveAttribute('data-verdict', 'not_a_digit');
      expect(screen.getByTestId('verdict-not-a-digit')).toHaveTextContent('Not a digit?');
      expect(screen.getByTestId('verdict-reason')).toHaveTextContent('This does not look like a digit.');
      const output = screen.getByRole('status', { name: 'Prediction' });
      expect(output).toContainElement(screen.getByTestId('verdict-not-a-digit'));
      expect(output).toContainElement(screen.getByTestId('verdict-reason'));
      expect(screen.queryByTestId('prediction-digit')).toBeNull();
      expect(screen.queryByTestId('verdict-unsure')).toBeNull();
      expect(screen.queryByTestId('low-confidence')).toBeNull();
      expect(screen.getByTestId('model-input')).toBeInTheDocument();
    });

    it('gives "not_a_digit" a reason of its own when the server sends none', () => {
      render(<PredictionResult {...base} result={judged({ verdict: 'not_a_digit' })} />);
      expect(screen.getByTestId('verdict-reason')).toHaveTextContent(/does not look like a digit/i);
    });

    it('shows no verdict while the canvas is empty', () => {
      render(<PredictionResult {...base} empty result={judged({ verdict: 'not_a_digit' })} />);
      expect(screen.queryByTestId('verdict')).toBeNull();
      expect(screen.getByTestId('prompt')).toBeInTheDocument();
    });
  });

  it('marks itself busy while a request is in flight', () => {
    const { container } = render(<PredictionResult {...base} loading result={null} />);
    expect(container.firstElementChild).toHaveAttribute('aria-busy', 'true');
  });
});
