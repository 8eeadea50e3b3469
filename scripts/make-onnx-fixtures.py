#!/usr/bin/python3
"""ONNX models exported by PyTorch, with torch's outputs, for test/onnx/pytorch-fixtures.test.ts.

Run with Debian's packages (not the pyenv python on PATH):
  apt-get install -y python3-torch python3-torchvision python3-onnx
  /usr/bin/python3 scripts/make-onnx-fixtures.py test/fixtures/onnx          # the small, committed set
  /usr/bin/python3 scripts/make-onnx-fixtures.py --big /tmp/dir               # SqueezeNet-1.1 (5 MB, not committed)

Weights are random (seeded); the input is x[i] = sin(0.37 * i + 0.1) in row-major order, which
the tests recompute. Each model gets <name>.onnx and <name>.json ({ input, output shape, output }).
"""
import json
import math
import os
import sys

import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

torch.manual_seed(0)


class LeNet(nn.Module):
    """LeNet-5 with x.view(x.size(0), -1): the Shape/Gather/Unsqueeze/Concat/Reshape chain."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.sigmoid(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return F.softmax(self.fc3(x), dim=1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.down(x) if self.down is not None else x))


class TinyResNet(nn.Module):
    """ResNet-18's layout at widths 8..64, one block per stage."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.layers = nn.Sequential(Block(8, 8, 1), Block(8, 16, 2), Block(16, 32, 2), Block(32, 64, 2))
        self.avg = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.avg(self.layers(x))
        return self.fc(torch.flatten(x, 1))


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        self.b1 = nn.Conv2d(cin, c1, 1)
        self.b2 = nn.Sequential(nn.Conv2d(cin, c3r, 1), nn.ReLU(), nn.Conv2d(c3r, c3, 3, padding=1))
        self.b3 = nn.Sequential(nn.Conv2d(cin, c5r, 1), nn.ReLU(), nn.Conv2d(c5r, c5, 5, padding=2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), nn.Conv2d(cin, pp, 1))

    def forward(self, x):
        return F.relu(torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1))


class TinyGoogLeNet(nn.Module):
    """GoogLeNet's stem (ceil-mode pools), two inception blocks, dropout, ReLU6 and a depthwise conv."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 16, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True)
        )
        self.i3a = Inception(16, 8, 8, 12, 4, 6, 6)
        self.i3b = Inception(32, 12, 12, 16, 4, 8, 8)
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.dw = nn.Sequential(nn.Conv2d(44, 44, 3, 1, 1, groups=44), nn.BatchNorm2d(44), nn.ReLU6())
        self.avg = nn.AvgPool2d(3, 1, 1, count_include_pad=False)
        self.drop = nn.Dropout(0.4)
        self.fc = nn.Linear(44, 10)

    def forward(self, x):
        x = self.pool(self.i3b(self.i3a(self.stem(x))))
        x = self.avg(self.dw(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(self.drop(x))


class PadNet(nn.Module):
    """Explicit F.pad before a conv (an ONNX Pad node) and a padded average pool."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4 * 3 * 4, 5)

    def forward(self, x):
        x = self.conv(F.pad(x, (1, 2, 0, 1)))
        x = F.avg_pool2d(x, 2, ceil_mode=False)
        return self.fc(x.reshape(x.shape[0], -1))


def randomize_bn(model):
    """Non-trivial running statistics, so that BN folding is tested."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


def make_input(shape):
    n = math.prod(shape)
    return torch.tensor([math.sin(0.37 * i + 0.1) for i in range(n)], dtype=torch.float32).reshape(shape)


def to_float_data(path):
    """Rewrites every float initializer from raw_data to float_data (the other storage ONNX allows)."""
    m = onnx.load(path)
    for t in m.graph.initializer:
        if t.data_type == onnx.TensorProto.FLOAT and t.raw_data:
            values = onnx.numpy_helper.to_array(t).flatten().tolist()
            t.ClearField("raw_data")
            t.float_data.extend(values)
    onnx.save(m, path)


def export(model, shape, out_dir, name, opset, dynamic=True, external=False, float_data=False):
    model.eval()
    x = make_input(shape)
    with torch.no_grad():
        y = model(x)
    path = os.path.join(out_dir, name + ".onnx")
    torch.onnx.export(
        model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}} if dynamic else None,
        do_constant_folding=False,
    )
    if float_data:
        to_float_data(path)
    if external:
        m = onnx.load(path)
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location=name + ".weights", size_threshold=0)
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump({"opset": opset, "input": list(shape), "outputShape": list(y.shape), "output": [round(v, 7) for v in y.flatten().tolist()]}, f)
    print(name, "opset", opset, "->", os.path.getsize(path), "bytes")


def preprocess_fixture(out_dir):
    """A smooth 400x300 PNG and torchvision's Resize(256) / CenterCrop(224) / Normalize of it
    (every 31st value of the [3, 224, 224] result): the oracle of cn.image's pipeline."""
    import torchvision.transforms as T
    from PIL import Image

    w, h = 400, 300
    img = Image.new("RGB", (w, h))
    img.putdata([
        (int(127.5 + 120 * math.sin(x / 11)), int(127.5 + 120 * math.cos(y / 9)), (x + 2 * y) % 256 if (x + 2 * y) % 512 < 256 else 255 - (x + 2 * y) % 256)
        for y in range(h) for x in range(w)
    ])
    path = os.path.join(out_dir, "preprocess.png")
    img.save(path)
    t = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    x = t(Image.open(path).convert("RGB")).flatten().tolist()
    with open(os.path.join(out_dir, "preprocess.json"), "w") as f:
        json.dump({"stride": 31, "values": [round(v, 6) for v in x[::31]]}, f)
    print("preprocess.png ->", os.path.getsize(path), "bytes")


def main():
    args = sys.argv[1:]
    if args and args[0] == "--big":
        out = args[1]
        os.makedirs(out, exist_ok=True)
        sq = torchvision.models.squeezenet1_1(num_classes=1000)
        export(sq, (1, 3, 64, 64), out, "squeezenet1_1-op11", 11)
        return
    out = args[0] if args else "test/fixtures/onnx"
    os.makedirs(out, exist_ok=True)
    lenet = LeNet()
    export(lenet, (1, 1, 32, 32), out, "lenet-op9", 9, float_data=True)
    export(lenet, (2, 1, 32, 32), out, "lenet-op13", 13)
    resnet = TinyResNet()
    randomize_bn(resnet)
    export(resnet, (1, 3, 32, 32), out, "tiny-resnet-op11", 11)
    export(resnet, (1, 3, 32, 32), out, "tiny-resnet-op17-external", 17, external=True)
    goog = TinyGoogLeNet()
    randomize_bn(goog)
    export(goog, (1, 3, 40, 40), out, "tiny-googlenet-op9", 9, dynamic=False)
    export(goog, (1, 3, 40, 40), out, "tiny-googlenet-op13", 13)
    export(PadNet(), (1, 3, 8, 8), out, "padnet-op11", 11)
    preprocess_fixture(out)


if __name__ == "__main__":
    main()
