#!/usr/bin/python3
"""
Writes examples/mnist/tb/events.out.tfevents.* from metrics.jsonl: the same training scalars as a
TensorBoard event file, with the tags a PyTorch SummaryWriter run would use (loss/train, loss/val,
accuracy/val, lr, grad_norm, grad_norm/<layer>). The config reads it via logs.tensorboard, so the
report exercises the TensorBoard reader on real numbers and checks that both logs agree.

Run: /usr/bin/python3 examples/mnist/make-tfevents.py
Debian's python3-torch ships torch.utils.tensorboard without the `tensorboard` package it imports,
so the event bytes are written by scripts/tfevents_writer.py (the framing and protos
SummaryWriter writes). Wall times are fixed, so the file is byte-identical on every run.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import tfevents_writer as tw  # noqa: E402

T0 = 1_793_491_200.0  # 2026-11-01T00:00:00Z, the date of the first experiment


def main():
    rows = [json.loads(line) for line in open(os.path.join(HERE, "metrics.jsonl")) if line.strip()]
    by_step = {}
    for r in rows:
        split = r.get("split", "train")
        for k, v in r.items():
            if k in ("step", "epoch", "split") or not isinstance(v, (int, float)):
                continue
            if k in ("loss", "accuracy"):
                tag = f"{k}/{split}"
            else:
                tag = k  # lr, grad_norm, grad_norm/<layer>: optimiser properties, no split
            by_step.setdefault(r["step"], []).append(tw.simple_value(tag, float(v)))
    events = [tw.event(0, T0, file_version="brain.Event:2")]
    for step in sorted(by_step):
        events.append(tw.event(step, T0 + step, b"".join(by_step[step])))
    out = os.path.join(HERE, "tb")
    os.makedirs(out, exist_ok=True)
    tw.write(os.path.join(out, "events.out.tfevents.1793491200.mnist.0"), events)
    print(f"wrote {len(events) - 1} events to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
