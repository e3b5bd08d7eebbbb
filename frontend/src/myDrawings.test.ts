import { act, renderHook } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_KEPT,
  STORAGE_KEY,
  forgetMyDrawings,
  loadMyDrawings,
  rememberDrawing,
  useMyDrawings,
  type MyDrawing,
} from './myDrawings';

const drawing = (id: string, extra: Partial<MyDrawing> = {}): MyDrawing => ({
  id,
  kind: 'correction',
  label: 7,
  predicted: 1,
  image: 'data:image/png;base64,X',
  url: null,
  at: '2026-05-20T12:00:00Z',
  ...extra,
});

beforeEach(() => localStorage.clear());

describe('my drawings', () => {
  it('keeps what this browser stored, newest first, in localStorage', () => {
    rememberDrawing(drawing('a'));
    rememberDrawing(drawing('b', { kind: 'shared', label: null, url: '/d/b' }));
    expect(loadMyDrawings().map((d) => d.id)).toEqual(['b', 'a']);
    expect(JSON.parse(localStorage.getItem(STORAGE_KEY)!)).toHaveLength(2);
  });

  it(`keeps the newest ${MAX_KEPT} and no duplicates`, () => {
    for (let i = 0; i < MAX_KEPT + 5; i++) rememberDrawing(drawing(`d${i}`));
    rememberDrawing(drawing('d34'));
    const ids = loadMyDrawings().map((d) => d.id);
    expect(ids).toHaveLength(MAX_KEPT);
    expect(ids[0]).toBe('d34');
    expect(new Set(ids).size).toBe(MAX_KEPT);
    expect(ids).not.toContain('d0');
  });

  it('skips what it cannot read instead of failing', () => {
    localStorage.setItem(STORAGE_KEY, '{not json');
    expect(loadMyDrawings()).toEqual([]);
    localStorage.setItem(STORAGE_KEY, JSON.stringify([drawing('ok'), { id: 5 }, null, 'x']));
    expect(loadMyDrawings().map((d) => d.id)).toEqual(['ok']);
  });

  it('forgets the list', () => {
    rememberDrawing(drawing('a'));
    forgetMyDrawings();
    expect(loadMyDrawings()).toEqual([]);
  });

  it('useMyDrawings follows changes', () => {
    const { result } = renderHook(() => useMyDrawings());
    expect(result.current).toEqual([]);
    act(() => rememberDrawing(drawing('a')));
    expect(result.current.map((d) => d.id)).toEqual(['a']);
    act(() => forgetMyDrawings());
    expect(result.current).toEqual([]);
  });
});
