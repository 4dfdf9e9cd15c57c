#!/usr/bin/env python3
"""Train the card-embedding model (card-embed-v1) and export it to ONNX.

Metric learning on synthesised "phone photos" of gallery card images: every
step takes a batch of distinct training cards and renders each as a phone
photo looks after detection + rectification (residual perspective, crop
jitter, rotation, background, colour cast, uneven light, glare, sleeve haze,
blur, noise, JPEG; 10% of the views stay clean, i.e. the catalogue's own
rendering). A small ResNet is trained with a CosFace loss, each training card
a class with a learned proxy, so that all views of a card - clean or
photographed - land on the same point of the unit sphere. (--pair-weight adds
an in-batch InfoNCE term between each augmented view and its clean image.)

A held-out split of cards (never seen in training) is used for validation:
fixed-seed augmented queries of those cards are searched against the clean
images of ALL cards in the directory (held-out + training cards as
distractors), and top-1/top-5 retrieval accuracy is reported next to a
training-free baseline (colour histogram + downsampled grey descriptor)
computed on the very same queries and gallery.

Runs on CPU (2 threads): roughly 8-10 minutes on an idle 2-core machine, at most
--time-budget (21) minutes of training on a busy one. See models/README.md.

    python3 models/train.py                       # defaults, seed 1
    python3 models/train.py --data DIR --steps 300 --out /tmp/x   # quick try
"""
import argparse
import datetime
import io
import json
import math
import os
import random
import sys
import time

# oneDNN's AVX-512 convolution kernels compute wrong results on the AMD EPYC
# hosts of this project (a 3x3 stride-2 conv off by up to 1.3 against a
# float64 reference; measured with Debian's PyTorch 2.6). Capping oneDNN at
# AVX2 makes them exact to 1e-6. It must be set before torch loads oneDNN;
# check_convolution() verifies it at start-up either way.
os.environ.setdefault("ONEDNN_MAX_CPU_ISA", "AVX2")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image


def check_convolution():
    """Fail loudly, or fall back to PyTorch's own kernels, when the CPU
    convolution is wrong: compare a small conv with a float64 reference."""
    g = torch.Generator().manual_seed(0)
    x = torch.rand(2, 24, 34, 24, generator=g)
    w = torch.randn(32, 24, 3, 3, generator=g) * 0.1
    want = F.conv2d(x.double(), w.double(), stride=2, padding=1)
    err = (F.conv2d(x, w, stride=2, padding=1).double() - want).abs().max().item()
    if err > 1e-4:
        torch.backends.mkldnn.enabled = False
        err2 = (F.conv2d(x, w, stride=2, padding=1).double() - want).abs().max().item()
        print(f"train.py: oneDNN convolution is wrong on this CPU (max abs error {err:.2e}); "
              f"using PyTorch's own kernels (error {err2:.2e})", file=sys.stderr, flush=True)
        if err2 > 1e-4:
            sys.exit(f"train.py: CPU convolution is wrong even without oneDNN (max abs error {err2:.2e})")


check_convolution()

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------------------
# data


def list_images(d):
    exts = (".jpg", ".jpeg", ".png", ".webp")
    return sorted(f for f in os.listdir(d) if f.lower().endswith(exts))


def load_canvas(path, cw, ch):
    """Decode an image and resample it to the canonical canvas (uint8 CHW)."""
    im = Image.open(path).convert("RGB").resize((cw, ch), Image.BICUBIC)
    return torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1)


def load_canvases(paths, cw, ch, threads):
    """load_canvas of every path, stacked; Pillow releases the GIL while it
    decodes and resizes, so threads load in parallel."""
    if threads <= 1:
        return torch.stack([load_canvas(p, cw, ch) for p in paths])
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(threads) as ex:
        return torch.stack(list(ex.map(lambda p: load_canvas(p, cw, ch), paths, chunksize=64)))


def to_model_res(x, h, w):
    """Antialiased (triangle filter) resize; the Go embedder does the same."""
    return F.interpolate(x, size=(h, w), mode="bilinear", antialias=True, align_corners=False)


def normalise(x):
    m = torch.tensor(MEAN).view(1, 3, 1, 1)
    s = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - m) / s


# ---------------------------------------------------------------------------
# synthetic phone-photo augmentation (batched, torch)


def _homographies(src, dst):
    """Batched 3x3 H with H @ dst_i ~ src_i for 4 point pairs (B,4,2)."""
    B = src.shape[0]
    A = torch.zeros(B, 8, 8)
    b = torch.zeros(B, 8)
    for i in range(4):
        x, y = dst[:, i, 0], dst[:, i, 1]
        u, v = src[:, i, 0], src[:, i, 1]
        A[:, 2 * i, 0], A[:, 2 * i, 1], A[:, 2 * i, 2] = x, y, 1
        A[:, 2 * i, 6], A[:, 2 * i, 7] = -u * x, -u * y
        A[:, 2 * i + 1, 3], A[:, 2 * i + 1, 4], A[:, 2 * i + 1, 5] = x, y, 1
        A[:, 2 * i + 1, 6], A[:, 2 * i + 1, 7] = -v * x, -v * y
        b[:, 2 * i], b[:, 2 * i + 1] = u, v
    h = torch.linalg.solve(A, b)
    return torch.cat([h, torch.ones(B, 1)], 1).view(B, 3, 3)


def _u(g, n, lo, hi):
    return lo + (hi - lo) * torch.rand(n, generator=g)


def _gauss_kernels(sig_a, sig_b, theta, k):
    """Per-sample anisotropic Gaussian kernels (B,1,k,k): defocus and motion blur."""
    r = torch.arange(k, dtype=torch.float32) - (k - 1) / 2
    yy, xx = torch.meshgrid(r, r, indexing="ij")
    c, s = torch.cos(theta).view(-1, 1, 1), torch.sin(theta).view(-1, 1, 1)
    xr = c * xx + s * yy
    yr = -s * xx + c * yy
    w = torch.exp(-0.5 * ((xr / sig_a.view(-1, 1, 1)) ** 2 + (yr / sig_b.view(-1, 1, 1)) ** 2))
    w = w / w.sum((1, 2), keepdim=True)
    return w.unsqueeze(1)


