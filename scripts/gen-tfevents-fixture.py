#!/usr/bin/python3
"""
Writes the TensorBoard and Keras CSV fixtures of test/fixtures/logs/ and, next to each, the
scalars it holds as *.expected.json (what the TypeScript reader must return).

Run with Debian's python: `/usr/bin/python3 scripts/gen-tfevents-fixture.py`. torch's
SummaryWriter is used when `tensorboard` is importable; on Debian bookworm it is not (there is no
python3-tensorboard package), so the bytes are written by hand with scripts/tfevents_writer.py —
the same framing and protos SummaryWriter and tf.summary produce.
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfevents_writer as tw  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "logs")
T0 = 1_700_000_000.0


def pytorch_style():
    """PyTorch SummaryWriter: simple_value scalars, tags like Loss/train, lr, grad_norm/<layer>."""
    expected, events = [], [tw.event(0, T0, file_version="brain.Event:2")]
    for step in range(0, 30):
        vals = {
            "Loss/train": 1.1 * math.exp(-step / 10) + 0.05,
            "lr": 1e-3 * min(1.0, (step + 1) / 5),
            "grad_norm": 2.0 / (1 + step / 10),
            "grad_norm/fc1": 1.5 / (1 + step / 10),
        }
        if step == 17:
            vals["Loss/train"] = float("nan")
        if step % 10 == 9:
            vals["Loss/val"] = 0.9 * math.exp(-step / 12) + 0.1
        payload = b"".join(tw.simple_value(t, v) for t, v in vals.items())
        events.append(tw.event(step, T0 + step, payload))
        expected += [{"step": step, "tag": t, "value": v} for t, v in vals.items()]
    return events, expected


def tf2_style(split):
    """tf.summary.scalar via Keras' TensorBoard callback: train/ and validation/ folders, epoch_* tags."""
    expected, events = [], [tw.event(0, T0, file_version="brain.Event:2")]
    for epoch in range(4):
        loss = 0.8 / (epoch + 1) + (0.05 if split == "validation" else 0.0)
        acc = 1 - loss / 2
        payload = tw.tensor_value("epoch_loss", loss, "float_val") + tw.tensor_value("epoch_accuracy", acc, "tensor_content")
        events.append(tw.event(epoch, T0 + 60 * epoch, payload))
        expected += [{"step": epoch, "tag": "epoch_loss", "value": loss}, {"step": epoch, "tag": "epoch_accuracy", "value": acc}]
    return events, expected


def f32(v):
    import struct
    return struct.unpack("<f", struct.pack("<f", v))[0]


def dump(path, expected, exact=False):
    rows = [dict(e, value=None if math.isnan(e["value"]) else (e["value"] if exact else f32(e["value"]))) for e in expected]
    with open(path, "w") as f:
        json.dump(rows, f, indent=0)
        f.write("\n")


def main():
    try:
        import tensorboard  # noqa: F401
        print("note: tensorboard is importable, but the fixtures stay hand-written so they are byte-stable", file=sys.stderr)
    except ImportError:
        print("tensorboard is not importable (Debian has no python3-tensorboard): writing the event bytes by hand", file=sys.stderr)
    os.makedirs(os.path.join(OUT, "pytorch"), exist_ok=True)
    ev, exp = pytorch_style()
    tw.write(os.path.join(OUT, "pytorch", "events.out.tfevents.1700000000.fixture.1.0"), ev)
    dump(os.path.join(OUT, "pytorch.expected.json"), exp)
    for split in ("train", "validation"):
        os.makedirs(os.path.join(OUT, "keras-tb", split), exist_ok=True)
        ev, exp = tf2_style(split)
        tw.write(os.path.join(OUT, "keras-tb", split, "events.out.tfevents.1700000000.fixture.1.v2"), ev)
        # epoch_accuracy goes through a DT_DOUBLE tensor_content: exact, not float32-rounded.
        dump(os.path.join(OUT, f"keras-tb-{split}.expected.json"), [dict(e, value=e["value"] if e["tag"] == "epoch_accuracy" else f32(e["value"])) for e in exp], exact=True)
    # Keras CSVLogger: epoch is 0-based, val_* columns, a nan in epoch 2's val_loss.
    with open(os.path.join(OUT, "keras-training.csv"), "w") as f:
        f.write("epoch,accuracy,loss,lr,val_accuracy,val_loss\n")
        for epoch in range(5):
            val_loss = "nan" if epoch == 2 else repr(round(0.7 / (epoch + 1) + 0.1, 6))
            f.write(f"{epoch},{round(0.6 + 0.08 * epoch, 6)},{round(0.9 / (epoch + 1), 6)},{1e-3 * 0.5 ** epoch},{round(0.55 + 0.07 * epoch, 6)},{val_loss}\n")


if __name__ == "__main__":
    main()
