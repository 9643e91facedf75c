import { newPickupCode } from './pickup-code';

describe('newPickupCode', () => {
  it.each([
    [0, '0000'],
    [7, '0007'],
    [4321, '4321'],
    [9999, '9999'],
  ])('draw %i gives %s', (drawn, code) => {
    expect(newPickupCode(() => drawn)).toBe(code);
  });

  it('draws four digits from [0, 10000) by default', () => {
    for (let i = 0; i < 200; i++) expect(newPickupCode()).toMatch(/^\d{4}$/);
  });
});
