import { COLOUR_DIMS, colourHistogram } from '../colour-histogram';
import { dot } from '../vectors';

type Rgb = [number, number, number];
const solid = (rgb: Rgb, pixels = 100) => Uint8Array.from({ length: pixels * 3 }, (_, i) => rgb[i % 3]);
const similarity = (a: Rgb, b: Rgb) => dot(colourHistogram(solid(a)), colourHistogram(solid(b)));

describe('colourHistogram', () => {
  it('is unit length, tells red from blue and meets shades of one colour', () => {
    const red = colourHistogram(solid([210, 60, 40]));
    expect(red.length).toBe(COLOUR_DIMS);
    expect(dot(red, red)).toBeCloseTo(1, 6);
    expect(similarity([210, 60, 40], [180, 40, 50])).toBeGreaterThan(0.75); // red, another red
    expect(similarity([210, 60, 40], [230, 90, 30])).toBeGreaterThan(0.5); // red, orange-red
    expect(similarity([210, 60, 40], [40, 60, 220])).toBe(0);
    expect(similarity([210, 60, 40], [60, 60, 60])).toBe(0); // red, grey
  });

  it('puts every grey in one bin, so greys leave the ranking to the shape features', () => {
    expect(similarity([10, 10, 10], [128, 128, 128])).toBeCloseTo(1, 6);
    expect(similarity([200, 200, 210], [20, 20, 20])).toBeCloseTo(1, 6);
  });

  it('leaves the white background out, and is all zeros for a blank picture', () => {
    const onWhite = new Uint8Array([...solid([255, 255, 255], 900), ...solid([210, 60, 40], 100)]);
    expect(dot(colourHistogram(onWhite), colourHistogram(solid([210, 60, 40])))).toBeCloseTo(1, 6);
    expect(colourHistogram(solid([250, 250, 250])).every((x) => x === 0)).toBe(true);
  });
});
