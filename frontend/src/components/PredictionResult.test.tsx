import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Prediction } from '../api';
import { describeFailure } from '../failure';
import { ApiError } from '../api';
import { PredictionResult } from './PredictionResult';

const result = (digit: number, confidence: number): Prediction => ({
  digit,
  confidence,
  probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? confidence : (1 - confidence) / 9)),
  input: 'data:image/png;base64,SEEN',
  model: 'v1',
});

const base = { empty: false, loading: false, error: null, onRetry: () => undefined };

/** The live output (role status) that holds the answer. */
const output = () => screen.getByRole('status', { name: 'Prediction' });

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
    const renderJudged = (extra: Partial<Prediction>) => render(<PredictionResult {...base} result={judged(extra)} />);

    it('shows a "digit" verdict as today: the digit, large, in the live output', () => {
      renderJudged({ confidence: 0.93, verdict: 'digit', reason: 'A 4.' });
      expect(screen.getByTestId('verdict')).toHaveAttribute('data-verdict', 'digit');
      expect(screen.getByTestId('prediction-digit')).toHaveTextContent(/^4$/);
      expect(screen.getByTestId('confidence')).toHaveTextContent('93.0%');
      expect(output()).toHaveAttribute('aria-live', 'polite');
      expect(output()).toContainElement(screen.getByTestId('prediction-digit'));
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
      renderJudged({ verdict: 'unsure', reason: 'It could be a 4 or a 9.', alternatives: [4, 9] });
      expect(screen.getByTestId('verdict')).toHaveAttribute('data-verdict', 'unsure');
      expect(screen.getByTestId('verdict-unsure')).toHaveTextContent('Not sure: 4 or 9?');
      expect(screen.getByTestId('prediction-digit')).toHaveTextContent(/^4$/);
      expect(screen.getByTestId('prediction-alternative')).toHaveTextContent(/^9$/);
      expect(screen.getByTestId('verdict-reason')).toHaveTextContent('It could be a 4 or a 9.');
      expect(output()).toContainElement(screen.getByTestId('verdict-unsure'));
      expect(output()).toContainElement(screen.getByTestId('prediction-digit'));
      expect(screen.getByTestId('confidence')).toHaveTextContent('41.0%');
      expect(screen.getByTestId('model-input')).toBeInTheDocument();
      expect(screen.queryByTestId('low-confidence')).toBeNull();
      expect(screen.queryByTestId('verdict-not-a-digit')).toBeNull();
    });

    it("takes an unsure answer's candidates from the probabilities when alternatives are missing", () => {
      renderJudged({ verdict: 'unsure' });
      expect(screen.getByTestId('verdict-unsure')).toHaveTextContent('Not sure: 4 or 9?');
      expect(screen.queryByTestId('verdict-reason')).toBeNull();
    });

    it('shows "not_a_digit" as "Not a digit?" with the reason, and no digit', () => {
      renderJudged({ verdict: 'not_a_digit', reason: 'This does not look like a digit.', alternatives: [4, 9] });
      expect(screen.getByTestId('verdict')).toHaveAttribute('data-verdict', 'not_a_digit');
      expect(screen.getByTestId('verdict-not-a-digit')).toHaveTextContent('Not a digit?');
      expect(screen.getByTestId('verdict-reason')).toHaveTextContent('This does not look like a digit.');
      expect(output()).toContainElement(screen.getByTestId('verdict-not-a-digit'));
      expect(output()).toContainElement(screen.getByTestId('verdict-reason'));
      expect(screen.queryByTestId('prediction-digit')).toBeNull();
      expect(screen.queryByTestId('verdict-unsure')).toBeNull();
      expect(screen.queryByTestId('low-confidence')).toBeNull();
      expect(screen.getByTestId('model-input')).toBeInTheDocument();
    });

    it('gives "not_a_digit" a reason of its own when the server sends none', () => {
      renderJudged({ verdict: 'not_a_digit' });
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

  describe('the announcement (live region)', () => {
    it('is always in the page, even before any answer, so the first one is not missed', () => {
      render(<PredictionResult {...base} empty result={null} />);
      expect(output()).toHaveAttribute('aria-live', 'polite');
      expect(output()).toHaveAttribute('aria-atomic', 'true');
      expect(screen.getByTestId('announcement')).toHaveTextContent(/^$/);
    });

    it('says the settled answer in words ("7, 98 percent"), not the live one', () => {
      const { rerender } = render(<PredictionResult {...base} result={result(7, 0.98)} />);
      expect(screen.getByTestId('announcement')).toHaveTextContent(/^$/); // a live answer: nothing said
      rerender(<PredictionResult {...base} result={result(7, 0.98)} settled={{ id: 1, result: result(7, 0.98) }} />);
      expect(screen.getByTestId('announcement')).toHaveTextContent('7, 98 percent');
      // The next stroke's live answers change the digit on screen, not what is said.
      rerender(
        <PredictionResult {...base} drawing result={result(1, 0.6)} settled={{ id: 1, result: result(7, 0.98) }} />,
      );
      expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1');
      expect(screen.getByTestId('announcement')).toHaveTextContent('7, 98 percent');
    });

    it("hides the large digit from screen readers (the sentence says it), and keeps the output's name", () => {
      render(<PredictionResult {...base} result={result(3, 0.9)} settled={{ id: 4, result: result(3, 0.9) }} />);
      expect(screen.getByTestId('verdict')).toHaveAttribute('aria-hidden', 'true');
      expect(output()).toHaveTextContent('3, 90 percent');
    });

    it('says the unsure verdict as its candidates', () => {
      const unsure = { ...result(4, 0.41), verdict: 'unsure' as const, alternatives: [4, 9] };
      render(<PredictionResult {...base} result={unsure} settled={{ id: 2, result: unsure }} />);
      expect(screen.getByTestId('announcement')).toHaveTextContent('Not sure: 4 or 9?');
    });

    it('says nothing once the canvas is cleared', () => {
      render(<PredictionResult {...base} empty result={null} settled={{ id: 2, result: result(3, 0.9) }} />);
      expect(screen.getByTestId('announcement')).toHaveTextContent(/^$/);
    });
  });

  describe('no layout jumps, no blame', () => {
    it('always reserves the notice line, with or without a message', () => {
      const { rerender } = render(<PredictionResult {...base} result={result(4, 0.9)} />);
      expect(screen.getByTestId('notice')).toBeEmptyDOMElement();
      rerender(<PredictionResult {...base} result={result(4, 0.9)} error="Can’t reach the recognizer." />);
      expect(screen.getByTestId('notice')).toContainElement(screen.getByRole('alert'));
      rerender(<PredictionResult {...base} result={result(4, 0.4)} />);
      expect(screen.getByTestId('notice')).toContainElement(screen.getByTestId('low-confidence'));
    });

    it('waits for the pen to lift before the low-confidence hint, so it does not flicker mid-stroke', () => {
      const { rerender } = render(<PredictionResult {...base} drawing result={result(5, 0.41)} />);
      expect(screen.queryByTestId('low-confidence')).toBeNull();
      rerender(<PredictionResult {...base} result={result(5, 0.41)} />);
      expect(screen.getByTestId('low-confidence')).toBeInTheDocument();
    });

    it('never shows the drawing hint next to a server error', () => {
      render(<PredictionResult {...base} result={result(5, 0.41)} error="The recognizer is restarting." />);
      expect(screen.getByRole('alert')).toBeInTheDocument();
      expect(screen.queryByTestId('low-confidence')).toBeNull();
    });

    it('does not ask for more ink when the server failed before any answer', () => {
      render(<PredictionResult {...base} result={null} error="Can’t reach the recognizer." />);
      expect(screen.getByTestId('prompt')).not.toHaveTextContent(/draw a little more/i);
      expect(screen.getByTestId('prompt')).toHaveTextContent('No answer yet.');
    });

    it('keeps the stale answer in place, faded, under an error', () => {
      const { container } = render(<PredictionResult {...base} result={result(4, 0.9)} error="Down." />);
      expect(container.firstElementChild).toHaveClass('stale');
      expect(screen.getByTestId('prediction-digit')).toHaveTextContent('4');
    });
  });

  describe('busy cue and automatic retries', () => {
    afterEach(() => vi.useRealTimers());

    it('shows a busy cue while a request is in flight, over an existing answer too', () => {
      const { rerender } = render(<PredictionResult {...base} result={result(4, 0.9)} />);
      expect(screen.getByTestId('busy-indicator')).toHaveAttribute('data-active', 'false');
      rerender(<PredictionResult {...base} loading result={result(4, 0.9)} />);
      expect(screen.getByTestId('busy-indicator')).toHaveAttribute('data-active', 'true');
      expect(screen.getByTestId('busy-indicator')).toHaveAttribute('aria-hidden', 'true');
    });

    it('counts down to the next automatic attempt', async () => {
      vi.useFakeTimers();
      const failure = describeFailure(new ApiError('network', ''));
      const at = Date.now() + 4000;
      render(<PredictionResult {...base} result={null} error={failure.message} failure={failure} retryAt={at} />);
      expect(screen.getByTestId('retry-status')).toHaveTextContent('Trying again in 4 s.');
      await act(async () => void vi.advanceTimersByTime(2000));
      expect(screen.getByTestId('retry-status')).toHaveTextContent('Trying again in 2 s.');
      await act(async () => void vi.advanceTimersByTime(2000));
      expect(screen.getByTestId('retry-status')).toHaveTextContent('Trying again…');
      expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    });

    it('says nothing about retrying for a failure that waiting cannot fix', () => {
      const failure = describeFailure(new ApiError('invalid_image', '', 400));
      render(<PredictionResult {...base} result={null} error={failure.message} failure={failure} />);
      expect(screen.getByRole('alert')).toHaveTextContent(/PNG/);
      expect(screen.queryByTestId('retry-status')).toBeNull();
    });

    it('names the uploaded picture the answer is about', () => {
      render(<PredictionResult {...base} result={result(7, 0.9)} uploadName="seven.png" />);
      expect(screen.getByTestId('upload-source')).toHaveTextContent('seven.png');
    });
  });
});
