package quad

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFromPointsRoundTrip(t *testing.T) {
	t.Parallel()
	src := Rect(420, 600)
	dst := [4]Point{{X: 103, Y: 51}, {X: 390, Y: 80}, {X: 420, Y: 470}, {X: 70, Y: 430}}
	h, ok := FromPoints(src, dst)
	require.True(t, ok)
	inv, ok := h.Inverse()
	require.True(t, ok)
	for i := range src {
		p := h.Apply(src[i])
		require.InDelta(t, dst[i].X, p.X, 1e-6)
		require.InDelta(t, dst[i].Y, p.Y, 1e-6)
		b := inv.Apply(p)
		require.InDelta(t, src[i].X, b.X, 1e-6)
		require.InDelta(t, src[i].Y, b.Y, 1e-6)
	}
	id := h.Mul(inv)
	for i, v := range Identity {
		require.InDelta(t, v, id[i]/id[8], 1e-9)
	}
	_, ok = FromPoints(src, [4]Point{{}, {X: 1, Y: 1}, {X: 2, Y: 2}, {X: 3, Y: 3}})
	require.False(t, ok, "collinear points")
}

func TestOrderAndShift(t *testing.T) {
	t.Parallel()
	q := [4]Point{{X: 10, Y: 100}, {X: 100, Y: 0}, {X: 0, Y: 0}, {X: 100, Y: 100}}
	o := Order(q)
	require.Equal(t, [4]Point{{X: 0, Y: 0}, {X: 100, Y: 0}, {X: 100, Y: 100}, {X: 10, Y: 100}}, o)
	require.Equal(t, [4]Point{o[2], o[3], o[0], o[1]}, Shift(o, 2))
	require.Greater(t, signedArea(o[:]), 0.0, "clockwise on screen")
}

func TestAreaIoU(t *testing.T) {
	t.Parallel()
	a := Rect(10, 10)
	b := [4]Point{{X: 5, Y: 0}, {X: 15, Y: 0}, {X: 15, Y: 10}, {X: 5, Y: 10}}
	require.InDelta(t, 100, Area(a[:]), 1e-9)
	require.InDelta(t, 50, Intersection(a, b), 1e-9)
	require.InDelta(t, 50.0/150, IoU(a, b), 1e-9)
	require.InDelta(t, 1, IoU(a, a), 1e-9)
	far := [4]Point{{X: 50, Y: 50}, {X: 60, Y: 50}, {X: 60, Y: 60}, {X: 50, Y: 60}}
	require.Zero(t, IoU(a, far))
	e, k := CornerError(Shift(a, 1), a)
	require.Zero(t, e)
	require.Equal(t, 3, k)
}

func TestHullSimplifyFourSides(t *testing.T) {
	t.Parallel()
	// A 60×90 rectangle with rounded corners (radius 6), densely sampled,
	// plus interior points.
	var pts []Point
	r := 6.0
	for _, c := range [4][3]float64{{54, 6, -90}, {54, 84, 0}, {6, 84, 90}, {6, 6, 180}} {
		for a := 0.0; a <= 90; a += 5 {
			th := (c[2] + a) * math.Pi / 180
			pts = append(pts, Point{X: c[0] + r*math.Cos(th), Y: c[1] + r*math.Sin(th)})
		}
	}
	pts = append(pts, Point{X: 30, Y: 45}, Point{X: 20, Y: 20})
	h := Hull(pts)
	require.Greater(t, signedArea(h), 0.0)
	s := Simplify(h, 0.004*Perimeter(h))
	require.Greater(t, len(s), 4)
	q, ok := FourSides(s)
	require.True(t, ok)
	e, _ := CornerError(Order(q), Rect(60, 90))
	require.Less(t, e, 1.5, "sharp corners recovered: %v", q)
	require.Len(t, Simplify(h, 0.05*Perimeter(h)), 4)
}

func TestAspect(t *testing.T) {
	t.Parallel()
	// A 63×88 card seen by a camera with f = 800 px, tilted 30° about x
	// and 20° about y (so neither pair of sides stays parallel).
	f, cx, cy := 800.0, 640.0, 480.0
	a, b := 30*math.Pi/180, 20*math.Pi/180
	var q [4]Point
	for i, p := range Rect(63, 88) {
		x, y := p.X-31.5, p.Y-44
		y, z := y*math.Cos(a), y*math.Sin(a)
		x, z = x*math.Cos(b)+z*math.Sin(b), -x*math.Sin(b)+z*math.Cos(b)
		z += 300
		q[i] = Point{X: cx + f*x/z, Y: cy + f*y/z}
	}
	require.InDelta(t, 63.0/88, AspectAt(q, cx, cy, f), 1e-6)
	require.InDelta(t, 63.0/88, Aspect(q, cx, cy, 1000), 1e-3, "focal length estimated from the quad")
	require.Greater(t, math.Abs(sideRatio(q)-63.0/88), 0.03, "the plain ratio is fooled by the tilt")
	// Fronto-parallel: no perspective information, the ratio is exact.
	require.InDelta(t, 0.5, Aspect(Rect(50, 100), 25, 50, 1000), 1e-9)
}