def augment(canvas_u8, g, out_hw, strength=1.0, jpeg=True, donors=None, box=None, swap_p=0.5, extra=False):
    """Render phone-photo-like views of clean cards.

    canvas_u8: (B,3,CH,CW) uint8 clean cards on the canonical canvas (1.5x the
    model input). The geometry is resampled at canvas resolution and
    antialiased down to out_hw=(H,W), the model input; the photometric part
    (light, glare, blur, noise, JPEG) runs at model resolution (cheaper).
    donors, box, swap_p: with probability swap_p, the text box region
    box=(y0,y1,x0,x1) (fractions of the card) is replaced by that region of
    the donor card (B,3,CH,CW): the gallery images carry a stat overlay where a
    physical card prints rules text, so the embedding must not depend on it.
    extra (--aug v3) adds what phone photos of real cards show and the
    plain recipe lacks: sleeves (a tinted plastic margin around the card, a
    glossy reflection band, haze, slight blur), glare that clips to white,
    fingers over an edge, low resolution (down- and up-sampling) and JPEG
    down to quality 15. It draws from g after the plain recipe's draws.
    Returns float (B,3,H,W) in [0,1].
    """
    B, _, CH, CW = canvas_u8.shape
    H, W = out_hw
    x = canvas_u8.float() / 255.0
    S = strength
    if donors is not None and box is not None:
        y0, y1, x0, x1 = int(box[0] * CH), int(box[1] * CH), int(box[2] * CW), int(box[3] * CW)
        sel = (torch.rand(B, generator=g) < swap_p).nonzero().flatten()
        x[sel, :, y0:y1, x0:x1] = donors[sel, :, y0:y1, x0:x1].float() / 255.0

    # 1. geometry: what is left after detection + rectification — a corner
    # localisation error (residual perspective), crop jitter / scale,
    # translation and up to +-8 deg rotation. One homography per sample maps the
    # output grid (normalised coords) into the source card.
    base = torch.tensor([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]).expand(B, 4, 2)
    ang = _u(g, B, -8, 8) * S * math.pi / 180
    scale = 1 + _u(g, B, -0.10, 0.07) * S  # >1 shows background, <1 crops in
    aspect = 1 + _u(g, B, -0.04, 0.04) * S
    tx, ty = _u(g, B, -0.05, 0.05) * S, _u(g, B, -0.05, 0.05) * S
    corner = (torch.rand(B, 4, 2, generator=g) * 2 - 1) * 0.08 * S  # up to +-4% of a side
    p = base + corner
    px = p[..., 0] * CW * scale.view(-1, 1) * aspect.view(-1, 1)
    py = p[..., 1] * CH * scale.view(-1, 1)
    c, s = torch.cos(ang).view(-1, 1), torch.sin(ang).view(-1, 1)
    qx = (c * px - s * py) / CW + tx.view(-1, 1)
    qy = (s * px + c * py) / CH + ty.view(-1, 1)
    src = torch.stack([qx, qy], -1)
    Hm = _homographies(src, base)
    ys, xs = torch.meshgrid(
        (torch.arange(CH) + 0.5) / CH * 2 - 1, (torch.arange(CW) + 0.5) / CW * 2 - 1, indexing="ij"
    )
    pts = torch.stack([xs, ys, torch.ones_like(xs)], -1).view(1, -1, 3)
    m = pts @ Hm.transpose(1, 2)
    grid = (m[..., :2] / m[..., 2:3]).view(B, CH, CW, 2)
    rgba = torch.cat([x, torch.ones(B, 1, CH, CW)], 1)
    warped = F.grid_sample(rgba, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    warped = to_model_res(warped, H, W)
    alpha = warped[:, 3:4]
    # background: a table / playmat / binder colour with low-frequency texture
    bg = torch.rand(B, 3, 1, 1, generator=g) * torch.rand(B, 1, 1, 1, generator=g)
    tex = F.interpolate(torch.rand(B, 1, 6, 5, generator=g), size=(H, W), mode="bilinear", align_corners=False)
    bg = (bg * (0.6 + 0.8 * tex)).clamp(0, 1)
    if extra:
        # a sleeve's margin: tinted plastic where the crop runs past the card
        sleeve = torch.rand(B, generator=g) < 0.35 * S
        scol = torch.rand(B, 3, 1, 1, generator=g) ** 0.7
        bg = torch.where(sleeve.view(-1, 1, 1, 1), 0.25 * bg + 0.75 * scol, bg)
    x = warped[:, :3] + (1 - alpha) * bg

    # 2. sleeve haze (a veil of scattered light)
    haze = ((torch.rand(B, generator=g) < 0.3 * S).float() * _u(g, B, 0.0, 0.18)).view(-1, 1, 1, 1)
    hc = _u(g, B, 0.7, 1.0).view(-1, 1, 1, 1)
    x = x * (1 - haze) + haze * hc

    # 3. colour: exposure x white balance, contrast, saturation, gamma;
    # 4. uneven light: a smooth multiplicative illumination field
    bright = 1 + _u(g, B, -0.35, 0.35) * S
    wb = 1 + (torch.rand(B, 3, generator=g) * 2 - 1) * 0.12 * S
    amp = _u(g, B, 0.0, 0.35) * S
    field = 1 + (torch.rand(B, 1, 3, 3, generator=g) * 2 - 1) * amp.view(-1, 1, 1, 1)
    field = F.interpolate(field, size=(H, W), mode="bicubic", align_corners=True)
    x = x * (bright.view(-1, 1, 1, 1) * wb.view(B, 3, 1, 1)) * field
    lum = 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
    con = (1 + _u(g, B, -0.3, 0.25) * S).view(-1, 1, 1, 1)
    sat = (1 + _u(g, B, -0.4, 0.3) * S).view(-1, 1, 1, 1)
    mu = lum.mean((2, 3), keepdim=True)
    # contrast around the mean, then saturation around the (new) luminance
    x = ((lum - mu) * con + mu) + (x - lum) * con * sat
    gamma = torch.exp(_u(g, B, -0.3, 0.3) * S).view(-1, 1, 1, 1)
    x = x.clamp(1e-4, 1) ** gamma

    # 5. glare / specular blobs and streaks (screen-blended towards white)
    nb = 3
    on = torch.rand(B, nb, generator=g) < torch.tensor([0.45, 0.25, 0.1]) * S
    cx = torch.rand(B, nb, generator=g) * W
    cy = torch.rand(B, nb, generator=g) * H
    sa = (0.02 + torch.rand(B, nb, generator=g) * 0.22) * W
    sb = sa * (0.15 + 0.85 * torch.rand(B, nb, generator=g))
    th = torch.rand(B, nb, generator=g) * math.pi
    inten = 0.35 + 0.65 * torch.rand(B, nb, generator=g)
    bi, bj = on.nonzero(as_tuple=True)
    if len(bi) > 0:
        yy = torch.arange(H, dtype=torch.float32).view(1, H, 1)
        xx = torch.arange(W, dtype=torch.float32).view(1, 1, W)
        dx = xx - cx[bi, bj].view(-1, 1, 1)
        dy = yy - cy[bi, bj].view(-1, 1, 1)
        ct, st = torch.cos(th[bi, bj]).view(-1, 1, 1), torch.sin(th[bi, bj]).view(-1, 1, 1)
        u = (ct * dx + st * dy) / sa[bi, bj].view(-1, 1, 1)
        v = (-st * dx + ct * dy) / sb[bi, bj].view(-1, 1, 1)
        blob = inten[bi, bj].view(-1, 1, 1) * torch.exp(-0.35 * (u * u + v * v))
        # several blobs per image combine as a product of (1 - blob)
        keep = torch.zeros(B, H, W).index_add_(0, bi, torch.log1p(-blob.clamp(max=0.999))).exp()
        x = 1 - (1 - x) * keep.unsqueeze(1)

    if extra:
        yy = torch.arange(H, dtype=torch.float32).view(1, H, 1) / H
        xx = torch.arange(W, dtype=torch.float32).view(1, 1, W) / W
        # glare that clips: a small saturated specular core (phone flash,
        # lamp on a glossy sleeve)
        hot = (torch.rand(B, generator=g) < 0.3 * S).float().view(-1, 1, 1)
        hx, hy = torch.rand(B, 1, 1, generator=g), torch.rand(B, 1, 1, generator=g)
        hr = 0.03 + 0.12 * torch.rand(B, 1, 1, generator=g)
        core = (1.6 * torch.exp(-((xx - hx) ** 2 * (W / H) ** 2 + (yy - hy) ** 2) / (2 * hr * hr))).clamp(max=1) * hot
        x = 1 - (1 - x) * (1 - core.unsqueeze(1))
        # the sleeve's glossy reflection: a soft bright band across the card, and haze
        band_on = sleeve.float().view(-1, 1, 1) * (torch.rand(B, 1, 1, generator=g) < 0.8).float()
        ang = torch.rand(B, 1, 1, generator=g) * math.pi
        off = torch.rand(B, 1, 1, generator=g) - 0.5
        wid = 0.04 + 0.15 * torch.rand(B, 1, 1, generator=g)
        d = (xx - 0.5) * torch.cos(ang) * (W / H) + (yy - 0.5) * torch.sin(ang) - off * 0.8
        band = band_on * (0.15 + 0.45 * torch.rand(B, 1, 1, generator=g)) * torch.exp(-0.5 * (d / wid) ** 2)
        x = 1 - (1 - x) * (1 - band.unsqueeze(1))
        sh = sleeve.float().view(-1, 1, 1, 1) * _u(g, B, 0.02, 0.12).view(-1, 1, 1, 1)
        x = x * (1 - sh) + sh * 0.9
        # fingers over an edge: a skin-toned rounded blob entering from a side
        fing = (torch.rand(B, generator=g) < 0.2 * S).float().view(-1, 1, 1)
        side = torch.randint(4, (B,), generator=g)
        along = 0.15 + 0.7 * torch.rand(B, 1, 1, generator=g)
        depth = 0.06 + 0.12 * torch.rand(B, 1, 1, generator=g)
        fw = 0.06 + 0.06 * torch.rand(B, 1, 1, generator=g)
        u = torch.where((side % 2 == 0).view(-1, 1, 1), xx.expand(B, H, W), yy.expand(B, H, W))
        v = torch.where((side % 2 == 0).view(-1, 1, 1), yy.expand(B, H, W), xx.expand(B, H, W))
        v = torch.where((side >= 2).view(-1, 1, 1), 1 - v, v)
        fm = ((((u - along) / fw) ** 2 + (v / depth) ** 2) < 1).float() * fing
        skin = torch.tensor([0.85, 0.62, 0.5]).view(1, 3, 1, 1) * _u(g, B, 0.5, 1.1).view(-1, 1, 1, 1)
        x = x * (1 - fm.unsqueeze(1)) + skin.clamp(0, 1) * fm.unsqueeze(1)
        # low resolution: a small or distant card, upsampled by the rectifier
        lowres = (torch.rand(B, generator=g) < 0.3 * S).nonzero().flatten().tolist()
        fac = _u(g, B, 0.3, 0.75).tolist()
        if lowres:
            x = x.clone()
            for i in lowres:
                h2, w2 = max(8, int(H * fac[i])), max(6, int(W * fac[i]))
                small = F.interpolate(x[i : i + 1], size=(h2, w2), mode="bilinear", antialias=True, align_corners=False)
                x[i] = F.interpolate(small, size=(H, W), mode="bilinear", align_corners=False)[0]

    # 6. blur: defocus (isotropic) or motion / shake (elongated); sigmas in
    # model-input pixels
    k = 5
    doblur = torch.rand(B, generator=g) < 0.6 * S
    if extra:
        doblur = doblur | sleeve
    idx = doblur.nonzero().flatten()
    if len(idx) > 0:
        n = len(idx)
        s1 = 0.2 + torch.rand(n, generator=g) ** 1.5 * 0.8 * S
        motion = torch.rand(n, generator=g) < 0.3
        s2 = torch.where(motion, 0.2 + 0.15 * torch.rand(n, generator=g), s1)
        s1 = torch.where(motion, 0.3 + torch.rand(n, generator=g) * 1.0 * S, s1)
        ker = _gauss_kernels(s1, s2, torch.rand(n, generator=g) * math.pi, k)
        xb = x[idx].reshape(1, n * 3, H, W)
        wk = ker.repeat_interleave(3, 0)
        xb = F.conv2d(F.pad(xb, (k // 2,) * 4, mode="replicate"), wk, groups=n * 3)
        x = x.clone()
        x[idx] = xb.view(n, 3, H, W)

    # 7. sensor noise (luma + a little chroma)
    ns = (_u(g, B, 0.0, 0.03) * S).view(-1, 1, 1, 1)
    x = x + ns * (torch.randn(B, 1, H, W, generator=g) + 0.4 * torch.randn(B, 3, H, W, generator=g))
    x = x.clamp(0, 1)

    # 8. JPEG artefacts (at model resolution, so milder qualities)
    if jpeg:
        q = ((15 if extra else 35) + torch.rand(B, generator=g) * (80 if extra else 60)).int().tolist()
        doj = (torch.rand(B, generator=g) < 0.6 * S).tolist()
        if any(doj):
            u8 = (x * 255 + 0.5).clamp(0, 255).byte().permute(0, 2, 3, 1).numpy()
            x = x.clone()
            for i in range(B):
                if doj[i]:
                    buf = io.BytesIO()
                    Image.fromarray(u8[i]).save(buf, format="JPEG", quality=q[i])
                    buf.seek(0)
                    x[i] = torch.from_numpy(np.asarray(Image.open(buf).convert("RGB")).copy()).permute(2, 0, 1).float() / 255.0
    return x


# ---------------------------------------------------------------------------
# model


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.sc = None
        if stride != 1 or cin != cout:
            self.sc = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)), inplace=True)
        y = self.b2(self.c2(y))
        return F.relu(y + (x if self.sc is None else self.sc(x)), inplace=True)


class CardEmbedNet(nn.Module):
    """A small ResNet: two strided stem convs, four stages of basic blocks,
    GeM pooling, a linear projection, batch norm and L2 normalisation."""

    def __init__(self, dim=128, widths=(32, 64, 128, 256), depths=(1, 1, 1, 1)):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(inplace=True),
            nn.Conv2d(24, widths[0], 3, 2, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True),
        )
        layers, cin = [], widths[0]
        for i, (w, d) in enumerate(zip(widths, depths)):
            for j in range(d):
                layers.append(BasicBlock(cin, w, 2 if (j == 0 and i > 0) else 1))
                cin = w
        self.body = nn.Sequential(*layers)
        self.gem_p = 3.0
        self.proj = nn.Linear(cin, dim)
        self.neck = nn.BatchNorm1d(dim)  # centres the embedding (avoids an early collapse)

    def forward(self, x):
        x = self.body(self.stem(x))
        x = x.clamp(min=1e-6).pow(self.gem_p).mean((2, 3)).pow(1.0 / self.gem_p)
        return F.normalize(self.neck(self.proj(x)), dim=1)


