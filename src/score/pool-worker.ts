/**
 * A worker thread of a scoring pool (tfjs on WebAssembly: workers.ts; onnxruntime sessions:
 * ort-pool.ts) with its request/response bookkeeping, and the shared buffers the pools exchange
 * batches through.
 */
import { Worker } from 'node:worker_threads';

/**
 * Batches of the scoring loop in one call to a worker pool (ScoringRuntime.turnBatches): both pools
 * (tfjs: workers.ts; onnxruntime: ort-pooling.ts) take whole turns, so their workers stay busy.
 */
export const TURN_BATCHES = 64;

/** The buffers a pool copies a call's input into when it is not in shared memory already. */
export interface InputSlot {
  floats: Float32Array;
  codes: Uint8Array;
}

/**
 * `input` as a pool's workers read it: in place when it is in shared memory already (.npy inputs:
 * load/shared-file.ts; score.ts's turns), else copied into the slot's buffer of its type (grown on
 * demand). The workers read it from its buffer at its byteOffset.
 */
export function sharedInput(input: Float32Array | Uint8Array, slot: InputSlot): Float32Array | Uint8Array {
  if (input.buffer instanceof SharedArrayBuffer) return input;
  if (input instanceof Uint8Array) {
    if (slot.codes.length < input.length) slot.codes = sharedBytes(input.length);
    slot.codes.set(input);
    return slot.codes.subarray(0, input.length);
  }
  if (slot.floats.length < input.length) slot.floats = sharedFloats(input.length);
  slot.floats.set(input);
  return slot.floats.subarray(0, input.length);
}

/**
 * The chunks of a request of `rows` records, `chunk` records each, taken from the counter `next`
 * (an Int32Array over shared memory, starting at 0) until none is left: each yields [start, count]
 * to exactly one of the workers sharing the counter. The pools' worker sources embed this
 * function's source, so it refers to nothing but its arguments.
 */
export function* takeChunks(next: Int32Array, rows: number, chunk: number): Generator<[number, number]> {
  const chunks = Math.ceil(rows / chunk);
  for (let c = Atomics.add(next, 0, 1); c < chunks; c = Atomics.add(next, 0, 1)) {
    const start = c * chunk;
    yield [start, Math.min(chunk, rows - start)];
  }
}

/** A worker's answer to request `id`: an error, or what the request returns. */
export interface Reply {
  id: number;
  error?: string;
  /**
   * With `error`: how the model itself failed on its input (not the thread), so the caller can
   * name the checkpoint; its shape is the pool's (ort-pool.ts ModelFailure).
   */
  modelError?: unknown;
  rows?: number;
}

/** A request's rejection: the worker's reply is kept for callers that tell kinds of failure apart. */
export class PoolError extends Error {
  constructor(
    message: string,
    readonly reply: Reply,
  ) {
    super(message);
  }
}

/**
 * A worker plus request/response bookkeeping. It keeps the process alive only while a request is
 * pending or it is being terminated; once it has died, every request fails at once (a request
 * posted to a dead thread would otherwise never settle, and an otherwise idle process would exit
 * silently with code 0 while awaiting it).
 */
export class PoolWorker {
  private worker: Worker;
  private pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private next = 0;
  private closing = false;
  private dead: Error | null = null;

  /** `source`: plain JavaScript evaluated in the worker; `label` names the worker in errors. */
  constructor(source: string, workerData: unknown, label: string) {
    this.worker = new Worker(source, { eval: true, workerData });
    this.worker.unref();
    this.worker.on('message', (r: Reply) => this.settle(r.id, r.error ? new PoolError(`${label}: ${r.error}`, r) : null, r));
    this.worker.on('error', (e) => {
      this.dead = new Error(`${label} failed: ${e.message}`);
      this.failAll(this.dead);
    });
    this.worker.on('exit', (code) => {
      this.dead ??= new Error(`${label} exited with code ${code}`);
      this.failAll(this.dead);
    });
  }

  request(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  private settle(id: number, error: Error | null, r: Reply): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    // While terminating, the worker must stay referenced until its 'exit' event: a reply arriving
    // after terminate() must not unref it, or the process can end before terminate() resolves.
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    if (error) p.reject(error);
    else p.resolve(r);
  }

  private failAll(e: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id, e, { id });
  }

  terminate(): Promise<number> {
    this.closing = true;
    return this.worker.terminate(); // refs the worker until it has exited
  }
}

export const sharedFloats = (length: number) => new Float32Array(new SharedArrayBuffer(Math.max(length, 1) * 4));
export const sharedBytes = (length: number) => new Uint8Array(new SharedArrayBuffer(Math.max(length, 1)));
