/**
 * "My drawings": the drawings this browser corrected or shared, kept in localStorage (the server has no idea
 * whose they are: it stores no address and no account). Components subscribe with `useMyDrawings`.
 */
import { useSyncExternalStore } from 'react';

export interface MyDrawing {
  id: string;
  /** 'correction': the person said what it was; 'shared': saved to share, with a link. */
  kind: 'correction' | 'shared';
  /** What the person said it was (corrections). */
  label: number | null;
  /** What the model said. */
  predicted: number;
  /** The drawing as a PNG data URL, to show it again. */
  image: string;
  /** The share page's path, `/d/<id>` (shared drawings). */
  url: string | null;
  /** When it was stored, ISO 8601. */
  at: string;
}

export const STORAGE_KEY = 'digits.myDrawings';
/** The newest this many are kept: each holds a small PNG, and localStorage is small. */
export const MAX_KEPT = 30;

const listeners = new Set<() => void>();
let cache: { raw: string | null; list: readonly MyDrawing[] } = { raw: null, list: [] };

const storage = (): Storage | null => {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null; // storage blocked (some private modes): the list lives for this page only
  }
};
/** The list when localStorage cannot hold it (blocked, or full): it then lives for this page only. */
let memory: readonly MyDrawing[] = [];
let inMemory = false;

const isMyDrawing = (value: unknown): value is MyDrawing => {
  const v = value as Partial<MyDrawing> | null;
  return (
    !!v && typeof v.id === 'string' && (v.kind === 'correction' || v.kind === 'shared') && typeof v.image === 'string'
  );
};

/** The list, newest first (what is unreadable is skipped). Returns the same array until the list changes. */
export function loadMyDrawings(): readonly MyDrawing[] {
  const store = inMemory ? null : storage();
  if (!store) return memory;
  let raw: string | null = null;
  try {
    raw = store.getItem(STORAGE_KEY);
  } catch {
    return memory;
  }
  if (raw === cache.raw) return cache.list;
  let list: MyDrawing[] = [];
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    list = Array.isArray(parsed) ? parsed.filter(isMyDrawing) : [];
  } catch {
    list = [];
  }
  cache = { raw, list };
  return list;
}

function save(list: readonly MyDrawing[]): void {
  memory = list;
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch {
    inMemory = true; // full or blocked
  }
  listeners.forEach((listener) => listener());
}

/** Add a drawing at the top of the list (the oldest beyond MAX_KEPT is dropped). */
export function rememberDrawing(drawing: MyDrawing): void {
  save([drawing, ...loadMyDrawings().filter((d) => d.id !== drawing.id)].slice(0, MAX_KEPT));
}

/** Forget the list (in this browser only: the server keeps what it stored). */
export function forgetMyDrawings(): void {
  save([]);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => event.key === STORAGE_KEY && listener(); // another tab
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The list, newest first, kept up to date (this tab and others). */
export function useMyDrawings(): readonly MyDrawing[] {
  return useSyncExternalStore(subscribe, loadMyDrawings, () => memory);
}
