import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { reading } from '../test/readings';
import { HeatmapOverlay } from './HeatmapOverlay';
import { NumberBoxes } from './NumberBoxes';

describe('NumberBoxes', () => {
  it('puts a box over each digit where the server found it, tagged with its guess and confidence', () => {
    render(<NumberBoxes reading={reading} selected={null} onSelect={vi.fn()} />);
    const first = screen.getByTestId('digit-box-0');
    expect(first).toHaveStyle({ left: '10%', top: '30%', width: '20%', height: '60%' });
    expect(first).toHaveAttribute('data-digit', '4');
    expect(screen.getByTestId('digit-tag-0')).toHaveTextContent('497%');
    expect(screen.getByTestId('digit-tag-0')).toHaveAccessibleName(
      'Digit 1 of 2: 4, 97% sure. Show its probabilities.',
    );
    // A box near the top has its tag below it; an unsure digit's box is dashed.
    expect(screen.getByTestId('digit-box-1')).toHaveClass('tag-below', 'doubtful');
    expect(first).not.toHaveClass('tag-below');
  });

  it('tells which digit was tapped, and shows the chosen one as pressed', () => {
    const onSelect = vi.fn();
    const { rerender } = render(<NumberBoxes reading={reading} selected={null} onSelect={onSelect} />);
    fireEvent.click(screen.getByTestId('digit-tag-1'));
    expect(onSelect).toHaveBeenCalledWith(1);
    fireEvent.pointerUp(screen.getByTestId('digit-tag-0'), { pointerType: 'touch' }); // a finger lifted on it
    expect(onSelect).toHaveBeenLastCalledWith(0);
    fireEvent.pointerUp(screen.getByTestId('digit-tag-1'), { pointerType: 'mouse' }); // the mouse: its click counts
    expect(onSelect).toHaveBeenCalledTimes(2);
    rerender(<NumberBoxes reading={reading} selected={1} onSelect={onSelect} />);
    expect(screen.getByTestId('digit-tag-1')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('digit-tag-0')).toHaveAttribute('aria-pressed', 'false');
  });
});

describe('HeatmapOverlay', () => {
  it('lays the heatmap over the drawing, or nothing', () => {
    const { rerender, container } = render(<HeatmapOverlay heatmap={null} />);
    expect(container).toBeEmptyDOMElement();
    rerender(<HeatmapOverlay heatmap="data:image/png;base64,HEAT" />);
    expect(screen.getByTestId('heatmap')).toHaveAttribute('src', 'data:image/png;base64,HEAT');
    expect(screen.getByTestId('heatmap')).toHaveAttribute('alt', '');
  });
});
