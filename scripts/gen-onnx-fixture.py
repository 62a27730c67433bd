#!/usr/bin/python3
"""
Builds test/fixtures/onnx: a tiny seeded PyTorch MLP (6-16-3) trained for 3 epochs on a synthetic
3-class dataset, exported with torch.onnx.export after every epoch (epoch-00 = untrained), plus
PyTorch's own softmax outputs per epoch, so the test can show losslens's ONNX scores match them.

    /usr/bin/python3 scripts/gen-onnx-fixture.py     # Debian python3-torch (1.13) + python3-onnx

Everything is seeded and runs on CPU, so re-runs write the same records, inputs and probabilities.
"""
import os
import struct

import numpy as np
import torch

SEED = 20261128
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx')
N, FEATURES, CLASSES, HIDDEN, EPOCHS = 240, 6, 3, 16, 3


def make_data():
    rng = np.random.default_rng(SEED)
    centers = rng.normal(0, 2.0, size=(CLASSES, FEATURES))
    y = np.arange(N) % CLASSES
    rng.shuffle(y)
    x = (centers[y] + rng.normal(0, 1.3, size=(N, FEATURES))).astype(np.float32)
    split = np.where(np.arange(N) < N * 3 // 4, 'train', 'val')
    # ids deliberately not in row order, so matching by id is exercised
    ids = [f'r{(i * 7919) % 1000:03d}' for i in range(N)]
    return x, y, split, ids


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(FEATURES, HIDDEN)
        self.fc2 = torch.nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class WithSoftmax(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return torch.softmax(self.inner(x), dim=1)


class IntInput(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, ids):
        return self.inner(ids.float())


def export(model, path, dynamic=True, probs=False):
    m = WithSoftmax(model) if probs else model
    dummy = torch.zeros(1, FEATURES)
    torch.onnx.export(m, dummy, path, input_names=['x'], output_names=['probs' if probs else 'logits'], opset_version=13,
                      dynamic_axes={'x': {0: 'batch'}, ('probs' if probs else 'logits'): {0: 'batch'}} if dynamic else None)


def main():
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT, exist_ok=True)
    x, y, split, ids = make_data()
    with open(os.path.join(OUT, 'records.csv'), 'w') as f:
        f.write('id,label,split\n')
        for i in range(N):
            f.write(f'{ids[i]},{"abc"[y[i]]},{split[i]}\n')
    np.save(os.path.join(OUT, 'inputs.npy'), x)

    model = Mlp()
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    train = np.flatnonzero(split == 'train')
    gen = torch.Generator().manual_seed(SEED + 1)
    for epoch in range(EPOCHS + 1):
        if epoch > 0:
            model.train()
            order = torch.from_numpy(train)[torch.randperm(len(train), generator=gen)]
            for b in range(0, len(order), 30):
                idx = order[b:b + 30]
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
                loss.backward()
                opt.step()
        model.eval()
        with torch.no_grad():
            probs = torch.softmax(model(xt), dim=1).numpy().astype(np.float32)
        name = f'epoch-{epoch:02d}'
        export(model, os.path.join(OUT, f'{name}.onnx'))
        np.save(os.path.join(OUT, f'torch-probs-{name}.npy'), probs)
        acc = float((probs.argmax(1) == y)[split == 'val'].mean())
        print(f'{name}: val accuracy {acc:.3f}')
    # A fixed batch of 1 with softmax inside: exercises batching by the model's own batch size.
    os.makedirs(os.path.join(OUT, 'fixed-batch'), exist_ok=True)
    export(model, os.path.join(OUT, 'fixed-batch', 'model.onnx'), dynamic=False, probs=True)
    # An int64 input (e.g. token ids): losslens feeds float32 and must refuse it up front.
    os.makedirs(os.path.join(OUT, 'malformed'), exist_ok=True)
    torch.onnx.export(IntInput(model), torch.zeros(1, FEATURES, dtype=torch.int64), os.path.join(OUT, 'malformed', 'int-input.onnx'),
                      input_names=['ids'], output_names=['logits'], opset_version=13, dynamic_axes={'ids': {0: 'batch'}, 'logits': {0: 'batch'}})


if __name__ == '__main__':
    main()
