package embed

import "image"

// The model was trained on images resized with PyTorch's
// F.interpolate(mode="bilinear", antialias=True, align_corners=False): a
// separable triangle filter whose support widens with the downscale factor
// (the same as Pillow's BILINEAR resample). The embedder resizes the same way
// so that training and serving see the same pixels.

// taps are one output pixel's source range and weights along one axis.
type taps struct {
	start []int
	count []int
	w     []float32 // concatenated weights, count[i] per output i
	off   []int     // offset of output i's weights in w
}

func triangleTaps(in, out int) taps {
	scale := float64(in) / float64(out)
	support, inv := 1.0, 1.0
	if scale >= 1 {
		support, inv = scale, 1/scale
	}
	t := taps{start: make([]int, out), count: make([]int, out), off: make([]int, out)}
	for i := 0; i < out; i++ {
		center := scale * (float64(i) + 0.5)
		lo := int(center - support + 0.5)
		if lo < 0 {
			lo = 0
		}
		hi := int(center + support + 0.5)
		if hi > in {
			hi = in
		}
		t.start[i], t.off[i] = lo, len(t.w)
		var sum float64
		ws := make([]float64, 0, hi-lo)
		for k := lo; k < hi; k++ {
			x := (float64(k) - center + 0.5) * inv
			if x < 0 {
				x = -x
			}
			wt := 0.0
			if x < 1 {
				wt = 1 - x
			}
			ws = append(ws, wt)
			sum += wt
		}
		for _, wt := range ws {
			if sum > 0 {
				wt /= sum
			}
			t.w = append(t.w, float32(wt))
		}
		t.count[i] = hi - lo
	}
	return t
}

type resampler struct {
	tmp []float32
}

// toCHW resizes img to w x h and writes normalised planar RGB to dst
// (3*w*h floats): dst = pixel*scale[c] + shift[c], pixel in 0..255.
// Vertical pass first (over contiguous source rows), then horizontal.
func (r *resampler) toCHW(img *image.RGBA, w, h int, dst []float32, scale, shift [3]float32) {
	b := img.Rect
	sw, sh := b.Dx(), b.Dy()
	tx := triangleTaps(sw, w)
	ty := triangleTaps(sh, h)

	if cap(r.tmp) < sw*3 {
		r.tmp = make([]float32, sw*3)
	}
	acc := r.tmp[:sw*3] // one output row at source width, RGB interleaved
	plane := w * h
	R, G, B := dst[:plane], dst[plane:2*plane], dst[2*plane:3*plane]
	for y := 0; y < h; y++ {
		clear(acc)
		ws := ty.w[ty.off[y] : ty.off[y]+ty.count[y]]
		for k, wt := range ws {
			sy := ty.start[y] + k
			row := img.Pix[sy*img.Stride : sy*img.Stride+sw*4]
			for i, j := 0, 0; i+2 < len(acc) && j+2 < len(row); i, j = i+3, j+4 {
				acc[i] += wt * float32(row[j])
				acc[i+1] += wt * float32(row[j+1])
				acc[i+2] += wt * float32(row[j+2])
			}
		}
		o := y * w
		for x := 0; x < w; x++ {
			ws := tx.w[tx.off[x] : tx.off[x]+tx.count[x]]
			p := acc[tx.start[x]*3 : (tx.start[x]+len(ws))*3]
			var cr, cg, cb float32
			for k, wt := range ws {
				q := p[k*3 : k*3+3 : k*3+3]
				cr += wt * q[0]
				cg += wt * q[1]
				cb += wt * q[2]
			}
			R[o+x] = cr*scale[0] + shift[0]
			G[o+x] = cg*scale[1] + shift[1]
			B[o+x] = cb*scale[2] + shift[2]
		}
	}
}
