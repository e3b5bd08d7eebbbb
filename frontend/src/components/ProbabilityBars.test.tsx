import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { toPercent } from '../percent';
import { ProbabilityBars } from './ProbabilityBars';

const probs = [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.95, 0.012, 0.01];

describe('ProbabilityBars', () => {
  it('shows ten progress bars, 0..9, with aria-valuenow in percent', () => {
    render(<ProbabilityBars probabilities={probs} />);
    const bars = screen.getAllByRole('progressbar');
    expect(bars).toHaveLength(10);
    for (let d = 0; d < 10; d++) {
      const bar = screen.getByTestId(`prob-${d}`);
      expect(bar).toHaveAttribute('aria-valuenow', String(toPercent(probs[d]!)));
      expect(bar).toHaveAttribute('aria-valuemin', '0');
      expect(bar).toHaveAttribute('aria-valuemax', '100');
      expect(bar).toHaveAccessibleName(`Digit ${d}`);
    }
    expect(screen.getByTestId('prob-7')).toHaveAttribute('aria-valuenow', '95');
    expect(screen.getByTestId('prob-7')).toHaveAttribute('aria-valuetext', '95.0%');
    expect(screen.getByText('95.0%')).toBeInTheDocument();
  });

  it('sizes each bar by its probability and highlights the top one', () => {
    render(<ProbabilityBars probabilities={probs} />);
    const fill = screen.getByTestId('prob-7').firstElementChild as HTMLElement;
    expect(fill.style.width).toBe('95%');
    expect(screen.getByTestId('prob-7').closest('li')).toHaveClass('top');
    expect(screen.getByTestId('prob-3').closest('li')).not.toHaveClass('top');
  });

  it('adds up to about 100%', () => {
    render(<ProbabilityBars probabilities={probs} />);
    const sum = screen.getAllByRole('progressbar').reduce((s, bar) => s + Number(bar.getAttribute('aria-valuenow')), 0);
    expect(sum).toBeGreaterThan(99.4);
    expect(sum).toBeLessThan(100.6);
  });

  it('shows empty bars and no highlight before any prediction', () => {
    render(<ProbabilityBars probabilities={null} />);
    for (let d = 0; d < 10; d++) expect(screen.getByTestId(`prob-${d}`)).toHaveAttribute('aria-valuenow', '0');
    expect(document.querySelector('.top')).toBeNull();
  });
});

describe('toPercent', () => {
  it('rounds to one decimal and clamps', () => {
    expect(toPercent(0.99876)).toBe(99.9);
    expect(toPercent(0.00049)).toBe(0);
    expect(toPercent(1.2)).toBe(100);
    expect(toPercent(-0.1)).toBe(0);
  });
});
