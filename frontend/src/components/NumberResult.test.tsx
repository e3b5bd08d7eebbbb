import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { NumberResult } from './NumberResult';
import { reading } from '../test/readings';

const props = { empty: false, loading: false, error: null, onRetry: vi.fn(), selected: null, onSelect: vi.fn() };

describe('NumberResult', () => {
  it('prompts for a number when nothing is written', () => {
    render(<NumberResult {...props} result={null} empty />);
    expect(screen.getByTestId('number-result')).toHaveTextContent('–');
    expect(screen.getByText(/Write a number/)).toBeInTheDocument();
    expect(screen.queryByTestId('number-bars')).toBeNull();
  });

  it('shows the number, a button per digit, and the bars of the digit chosen', () => {
    const onSelect = vi.fn();
    const { rerender } = render(<NumberResult {...props} result={reading} onSelect={onSelect} />);
    expect(screen.getByTestId('number-result')).toHaveTextContent('40');
    expect(screen.queryByTestId('number-bars')).toBeNull();
    fireEvent.click(screen.getByTestId('number-digit-1'));
    expect(onSelect).toHaveBeenCalledWith(1);
    rerender(<NumberResult {...props} result={reading} selected={1} onSelect={onSelect} />);
    const chosen = screen.getByTestId('number-bars');
    expect(chosen).toHaveTextContent('Digit 2 of 2: 0, 61.0%');
    expect(chosen).toHaveTextContent('It could be a 0 or a 6.');
    expect(within(chosen).getByTestId('prob-0')).toHaveAttribute('aria-valuenow', '61');
    expect(screen.getByTestId('number-digit-1')).toHaveAttribute('aria-pressed', 'true');
  });

  it('announces the number once it is settled, digit by digit', () => {
    render(<NumberResult {...props} result={reading} settled={{ id: 1, result: reading }} />);
    expect(screen.getByText('Read 4 0')).toBeInTheDocument();
  });

  it('says what failed, with a Retry button', () => {
    const onRetry = vi.fn();
    render(<NumberResult {...props} result={reading} error="The server is down." onRetry={onRetry} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('The server is down.');
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalled();
  });
});