# ---------------------------------------------------------------------------
# training-free baseline: HSV-ish colour histogram + downsampled grey layout


def baseline_descriptor(x):
    """x: (B,3,h,w) float [0,1] at model resolution -> L2-normalised descriptors."""
    B = x.shape[0]
    r, g_, b = x[:, 0], x[:, 1], x[:, 2]
    mx, _ = x.max(1)
    mn, _ = x.min(1)
    d = mx - mn + 1e-6
    h = torch.where(mx == r, ((g_ - b) / d) % 6, torch.where(mx == g_, (b - r) / d + 2, (r - g_) / d + 4)) / 6
    sat = d / (mx + 1e-6)
    hb = (h * 8).long().clamp(0, 7)
    sb = (sat * 4).long().clamp(0, 3)
    vb = (mx * 4).long().clamp(0, 3)
    bins = (hb * 16 + sb * 4 + vb).view(B, -1)
    hist = torch.zeros(B, 128).scatter_add_(1, bins, torch.ones_like(bins, dtype=torch.float32))
    hist = F.normalize(hist.sqrt(), dim=1)  # Hellinger
    grey = (0.299 * r + 0.587 * g_ + 0.114 * b).unsqueeze(1)
    small = F.interpolate(grey, size=(23, 16), mode="area").view(B, -1)
    small = F.normalize(small - small.mean(1, keepdim=True), dim=1)
    return F.normalize(torch.cat([hist, small], 1), dim=1)


# ---------------------------------------------------------------------------


def retrieval(q, gal, labels, ks=(1, 5)):
    sims = q @ gal.T
    top = sims.topk(max(ks), dim=1).indices
    hit = top == labels.view(-1, 1)
    return {f"top{k}": hit[:, :k].any(1).float().mean().item() for k in ks}


@torch.no_grad()
def embed(model, x01, bs=256):
    model.eval()
    out = [model(normalise(x01[i : i + bs])) for i in range(0, len(x01), bs)]
    return torch.cat(out)


# ---------------------------------------------------------------------------
# fine-tuning on confirmed scans (feedback retraining)


def weights_from_onnx(model, path):
    """Recover CardEmbedNet weights from an exported .onnx (when the .pt is
    missing: it is git-ignored). The exporter folds every BatchNorm2d into the
    conv before it; a folded conv (W', b') is the same function as conv W'
    followed by a BatchNorm with mean 0, var 1-eps, gamma 1, beta b', so the
    recovered network is exact (checked against ONNX's reference evaluator)."""
    import onnx
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator

    om = onnx.load(path)
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in om.graph.initializer}
    convs = [n for n in om.graph.node if n.op_type == "Conv"]
    pairs = [(model.stem[0], model.stem[1]), (model.stem[3], model.stem[4])]
    for blk in model.body:
        pairs += [(blk.c1, blk.b1), (blk.c2, blk.b2)]
        if blk.sc is not None:
            pairs.append((blk.sc[0], blk.sc[1]))
    gemm = [n for n in om.graph.node if n.op_type == "Gemm"]
    bn1 = [n for n in om.graph.node if n.op_type == "BatchNormalization"]
    if len(convs) != len(pairs) or len(gemm) != 1 or len(bn1) != 1:
        sys.exit(f"{path}: not a CardEmbedNet export ({len(convs)} convs, want {len(pairs)}); train from scratch or pass the .pt")
    with torch.no_grad():
        for node, (conv, bn) in zip(convs, pairs):
            w = init[node.input[1]]
            if tuple(w.shape) != tuple(conv.weight.shape):
                sys.exit(f"{path}: conv {node.name} has shape {tuple(w.shape)}, want {tuple(conv.weight.shape)}")
            conv.weight.copy_(w)
            b = init[node.input[2]] if len(node.input) > 2 else torch.zeros(w.shape[0])
            bn.weight.fill_(1.0)
            bn.bias.copy_(b)
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        g = gemm[0]
        tb = next((a.i for a in g.attribute if a.name == "transB"), 0)
        w = init[g.input[1]]
        model.proj.weight.copy_(w if tb else w.T)
        model.proj.bias.copy_(init[g.input[2]])
        n = bn1[0]
        model.neck.weight.copy_(init[n.input[1]])
        model.neck.bias.copy_(init[n.input[2]])
        model.neck.running_mean.copy_(init[n.input[3]])
        model.neck.running_var.copy_(init[n.input[4]])
    model.eval()
    x = torch.rand(2, 3, 136, 96)
    ref = ReferenceEvaluator(om).run(None, {"input": x.numpy()})[0]
    with torch.no_grad():
        err = float(np.abs(model(x).numpy() - ref).max())
    if err > 1e-4:
        sys.exit(f"{path}: weights recovered from ONNX do not reproduce it (max abs diff {err:.2e}); pass the .pt")
    return err


