import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ModeSwitch } from './ModeSwitch';
import { WhyToggle } from './WhyToggle';

describe('ModeSwitch', () => {
  it('shows which mode is on and asks for the other one', () => {
    const onChange = vi.fn();
    render(<ModeSwitch mode="digit" onChange={onChange} />);
    expect(screen.getByRole('group', { name: 'What to write' })).toBeInTheDocument();
    expect(screen.getByTestId('mode-digit')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('mode-number')).toHaveAttribute('aria-pressed', 'false');
    fireEvent.click(screen.getByTestId('mode-digit'));
    expect(onChange).not.toHaveBeenCalled(); // already on
    fireEvent.click(screen.getByRole('button', { name: 'Number' }));
    expect(onChange).toHaveBeenCalledWith('number');
  });
});

describe('WhyToggle', () => {
  it('is a toggle button', () => {
    const onChange = vi.fn();
    const { rerender } = render(<WhyToggle on={false} onChange={onChange} />);
    const button = screen.getByRole('button', { name: 'Why?' });
    expect(button).toHaveAttribute('aria-pressed', 'false');
    fireEvent.click(button);
    expect(onChange).toHaveBeenCalledWith(true);
    rerender(<WhyToggle on onChange={onChange} />);
    expect(button).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(button);
    expect(onChange).toHaveBeenLastCalledWith(false);
  });
});
