import { describe, expect, it } from 'vitest';
import { announcementFor } from './announce';
import type { Prediction } from './api';

const answer = (extra: Partial<Prediction>): Prediction => ({
  digit: 7,
  confidence: 0.984,
  probabilities: [0, 0, 0, 0, 0.41, 0, 0, 0.2, 0, 0.38],
  input: '',
  model: 'v1',
  ...extra,
});

describe('announcementFor', () => {
  it('says the digit and its confidence in whole percents: "7, 98 percent"', () => {
    expect(announcementFor(answer({}))).toBe('7, 98 percent');
    expect(announcementFor(answer({ verdict: 'digit', digit: 0, confidence: 1 }))).toBe('0, 100 percent');
  });

  it('adds that it is not sure below 60%', () => {
    expect(announcementFor(answer({ digit: 5, confidence: 0.41 }))).toBe('5, 41 percent. Not quite sure.');
  });

  it('says the unsure verdict as its two candidates', () => {
    expect(announcementFor(answer({ verdict: 'unsure', alternatives: [4, 9] }))).toBe('Not sure: 4 or 9?');
    expect(announcementFor(answer({ verdict: 'unsure' }))).toBe('Not sure: 4 or 9?');
  });

  it('says "not a digit" with the reason', () => {
    expect(announcementFor(answer({ verdict: 'not_a_digit', reason: 'Just a dot.' }))).toBe('Not a digit? Just a dot.');
    expect(announcementFor(answer({ verdict: 'not_a_digit' }))).toMatch(/^Not a digit\? This does not look/);
  });
});
