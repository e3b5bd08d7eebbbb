// @vitest-environment node
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ModelCard } from './api';

// The model card's contract: schemas/model-card.schema.json is made from the Python ModelCard type
// (`python -m backend.core.card`); the shipped card must satisfy it, and so must the fields the UI reads.
const repo = new URL('../../', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, repo), 'utf8'));
const schema = readJson('schemas/model-card.schema.json') as {
  properties: Record<string, { type: string | string[] }>;
};
const shipped = readJson('models/digit_cnn.json') as ModelCard;

/** The JSON type of every field the UI's ModelCard type declares (beyond its index signature). */
const UI_FIELDS: Record<string, 'string' | 'number' | 'integer' | 'object'> = {
  version: 'string',
  test_accuracy: 'number',
  params: 'integer',
  trained_at: 'string',
  handwriting: 'object',
  calibration: 'object',
  verdict: 'object',
};

describe('ModelCard', () => {
  it('the shipped card satisfies the schema', () => {
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(shipped), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema catches a card of the wrong shape', () => {
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate({ ...shipped, params: 'many' })).toBe(false);
  });

  it.each(Object.entries(UI_FIELDS))('declares %s with the type the schema gives it (%s)', (field, type) => {
    const declared = schema.properties[field]?.type;
    expect(declared, `${field} is not in the schema`).toBeDefined();
    expect([declared].flat()).toContain(type);
  });

  it('the shipped card has what the UI shows', () => {
    expect(typeof shipped.version).toBe('string');
    expect(shipped.test_accuracy).toBeGreaterThan(0.99);
    expect(Number.isInteger(shipped.params)).toBe(true);
  });
});
