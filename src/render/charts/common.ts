/** Shared pieces of chart specs: size and labelled reference rules. */
export const WIDTH = 560;

export function ruleLayers(rules: { value: number; label: string; axis: 'x' | 'y' }[]): object[] {
  return rules.map((r) => {
    const enc = r.axis === 'x' ? { x: { datum: r.value, type: 'quantitative' } } : { y: { datum: r.value, type: 'quantitative' } };
    return {
      // A one-row data source: without data of its own a datum-only layer draws nothing.
      data: { values: [{}] },
      layer: [
        { mark: { type: 'rule', color: '#b33', strokeDash: [4, 3] }, encoding: enc },
        {
          mark: { type: 'text', color: '#b33', align: 'left', baseline: 'top', dx: 4, dy: 4, fontSize: 11, text: r.label },
          encoding: r.axis === 'x' ? { ...enc, y: { value: 0 } } : { ...enc, x: { value: 0 } },
        },
      ],
    };
  });
}