def load_init(path, dim):
    """The model to fine-tune: path is a .pt (train.py's weights) or an .onnx
    whose sibling .pt is used when present, else its weights are recovered
    from the ONNX graph itself."""
    model = CardEmbedNet(dim=dim)
    stem, ext = os.path.splitext(path)
    pt = path if ext == ".pt" else stem + ".pt"
    if os.path.exists(pt):
        model.load_state_dict(torch.load(pt, map_location="cpu", weights_only=False)["state_dict"])
        log(f"initial weights: {pt}")
        return model, pt
    if ext != ".onnx" or not os.path.exists(path):
        sys.exit(f"--init {path}: neither {pt} nor an .onnx to recover weights from")
    err = weights_from_onnx(model, path)
    log(f"initial weights: {pt} not found (the .pt is git-ignored), recovered from {path} (max abs diff to ONNX {err:.1e})")
    return model, path


def read_manifest(path):
    """JSONL rows, or CSV with a header."""
    rows = []
    with open(path) as f:
        if path.endswith(".csv"):
            import csv
            rows = list(csv.DictReader(f))
        else:
            for i, line in enumerate(f, 1):
                line = line.strip()
                if line:
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        sys.exit(f"{path}:{i}: {e}")
    return rows


def load_gallery(data):
    """(paths, labels) of the gallery: a directory (label = file stem) or a
    JSONL/CSV manifest of {path, label}."""
    if os.path.isdir(data):
        names = list_images(data)
        return [os.path.join(data, n) for n in names], [os.path.splitext(n)[0] for n in names]
    rows = read_manifest(data)
    return [r["path"] for r in rows], [str(r["label"]) for r in rows]


def load_photo(path, H, W):
    """A confirmed (rectified) photo at model resolution, resized exactly as
    the Go embedder does: antialiased bilinear from full resolution."""
    im = Image.open(path).convert("RGB")
    t = torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1).unsqueeze(0).float() / 255.0
    return to_model_res(t, H, W)[0]


def schedule_progress(step, steps, t0, budget_min):
    """Where the learning-rate schedule is, 0..1: the share of steps done, or
    of the time budget (minutes, 0 = none) used if that is further along."""
    progress = step / steps
    if budget_min > 0:
        progress = max(progress, (time.time() - t0) / 60 / budget_min)
    return progress


def split_cards(labels, args):
    """The held-out split, by card: indices (val, train) into labels, each
    sorted. The seeded random val_frac share of all cards (card-embed-v1/v2's
    split; randperm over the sorted labels), or, with --heldout-from, the
    labels that model card(s) held out ("heldout_labels"); then, with
    --heldout-real-frac, more real images (labels starting with
    --real-prefix, seeded) until that share of them is held out."""
    n = len(labels)
    if args.heldout_from:
        want = set()
        for path in args.heldout_from.split(","):
            with open(path) as fh:
                card = json.load(fh)
            if "heldout_labels" not in card:
                sys.exit(f"--heldout-from {path}: no heldout_labels in it")
            want.update(card["heldout_labels"])
        val = [i for i, l in enumerate(labels) if l in want]
        log(f"split: {len(val)} of {len(want)} held-out labels of {args.heldout_from} are in the data")
    else:
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(args.seed))
        val = perm[: max(1, int(round(n * args.val_frac)))].tolist()
    val = set(val)
    if args.heldout_real_frac > 0:
        real = [i for i, l in enumerate(labels) if l.startswith(args.real_prefix)]
        need = int(round(len(real) * args.heldout_real_frac)) - sum(1 for i in real if i in val)
        rest = [i for i in real if i not in val]
        perm = torch.randperm(len(rest), generator=torch.Generator().manual_seed(20_000 + args.seed)).tolist()
        val.update(rest[j] for j in perm[: max(0, need)])
        log(f"split: {sum(1 for i in real if i in val)} of {len(real)} real ({args.real_prefix}*) images held out")
    val_idx = torch.tensor(sorted(val), dtype=torch.long)
    train_idx = torch.tensor(sorted(set(range(n)) - val), dtype=torch.long)
    return val_idx, train_idx


def write_split(args):
    """--write-split JSON: record the split this command line gives (over
    --data) as "heldout_labels" in an existing model card, and stop."""
    names = list_images(args.data)
    labels = [os.path.splitext(nm)[0] for nm in names]
    val_idx, train_idx = split_cards(labels, args)
    with open(args.write_split) as fh:
        card = json.load(fh)
    want = card.get("training", {}).get("heldout_cards")
    if want is not None and want != len(val_idx):
        sys.exit(f"--write-split: {len(val_idx)} held-out cards over {args.data}, but {args.write_split} says {want}: not the data it was trained on")
    card["heldout_labels"] = sorted(labels[i] for i in val_idx.tolist())
    with open(args.write_split, "w") as fh:
        json.dump(card, fh, indent=2)
        fh.write("\n")
    log(f"wrote {len(val_idx)} heldout_labels ({len(train_idx)} training cards) into {args.write_split}")


