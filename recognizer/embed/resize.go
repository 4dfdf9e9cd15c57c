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
func (r *resampler) toCHW(img *image.RGBA, w, h int, dst []float32, scale, shift [3]float32) {
	b := img.Rect
	sw, sh := b.Dx(), b.Dy()
	tx := triangleTaps(sw, w)
	ty := triangleTaps(sh, h)

	// horizontal pass: sh rows x w columns x 3 channels, interleaved
	need := sh * w * 3
	if cap(r.tmp) < need {
		r.tmp = make([]float32, need)
	}
	tmp := r.tmp[:need]
	for y := 0; y < sh; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+sw*4]
		o := tmp[y*w*3 : (y+1)*w*3]
		for x := 0; x < w; x++ {
			ws := tx.w[tx.off[x] : tx.off[x]+tx.count[x]]
			p := row[tx.start[x]*4:]
			var cr, cg, cb float32
			for k, wt := range ws {
				q := p[k*4 : k*4+3 : k*4+3]
				cr += wt * float32(q[0])
				cg += wt * float32(q[1])
				cb += wt * float32(q[2])
			}
			o[x*3], o[x*3+1], o[x*3+2] = cr, cg, cb
		}
	}

	// vertical pass into planar, normalised output
	plane := w * h
	R, G, B := dst[:plane], dst[plane:2*plane], dst[2*plane:3*plane]
	for y := 0; y < h; y++ {
		ws := ty.w[ty.off[y] : ty.off[y]+ty.count[y]]
		y0 := ty.start[y]
		for x := 0; x < w; x++ {
			var cr, cg, cb float32
			for k, wt := range ws {
				q := tmp[((y0+k)*w+x)*3:]
				cr += wt * q[0]
				cg += wt * q[1]
				cb += wt * q[2]
			}
			i := y*w + x
			R[i] = cr*scale[0] + shift[0]
			G[i] = cg*scale[1] + shift[1]
			B[i] = cb*scale[2] + shift[2]
		}
	}
}
