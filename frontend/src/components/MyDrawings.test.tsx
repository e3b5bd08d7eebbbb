import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { rememberDrawing } from '../myDrawings';
import { MyDrawings } from './MyDrawings';

beforeEach(() => localStorage.clear());

describe('MyDrawings', () => {
  it('shows nothing until this browser has stored a drawing', () => {
    render(<MyDrawings />);
    expect(screen.queryByTestId('my-drawings')).toBeNull();
  });

  it('lists corrections and shared drawings, newest first, with their links', () => {
    render(<MyDrawings />);
    act(() => {
      rememberDrawing({ id: 'a', kind: 'correction', label: 7, predicted: 1, image: 'data:a', url: null, at: '' });
      rememberDrawing({ id: 'b', kind: 'shared', label: null, predicted: 3, image: 'data:b', url: '/d/b', at: '' });
    });
    expect(screen.getByText('My drawings (2)')).toBeInTheDocument();
    const [shared, corrected] = screen.getAllByTestId('my-drawing');
    expect(shared).toHaveTextContent('Shared; the model said 3.');
    expect(within(shared!).getByTestId('my-drawing-link')).toHaveAttribute('href', '/d/b');
    expect(corrected).toHaveTextContent('You said 7; the model said 1.');
    expect(within(corrected!).queryByTestId('my-drawing-link')).toBeNull();
    expect(corrected!.querySelector('img')).toHaveAttribute('src', 'data:a');
  });

  it('forgets the list when asked', () => {
    render(<MyDrawings />);
    act(() =>
      rememberDrawing({ id: 'a', kind: 'correction', label: 7, predicted: 1, image: 'data:a', url: null, at: '' }),
    );
    fireEvent.click(screen.getByTestId('forget-drawings'));
    expect(screen.queryByTestId('my-drawings')).toBeNull();
  });
});