def finetune(args):
    """Fine-tune --init on confirmed (photo, gallery image) pairs mixed with
    synthetic views of the whole gallery; evaluate the initial and the new
    model on the held-out cards' photos; write .onnx/.json/.pt at --out."""
    t_start = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    H, W = args.height, args.width
    CH, CW = H * 3 // 2, W * 3 // 2

    gpaths, glabels = load_gallery(args.data)
    pairs = read_manifest(args.pairs)
    for r in pairs:  # a pair's gallery image is part of the gallery
        lab = str(r["label"])
        if lab not in glabels:
            gpaths.append(r["gallery"])
            glabels.append(lab)
    index = {l: i for i, l in enumerate(glabels)}
    if len(pairs) < 2:
        sys.exit(f"{args.pairs}: need at least 2 confirmed pairs, have {len(pairs)}")
    log(f"gallery: {len(gpaths)} images; {len(pairs)} confirmed pairs from {args.pairs}")
    canvas = torch.stack([load_canvas(p, CW, CH) for p in gpaths])
    clean01 = to_model_res(canvas.float() / 255.0, H, W)
    ph_lab = torch.tensor([index[str(r["label"])] for r in pairs])
    ph_eval = torch.stack([load_photo(r["photo"], H, W) for r in pairs])
    ph_canvas = torch.stack([load_canvas(r["photo"], CW, CH) for r in pairs])

    # held-out split of the confirmed pairs, by card (seeded)
    cards = sorted(set(ph_lab.tolist()))
    perm = torch.randperm(len(cards), generator=torch.Generator().manual_seed(args.seed)).tolist()
    n_val = min(len(cards) - 1, max(1, int(round(len(cards) * args.val_frac))))
    val_cards = set(cards[i] for i in perm[:n_val])
    is_val = torch.tensor([l in val_cards for l in ph_lab.tolist()])
    val_i, tr_i = is_val.nonzero().flatten(), (~is_val).nonzero().flatten()
    log(f"split: {len(tr_i)} training photos of {len(cards) - n_val} cards, {len(val_i)} held-out photos of {n_val} cards (seed {args.seed})")
    # the cards never trained on: the held-out confirmed cards and the cards
    # the base model held out stay out of the synthetic views too
    base_card = {}
    init_json = os.path.splitext(args.init)[0] + ".json"
    if os.path.exists(init_json):
        with open(init_json) as fh:
            base_card = json.load(fh)
    heldout = set(glabels[i] for i in val_cards) | (set(base_card.get("heldout_labels", [])) & set(glabels))
    pool = torch.tensor([i for i, l in enumerate(glabels) if l not in heldout], dtype=torch.long)
    if len(pool) == 0:
        pool = torch.arange(len(glabels))

    box = None if args.textbox == "none" else [float(v) for v in args.textbox.split(",")]
    # forgetting check: fixed-seed synthetic queries (training-strength photo
    # augmentation) of up to 500 gallery cards vs the whole gallery
    gval = torch.Generator().manual_seed(10_000 + args.seed)
    probe = torch.randperm(len(gpaths), generator=gval)[: min(500, len(gpaths))].sort().values
    sq_lab = probe.repeat_interleave(2)
    sq = torch.cat([augment(canvas[sq_lab[i : i + 128]], gval, (H, W)) for i in range(0, len(sq_lab), 128)])

    def evaluate(model):
        gal = embed(model, clean01)
        return {
            "heldout_pairs": retrieval(embed(model, ph_eval[val_i]), gal, ph_lab[val_i]),
            "training_pairs": retrieval(embed(model, ph_eval[tr_i]), gal, ph_lab[tr_i]) if len(tr_i) else {},
            "synthetic": retrieval(embed(model, sq), gal, sq_lab),
        }, gal

    model, init_src = load_init(args.init, args.dim)
    before, gal0 = evaluate(model)
    fmt = lambda m: f"top1 {m['top1']:.3f} top5 {m['top5']:.3f}"
    log(f"before: held-out photos {fmt(before['heldout_pairs'])} | synthetic {fmt(before['synthetic'])}")

    model = model.to(memory_format=torch.channels_last)
    proxies = nn.Parameter(gal0.clone())  # start at the current model's clean gallery embeddings
    opt = torch.optim.AdamW([{"params": model.parameters(), "lr": args.lr, "weight_decay": args.wd},
                             {"params": [proxies], "lr": args.lr, "weight_decay": 0.0}])
    base_lrs = [pg["lr"] for pg in opt.param_groups]
    g = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    history, steps_done, stopped_early = [], 0, False
    run_loss = 0.0
    for step in range(args.steps):
        progress = schedule_progress(step, args.steps, t0, args.time_budget)
        if progress >= 1:
            stopped_early = True
            log(f"time budget of {args.time_budget} min used up at step {step}/{args.steps}")
            break
        f = 0.5 * (1 + math.cos(math.pi * progress))
        for pg, base in zip(opt.param_groups, base_lrs):
            pg["lr"] = base * f
        model.train()
        # synthetic views of random gallery cards (so the model does not forget)
        sc = pool[torch.randint(len(pool), (args.batch,), generator=g)]
        donors = canvas[torch.randint(len(gpaths), (args.batch,), generator=g)] if box else None
        xs = augment(canvas[sc], g, (H, W), donors=donors, box=box)
        keep = (torch.rand(args.batch, generator=g) < args.p_clean).nonzero().flatten()
        xs[keep] = clean01[sc[keep]]
        # confirmed training photos, lightly re-augmented
        pi = tr_i[torch.randint(len(tr_i), (args.pair_batch,), generator=g)] if len(tr_i) else tr_i
        xp = augment(ph_canvas[pi], g, (H, W), strength=args.pair_strength) if len(pi) else xs[:0]
        x = torch.cat([xs, xp])
        lab = torch.cat([sc, ph_lab[pi]])
        e = model(normalise(x).contiguous(memory_format=torch.channels_last))
        cosp = e @ F.normalize(proxies, dim=1).T
        loss = F.cross_entropy(args.cos_s * (cosp - args.cos_m * F.one_hot(lab, len(gpaths))), lab)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        steps_done = step + 1
        run_loss += loss.item()
        if steps_done % args.log_every == 0 or steps_done == args.steps:
            n = args.log_every if steps_done % args.log_every == 0 else steps_done % args.log_every
            el = time.time() - t0
            done = min(1.0, max(steps_done / args.steps, el / 60 / args.time_budget if args.time_budget > 0 else 0))
            bar = "#" * int(done * 30) + "." * (30 - int(done * 30))
            log(f"[{bar}] step {steps_done}/{args.steps} loss {run_loss / n:.3f} lr {opt.param_groups[0]['lr']:.2e} elapsed {el / 60:.1f}m")
            history.append({"step": steps_done, "loss": round(run_loss / n, 4)})
            run_loss = 0.0
    train_seconds = time.time() - t0
    model.eval()
    after, _ = evaluate(model)
    log(f"after : held-out photos {fmt(after['heldout_pairs'])} | synthetic {fmt(after['synthetic'])}")

    # ---- export (same contract as the initial model)
    onnx_path = args.out + ".onnx"
    os.makedirs(os.path.dirname(os.path.abspath(onnx_path)), exist_ok=True)
    export_model = CardEmbedNet(dim=args.dim)
    export_model.load_state_dict(model.state_dict())
    export_model.eval()
    torch.save({"state_dict": export_model.state_dict(), "args": vars(args)}, args.out + ".pt")
    dummy = normalise(clean01[:2])
    torch.onnx.export(export_model, dummy, onnx_path, input_names=["input"], output_names=["embedding"],
                      dynamic_axes={"input": {0: "batch"}, "embedding": {0: "batch"}}, opset_version=17,
                      do_constant_folding=True, dynamo=False)
    import onnx
    from onnx.reference import ReferenceEvaluator
    om = onnx.load(onnx_path)
    onnx.checker.check_model(om)
    ref = ReferenceEvaluator(om).run(None, {"input": dummy.numpy()})[0]
    with torch.no_grad():
        onnx_err = float(np.abs(ref - export_model(dummy).numpy()).max())
    if onnx_err > 1e-4:
        sys.exit("ONNX export does not match the PyTorch model")
    log(f"exported {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB), onnx-vs-torch max abs diff {onnx_err:.2e}")

    r3 = lambda d: {k: {kk: round(vv, 4) for kk, vv in v.items()} for k, v in d.items()}
    card = {
        "version": args.version,
        "format": "onnx",
        "file": os.path.basename(onnx_path),
        "opset": 17,
        "input": base_card.get("input", {"name": "input", "layout": "NCHW", "dtype": "float32", "channels": "RGB", "width": W, "height": H}),
        "normalization": {"mean": MEAN, "std": STD},
        "output": {"name": "embedding", "dim": args.dim, "l2_normalized": True, "metric": "cosine"},
        "architecture": base_card.get("architecture", "CardEmbedNet"),
        "parameters": sum(p.numel() for p in export_model.parameters()),
        "finetune": {
            "base_version": base_card.get("version", ""),
            "init": os.path.abspath(init_src),
            "data": {
                "gallery": os.path.abspath(args.data), "gallery_images": len(gpaths),
                "pairs": os.path.abspath(args.pairs), "confirmed_pairs": len(pairs),
                "training_pairs": len(tr_i), "heldout_pairs": len(val_i),
                "training_cards": len(cards) - n_val, "heldout_cards": n_val,
            },
            "parameters": {
                "steps": steps_done, "planned_steps": args.steps, "time_budget_min": args.time_budget,
                "stopped_by_time_budget": stopped_early, "synthetic_views_per_step": args.batch,
                "confirmed_photos_per_step": args.pair_batch if len(tr_i) else 0, "pair_strength": args.pair_strength,
                "objective": f"CosFace (s={args.cos_s:g}, m={args.cos_m:g}), one proxy per gallery card initialised at the base model's clean embedding",
                "optimizer": f"AdamW lr {args.lr} wd {args.wd}, cosine", "val_frac": args.val_frac,
                "seed": args.seed, "threads": args.threads, "train_seconds": round(train_seconds), "torch": torch.__version__,
            },
            "command": "python3 models/train.py " + " ".join(sys.argv[1:]),
            "history": history,
        },
        "date": datetime.date.today().isoformat(),
        "metrics": {
            "protocol": f"heldout_pairs: the {len(val_i)} confirmed photos of {n_val} held-out cards (split by card, seed {args.seed}, never trained on) "
                        f"searched by cosine against the clean images of all {len(gpaths)} gallery cards; training_pairs: the photos trained on; "
                        f"synthetic: {len(sq_lab)} fixed-seed synthetic photos (training-strength augmentation) of {len(probe)} gallery cards, a forgetting check",
            "before": r3(before),
            "after": r3(after),
        },
        # the confirmed cards held out of the fine-tune (with all their photos)
        # plus the cards the base model never trained on
        "heldout_labels": sorted(heldout),
    }
    with open(args.out + ".json", "w") as fh:
        json.dump(card, fh, indent=2)
        fh.write("\n")
    log(f"wrote {args.out}.json")
    log(f"total wall time {(time.time() - t_start) / 60:.1f} min")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/work/shared/datasets/images/yugioh", help="directory of card images, one per card, label = file stem")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "card-embed-v1"), help="output path prefix (.onnx, .json are appended)")
    ap.add_argument("--version", default="card-embed-v1")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=900)
    ap.add_argument("--batch", type=int, default=128, help="cards per step (one view each)")
    ap.add_argument("--p-clean", type=float, default=0.1, help="share of training views left clean (the gallery's own rendering)")
    ap.add_argument("--pair-weight", type=float, default=0.0,
                    help="weight of an extra InfoNCE term between each augmented view and its clean image (costs a second forward pass per card; 0 = off)")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--width", type=int, default=96)
    ap.add_argument("--height", type=int, default=136)
    ap.add_argument("--temp", type=float, default=0.07, help="InfoNCE temperature")
    ap.add_argument("--cos-s", type=float, default=20.0, help="CosFace scale")
    ap.add_argument("--cos-m", type=float, default=0.1, help="CosFace margin")
    ap.add_argument("--val-frac", type=float, default=0.1)
    ap.add_argument("--heldout-from", default="", help="hold out the heldout_labels of these model card(s) (comma list) instead of a random --val-frac share")
    ap.add_argument("--heldout-real-frac", type=float, default=0.0,
                    help="then hold out more real images (labels starting with --real-prefix, seeded) until this share of them is held out")
    ap.add_argument("--real-prefix", default="ygo_", help="label prefix of the real (not rendered) images")
    ap.add_argument("--write-split", default="", help="only write the split (heldout_labels) of this command line over --data into this existing model card, then stop")
    ap.add_argument("--val-views", type=int, default=4, help="augmented queries per held-out card")
    ap.add_argument("--hard-strength", type=float, default=1.6,
                    help="a second, harder query set: every augmentation magnitude and probability scaled by this (1.6: rotation +-13 deg, corners off by up to 6%%, ...)")
    ap.add_argument("--textbox", default="0.745,0.935,0.06,0.94",
                    help="y0,y1,x0,x1 of the rules-text box as fractions of the card (Yu-Gi-Oh! layout), swapped with another card's in half of the training views; 'none' to disable")
    ap.add_argument("--aug", default="v2", choices=["v2", "v3"],
                    help="training augmentation: v2 (card-embed-v1/v2's) or v3 (+ sleeves, clipped glare, fingers, low resolution, JPEG q15+, and --train-strength)")
    ap.add_argument("--train-strength", default="1.0,1.5", help="--aug v3: the batch is split into equal parts augmented at these strengths")
    ap.add_argument("--warm-start", default="",
                    help="start from this model's weights (.onnx or .pt) instead of from scratch; its heldout_labels must cover this run's held-out cards")
    ap.add_argument("--compare", default="",
                    help="also evaluate this model (.onnx or .pt, e.g. the served one) on the same queries, on the cards both held out (its json's heldout_labels)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--load-threads", type=int, default=4, help="threads decoding the images at start-up")
    ap.add_argument("--eval-every", type=int, default=10, help="held-out retrieval every N epochs")
    ap.add_argument("--time-budget", type=float, default=21,
                    help="minutes of training: if the machine is too slow (shared CPU) to finish --steps in time, the "
                         "warmup+cosine schedule is compressed to end on time (progress = max(step/steps, elapsed/budget)); 0 = no limit")
    ap.add_argument("--log-every", type=int, default=50)
    default_refs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "recognizer", "embed", "testdata")
    ap.add_argument("--ref-images", default=default_refs if os.path.isdir(default_refs) else "",
                    help="also write PyTorch reference embeddings of these images for the Go parity test ('' = skip)")
    ap.add_argument("--ref-out", default="")
    ft = ap.add_argument_group("fine-tuning on confirmed scans (--pairs); see models/README.md, Feedback retraining")
    ft.add_argument("--pairs", default="", help="JSONL (or CSV) manifest of confirmed pairs {photo, gallery, label}: fine-tune --init "
                    "instead of training from scratch; --data is then the gallery (a directory or a JSONL/CSV of {path, label})")
    ft.add_argument("--init", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "card-embed-v1.onnx"),
                    help="weights to start from: a .pt, or an .onnx (its sibling .pt if present, else recovered from the ONNX graph)")
    ft.add_argument("--pair-batch", type=int, default=32, help="confirmed photos per step (next to --batch synthetic views)")
    ft.add_argument("--pair-strength", type=float, default=0.4, help="augmentation strength re-applied to confirmed photos")
    args = ap.parse_args()
    if args.write_split:
        return write_split(args)
    if args.pairs:
        return finetune(args)

    t_start = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    H, W = args.height, args.width
    CH, CW = H * 3 // 2, W * 3 // 2  # augmentation canvas: 1.5x the model input

    names = list_images(args.data)
    if len(names) < 10:
        sys.exit(f"need at least 10 images in {args.data}")
    log(f"loading {len(names)} images from {args.data} (canvas {CW}x{CH}, model input {W}x{H})")
    canvas = load_canvases([os.path.join(args.data, n) for n in names], CW, CH, args.load_threads)
    clean01 = to_model_res(canvas.float() / 255.0, H, W)

    labels = [os.path.splitext(nm)[0] for nm in names]
    val_idx, train_idx = split_cards(labels, args)
    log(f"split: {len(train_idx)} training cards, {len(val_idx)} held-out cards (seed {args.seed})")

    box = None if args.textbox == "none" else [float(v) for v in args.textbox.split(",")]

    # fixed validation queries: augmented views of held-out cards (and, as a
    # generalisation check, of an equal number of training cards), plus the
    # held-out queries again with every text box replaced by another
    # held-out card's (stand-in for "real rules text vs. the gallery's overlay")
    gval = torch.Generator().manual_seed(10_000 + args.seed)

    def queries(lab, swap, strength=1.0):
        out = []
        for i in range(0, len(lab), 128):
            b = lab[i : i + 128]
            donors = canvas[val_idx[torch.randint(len(val_idx), (len(b),), generator=gval)]] if swap else None
            out.append(augment(canvas[b], gval, (H, W), strength=strength, donors=donors, box=box, swap_p=1.0))
        return torch.cat(out)

    vq_lab = val_idx.repeat_interleave(args.val_views)
    vq = queries(vq_lab, False)
    vqs = queries(vq_lab, box is not None)
    tr_probe = train_idx[torch.randperm(len(train_idx), generator=gval)[: len(val_idx)]]
    tq_lab = tr_probe.repeat_interleave(args.val_views)
    tq = queries(tq_lab, False)
    vqh = queries(vq_lab, box is not None, args.hard_strength)  # hard: stronger photo + swapped text box

    def phone_queries(lab, strength):
        # v3's phone-photo effects (sleeves, clipped glare, fingers, low
        # resolution, low JPEG) on top, text box swapped; drawn after the
        # v2 protocol's queries, so those stay the same for a given split
        out = []
        for i in range(0, len(lab), 128):
            b = lab[i : i + 128]
            donors = canvas[val_idx[torch.randint(len(val_idx), (len(b),), generator=gval)]] if box is not None else None
            out.append(augment(canvas[b], gval, (H, W), strength=strength, donors=donors, box=box, swap_p=1.0, extra=True))
        return torch.cat(out)

    vqp = phone_queries(vq_lab, 1.0)
    vqph = phone_queries(vq_lab, args.hard_strength)
    qsets = {"heldout": vq, "heldout_textbox_swapped": vqs, "heldout_hard": vqh, "phone": vqp, "phone_hard": vqph}
    qreal = torch.tensor([labels[i].startswith(args.real_prefix) for i in vq_lab.tolist()])

    def eval_subsets(m, subsets):
        """top-1/top-5 of every query set on each subset (a mask over the
        held-out queries), gallery = clean images of all cards."""
        gal_m = embed(m, clean01)
        qe = {qname: embed(m, q) for qname, q in qsets.items()}
        out = {}
        for sname, mask in subsets.items():
            if int(mask.sum()) == 0:
                continue
            res = {"queries": int(mask.sum()), "cards": len(set(vq_lab[mask].tolist()))}
            for qname in qsets:
                res[qname] = {k: round(v, 4) for k, v in retrieval(qe[qname][mask], gal_m, vq_lab[mask]).items()}
            out[sname] = res
        return out

    base_gal = baseline_descriptor(clean01)
    baseline = retrieval(baseline_descriptor(vq), base_gal, vq_lab)
    baseline_heldout_only = retrieval(baseline_descriptor(vq), base_gal[val_idx], torch.searchsorted(val_idx, vq_lab))
    baseline_swap = retrieval(baseline_descriptor(vqs), base_gal, vq_lab)
    baseline_hard = retrieval(baseline_descriptor(vqh), base_gal, vq_lab)
    log(f"baseline (colour hist + grey 16x23), {len(vq)} held-out queries vs {len(names)} clean: "
        f"top1 {baseline['top1']:.3f} top5 {baseline['top5']:.3f}")

    warm = None
    if args.warm_start:
        # continue from another model's weights (its held-out cards must stay
        # held out here too, or the figures are not on unseen cards): the
        # proxies start at its clean embeddings of the training cards
        with open(os.path.splitext(args.warm_start)[0] + ".json") as fh:
            warm = json.load(fh)
        unseen = set(warm.get("heldout_labels", []))
        leaked = [labels[i] for i in val_idx.tolist() if labels[i] not in unseen]
        if not unseen or leaked:
            sys.exit(f"--warm-start {args.warm_start}: {len(leaked)} held-out cards here were not held out by it: use --heldout-from its json")
        model, _ = load_init(args.warm_start, args.dim)
        proxies = nn.Parameter(embed(model, clean01[train_idx]).clone())
        model = model.to(memory_format=torch.channels_last)
    else:
        model = CardEmbedNet(dim=args.dim).to(memory_format=torch.channels_last)
        proxies = nn.Parameter(F.normalize(torch.randn(len(train_idx), args.dim), dim=1))
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(
        [{"params": model.parameters(), "lr": args.lr, "weight_decay": args.wd},
         {"params": [proxies], "lr": args.lr * 5, "weight_decay": 0.0}]
    )
    warm_frac = 1 / 30
    base_lrs = [pg["lr"] for pg in opt.param_groups]

    def lr_factor(progress):
        if progress < warm_frac:
            return max(progress / warm_frac, 0.01)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warm_frac) / (1 - warm_frac))))
    log(f"model: CardEmbedNet {n_params / 1e6:.2f}M params, dim {args.dim}; {args.steps} steps x {args.batch} cards; lr {args.lr}")

    g = torch.Generator().manual_seed(args.seed)
    steps_per_epoch = max(1, len(train_idx) // args.batch)
    order = torch.randperm(len(train_idx), generator=g)
    pos = 0
    imgs_per_step = args.batch * (2 if args.pair_weight > 0 else 1)
    t0 = time.time()
    history = []
    run_loss = run_acc = 0.0
    stopped_early = False
    steps_done = 0
    for step in range(args.steps):
        progress = schedule_progress(step, args.steps, t0, args.time_budget)
        if progress >= 1:
            stopped_early = True
            log(f"time budget of {args.time_budget} min used up at step {step}/{args.steps} (schedule was compressed to match)")
            break
        lr_now = lr_factor(progress)
        for pg, base in zip(opt.param_groups, base_lrs):
            pg["lr"] = base * lr_now
        if pos + args.batch > len(order):
            order, pos = torch.randperm(len(train_idx), generator=g), 0
        local = order[pos : pos + args.batch]
        pos += args.batch
        cards = train_idx[local]
        model.train()
        if warm is not None:
            # a warm start keeps the convs' BatchNorms at their running
            # statistics: weights recovered from an ONNX graph carry identity
            # BatchNorms (folded into the convs) that batch statistics would
            # upset. The neck (BatchNorm1d) keeps normalising the batch: frozen,
            # the first Adam steps on the projection shift every embedding the
            # same way and collapse them (measured: all clean cards at cosine
            # > 0.95 after one step at lr 1.5e-3)
            for mod in model.modules():
                if isinstance(mod, nn.BatchNorm2d):
                    mod.eval()
        donors = canvas[train_idx[torch.randint(len(train_idx), (len(cards),), generator=g)]] if box else None
        if args.aug == "v3":
            # half the views at training strength, half harder (the hard tier)
            parts, strengths = [], [float(v) for v in args.train_strength.split(",")]
            for j, chunk in enumerate(torch.arange(len(cards)).chunk(len(strengths))):
                parts.append(augment(canvas[cards[chunk]], g, (H, W), strength=strengths[j],
                                     donors=donors[chunk] if donors is not None else None, box=box, extra=True))
            aug = torch.cat(parts)
        else:
            aug = augment(canvas[cards], g, (H, W), donors=donors, box=box)
        keep_clean = (torch.rand(len(cards), generator=g) < args.p_clean).nonzero().flatten()
        aug[keep_clean] = clean01[cards[keep_clean]]
        lab = local
        if args.pair_weight > 0:
            x = torch.cat([aug, clean01[cards]])
            lab = torch.cat([local, local])
        else:
            x = aug
        e = model(normalise(x).contiguous(memory_format=torch.channels_last))
        cosp = e @ F.normalize(proxies, dim=1).T
        acc = (cosp.argmax(1) == lab).float().mean().item()
        l_px = F.cross_entropy(args.cos_s * (cosp - args.cos_m * F.one_hot(lab, len(train_idx))), lab)
        loss = l_px
        if args.pair_weight > 0:
            ea, ec = e[: len(cards)], e[len(cards) :]
            logits = ea @ ec.T / args.temp
            tgt = torch.arange(len(cards))
            loss = loss + args.pair_weight * 0.5 * (F.cross_entropy(logits, tgt) + F.cross_entropy(logits.T, tgt))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        steps_done = step + 1
        run_loss += loss.item()
        run_acc += acc
        if (step + 1) % args.log_every == 0 or step + 1 == args.steps:
            n = args.log_every if (step + 1) % args.log_every == 0 else (step + 1) % args.log_every
            el = time.time() - t0
            done = (step + 1) / args.steps
            if args.time_budget > 0:
                done = max(done, el / 60 / args.time_budget)
            eta = el / max(done, 1e-9) * (1 - done)
            bar = "#" * int(done * 30) + "." * (30 - int(done * 30))
            log(f"[{bar}] step {step + 1}/{args.steps} epoch {(step + 1) / steps_per_epoch:5.1f} "
                f"loss {run_loss / n:.3f} train acc {run_acc / n:.3f} lr {opt.param_groups[0]['lr']:.2e} "
                f"{imgs_per_step * (step + 1) / el:.0f} img/s elapsed {el / 60:.1f}m eta {eta / 60:.1f}m")
            history.append({"step": step + 1, "loss": round(run_loss / n, 4), "train_proxy_acc": round(run_acc / n, 4)})
            run_loss = run_acc = 0.0
        if args.eval_every > 0 and (step + 1) % (steps_per_epoch * args.eval_every) == 0 and step + 1 < args.steps:
            gal = embed(model, clean01)
            m = retrieval(embed(model, vq), gal, vq_lab)
            log(f"  epoch {(step + 1) // steps_per_epoch}: held-out top1 {m['top1']:.3f} top5 {m['top5']:.3f}")
            history.append({"step": step + 1, "heldout_top1": round(m["top1"], 4), "heldout_top5": round(m["top5"], 4)})
    train_seconds = time.time() - t0

    model.eval()
    gal = embed(model, clean01)
    metrics = retrieval(embed(model, vq), gal, vq_lab)
    metrics_heldout_only = retrieval(embed(model, vq), gal[val_idx], torch.searchsorted(val_idx, vq_lab))
    metrics_train = retrieval(embed(model, tq), gal, tq_lab)
    metrics_swap = retrieval(embed(model, vqs), gal, vq_lab)
    eh = embed(model, vqh)
    metrics_hard = retrieval(eh, gal, vq_lab)
    base_train = retrieval(baseline_descriptor(tq), base_gal, tq_lab)
    # how close are the nearest *different* clean cards? (near-duplicate art)
    gs = gal @ gal.T
    gs.fill_diagonal_(-1)
    near_dupes = int((gs.max(1).values > 0.95).sum().item())
    log(f"model   : held-out top1 {metrics['top1']:.3f} top5 {metrics['top5']:.3f} | training-card queries top1 {metrics_train['top1']:.3f}")
    log(f"baseline: held-out top1 {baseline['top1']:.3f} top5 {baseline['top5']:.3f} | training-card queries top1 {base_train['top1']:.3f}")
    log(f"text box swapped held-out queries: model top1 {metrics_swap['top1']:.3f} top5 {metrics_swap['top5']:.3f}, baseline top1 {baseline_swap['top1']:.3f} top5 {baseline_swap['top5']:.3f}")
    log(f"hard held-out queries (strength {args.hard_strength} + text box swapped): model top1 {metrics_hard['top1']:.3f} top5 {metrics_hard['top5']:.3f}, baseline top1 {baseline_hard['top1']:.3f} top5 {baseline_hard['top5']:.3f}")
    log(f"clean gallery images with another card at cosine > 0.95: {near_dupes}")
    sims = eh @ gal.T
    best = sims.argmax(1)
    wrong = (best != vq_lab).nonzero().flatten().tolist()
    for i in wrong[:15]:
        log(f"  hard miss: {names[vq_lab[i]]} -> {names[best[i]]} (cos {sims[i, best[i]]:.3f}, own {sims[i, vq_lab[i]]:.3f})")
    own = sims[torch.arange(len(vq_lab)), vq_lab]
    sims[torch.arange(len(vq_lab)), vq_lab] = -2
    margin = own - sims.max(1).values
    log(f"hard queries: cosine to own clean card median {own.median():.3f}, margin to the best other card median {margin.median():.3f}, 5th percentile {margin.quantile(0.05):.3f}")

    subsets = {"all": torch.ones(len(vq_lab), dtype=torch.bool), "real": qreal, "synthetic": ~qreal}
    by_subset = eval_subsets(model, subsets) if not args.compare else None
    for sname, res in (by_subset or {}).items():
        log(f"held-out {sname} ({res['cards']} cards): " + ", ".join(f"{q} {res[q]['top1']:.3f}" for q in qsets))
    compare = None
    if args.compare:
        cmp_model, _ = load_init(args.compare, args.dim)
        cmp_model.eval()
        with open(os.path.splitext(args.compare)[0] + ".json") as fh:
            cmp_card = json.load(fh)
        both = set(cmp_card.get("heldout_labels", []))
        mask = torch.tensor([labels[i] in both for i in vq_lab.tolist()])
        cmp_subsets = {"both_heldout": mask, "both_heldout_real": mask & qreal, "both_heldout_synthetic": mask & ~qreal}
        compare = {"model": cmp_card.get("version", args.compare), "this": eval_subsets(model, cmp_subsets), "other": eval_subsets(cmp_model, cmp_subsets)}
        if bool(mask.all()):  # every held-out card here is held out by both: the same figures
            by_subset = {k.replace("both_heldout_", "").replace("both_heldout", "all"): v for k, v in compare["this"].items()}
        for sname in compare["this"]:
            a, b = compare["this"][sname], compare["other"][sname]
            log(f"{sname} ({a['cards']} cards held out by both): " + ", ".join(f"{q} {a[q]['top1']:.3f} vs {compare['model']} {b[q]['top1']:.3f}" for q in qsets))

    # ---- export
    onnx_path = args.out + ".onnx"
    os.makedirs(os.path.dirname(os.path.abspath(onnx_path)), exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "args": vars(args)}, args.out + ".pt")  # for fine-tuning; not committed
    export_model = CardEmbedNet(dim=args.dim)
    export_model.load_state_dict(model.state_dict())
    export_model.eval()
    dummy = normalise(clean01[:2])
    torch.onnx.export(
        export_model, dummy, onnx_path, input_names=["input"], output_names=["embedding"],
        dynamic_axes={"input": {0: "batch"}, "embedding": {0: "batch"}}, opset_version=17,
        do_constant_folding=True, dynamo=False,
    )
    import onnx
    from onnx.reference import ReferenceEvaluator

    om = onnx.load(onnx_path)
    onnx.checker.check_model(om)
    ref = ReferenceEvaluator(om).run(None, {"input": dummy.numpy()})[0]
    with torch.no_grad():
        want = export_model(dummy).numpy()
    onnx_err = float(np.abs(ref - want).max())
    log(f"exported {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB), onnx reference-vs-torch max abs diff {onnx_err:.2e}")
    if onnx_err > 1e-4:
        sys.exit("ONNX export does not match the PyTorch model")

    r3 = lambda d: {k: round(v, 4) for k, v in d.items()}
    card = {
        "version": args.version,
        "format": "onnx",
        "file": os.path.basename(onnx_path),
        "opset": 17,
        "input": {
            "name": "input", "layout": "NCHW", "dtype": "float32", "channels": "RGB",
            "width": W, "height": H, "range": "[0,1] before normalisation",
            "resize": "antialiased bilinear (triangle filter, = torch interpolate antialias=True) of the whole upright card (420x600) to width x height",
        },
        "normalization": {"mean": MEAN, "std": STD},
        "output": {"name": "embedding", "dim": args.dim, "l2_normalized": True, "metric": "cosine"},
        "architecture": f"CardEmbedNet: small ResNet (stem 2x conv s2, stages {list((32, 64, 128, 256))} x1 basic block, GeM p=3, linear, BatchNorm1d, L2)",
        "parameters": n_params,
        "training": {
            "data": os.path.abspath(args.data),
            "images": len(names), "train_cards": len(train_idx), "heldout_cards": len(val_idx),
            "objective": "CosFace (normalised softmax, s=%g, m=%g) with one learned proxy per training card; %d%% of views clean" % (args.cos_s, args.cos_m, round(100 * args.p_clean))
            + ("; + %g x InfoNCE(augmented<->clean, in-batch, T=%.2f)" % (args.pair_weight, args.temp) if args.pair_weight > 0 else ""),
            "textbox_swap": {"box_y0_y1_x0_x1": box, "p": 0.5} if box else None,
            "augmentation": "residual perspective (corner error <=4% of side), scale -10..+7%, shift <=5%, rotation +-8 deg, background fill, sleeve haze, exposure/white balance/contrast/saturation/gamma, smooth uneven light, glare blobs and streaks, defocus/motion blur, luma+chroma noise, JPEG q35-95 (at model resolution)"
            + ("; --aug v3: + sleeves (tinted margin, glossy reflection band, haze, slight blur), clipped specular glare, fingers over an edge, low resolution x0.3-0.75, JPEG q15-95; batch split at strengths %s" % args.train_strength if args.aug == "v3" else ""),
            "steps": steps_done, "planned_steps": args.steps, "time_budget_min": args.time_budget, "schedule_compressed_by_time_budget": stopped_early,
            "batch_cards": args.batch, "optimizer": f"AdamW lr {args.lr} (proxies x5) wd {args.wd}, warmup {warm_frac:.0%} + cosine",
            "warm_start": ({"model": warm.get("version"), "path": args.warm_start} if warm else None),
            "seed": args.seed, "threads": args.threads, "device": "cpu",
            "train_seconds": round(train_seconds), "torch": torch.__version__,
            "command": "python3 models/train.py " + " ".join(sys.argv[1:]),
            "history": history,
        },
        "date": datetime.date.today().isoformat(),
        "metrics": {
            "protocol": f"{len(vq)} augmented queries ({args.val_views} per held-out card, fixed seed) vs clean images of all {len(names)} cards; cosine nearest neighbour. "
                        f"heldout: training-strength augmentation; textbox_swapped: same plus the text box of another card; "
                        f"hard: strength {args.hard_strength} plus swapped text box; training_card_queries: same protocol on {len(tr_probe)} training cards",
            "heldout": r3(metrics),
            "heldout_gallery_heldout_only": r3(metrics_heldout_only),
            "training_card_queries": r3(metrics_train),
            "heldout_textbox_swapped": r3(metrics_swap),
            "heldout_hard": r3(metrics_hard),
            "heldout_hard_own_cosine_median": round(own.median().item(), 4),
            "heldout_hard_margin_median": round(margin.median().item(), 4),
        },
        "baseline": {
            "method": "training-free: 128-bin HSV histogram (Hellinger) + 16x23 zero-mean grey thumbnail, concatenated, cosine",
            "heldout": r3(baseline),
            "heldout_gallery_heldout_only": r3(baseline_heldout_only),
            "training_card_queries": r3(base_train),
            "heldout_textbox_swapped": r3(baseline_swap),
            "heldout_hard": r3(baseline_hard),
        },
        "near_duplicate_gallery_images": near_dupes,
        "heldout_by_subset": {
            "protocol": "the held-out queries by subset (real = labels starting with %s); query sets: the v2 protocol's heldout, textbox_swapped, hard, "
                        "plus phone / phone_hard: --aug v3's phone effects at strength 1 / %g, text box swapped" % (args.real_prefix, args.hard_strength),
            **(by_subset or {}),
        },
        "compare": compare,
        "heldout_labels": sorted(labels[i] for i in val_idx.tolist()),
    }
    with open(args.out + ".json", "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    log(f"wrote {args.out}.json")

    if args.ref_images:
        refs = {}
        for n in list_images(args.ref_images):
            im = Image.open(os.path.join(args.ref_images, n)).convert("RGB").resize((420, 600), Image.BICUBIC)
            t = torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1).unsqueeze(0).float() / 255.0
            with torch.no_grad():
                refs[n] = [round(v, 6) for v in export_model(normalise(to_model_res(t, H, W)))[0].tolist()]
        out = args.ref_out or os.path.join(args.ref_images, "reference_embeddings.json")
        with open(out, "w") as f:
            json.dump({"model_version": args.version, "note": "PyTorch embeddings of these images after a bicubic resize to 420x600", "embeddings": refs}, f, indent=1)
            f.write("\n")
        log(f"wrote {len(refs)} reference embeddings to {out}")
    log(f"total wall time {(time.time() - t_start) / 60:.1f} min")


if __name__ == "__main__":
    main()
