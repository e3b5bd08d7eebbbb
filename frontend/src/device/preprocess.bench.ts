// @vitest-environment node
/**
 * How fast the device's preprocessing is, and how close to the server's: `npx vitest bench --run src/device`
 * (not part of `npm test`). Prints the largest differences from the golden fixtures (fields, calibrated
 * probabilities) and the median CPU time of prepareRgba, then times it on 280x280 canvas drawings and on the
 * number pad's 500x200.
 */
import { bench, describe } from 'vitest';
import { expectedField, loadGolden, readPicture } from '../test/golden';
import { prepareRgba } from './preprocess';
import { answer } from './verdict';

const golden = loadGolden();
const pictures = golden.fixtures.map((fixture) => ({ fixture, ...readPicture(fixture) }));

let worst = 0;
let exact = 0;
for (const { fixture, rgba, width, height } of pictures) {
  const field = prepareRgba(rgba, width, height).field;
  const expected = expectedField(fixture);
  const gap = field.reduce((most, v, i) => Math.max(most, Math.abs(v - expected[i]!)), 0);
  worst = Math.max(worst, gap);
  if (gap === 0) exact++;
}
let probabilityGap = 0;
for (const fixture of golden.fixtures) {
  const said = answer(
    fixture.raw,
    { field: expectedField(fixture), extent: fixture.extent, aspect: fixture.aspect },
    golden.card,
  );
  said.probabilities.forEach(
    (p, d) => (probabilityGap = Math.max(probabilityGap, Math.abs(p - fixture.probabilities[d]!))),
  );
}
console.log(
  `golden fixtures: ${pictures.length}; bit-exact fields: ${exact}; largest difference from the server: ${worst}; ` +
    `largest difference of a calibrated probability: ${probabilityGap}`,
);

const canvases = pictures.filter((p) => p.width === 280 && p.height === 280);
const numbers = pictures.filter((p) => p.width === 500 && p.height === 200);

/** Median CPU time of one call, in ms: on a busy machine wall time mostly measures waiting for a core. */
function cpuMedian(set: typeof pictures, calls: number): number {
  const times: number[] = [];
  for (let k = 0; k < calls; k++) {
    const { rgba, width, height } = set[k % set.length]!;
    const before = process.cpuUsage();
    prepareRgba(rgba, width, height);
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[calls >> 1]!;
}
cpuMedian(canvases, 300); // warm-up: the optimizing compiler
console.log(
  `prepareRgba, median CPU time a call: 280x280 canvas ${cpuMedian(canvases, 1000).toFixed(3)} ms, ` +
    `500x200 number ${cpuMedian(numbers, 400).toFixed(3)} ms`,
);

const options = { time: 4000, warmupIterations: 100 };

describe('prepareRgba', () => {
  let i = 0;
  bench(
    `a 280x280 canvas drawing (${canvases.length} in turn)`,
    () => {
      const { rgba, width, height } = canvases[i++ % canvases.length]!;
      prepareRgba(rgba, width, height);
    },
    options,
  );
  let j = 0;
  bench(
    `a 500x200 written number (${numbers.length} in turn)`,
    () => {
      const { rgba, width, height } = numbers[j++ % numbers.length]!;
      prepareRgba(rgba, width, height);
    },
    options,
  );
});
