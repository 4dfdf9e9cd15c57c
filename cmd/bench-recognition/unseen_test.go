package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadHeldout(t *testing.T) {
	t.Parallel()
	h, err := ReadHeldout("testdata/card-heldout.json")
	require.NoError(t, err)
	require.True(t, h.Present)
	require.Len(t, h.Labels, 3)

	g := &Gallery{Cards: []Card{
		{Real: true, Game: "yugioh", Path: "/y/10000002.jpg"},             // held out, real
		{Real: true, Game: "yugioh", Path: "/y/10000010.jpg"},             // trained
		{Game: "yugioh", Family: "syn/1000003", Number: "ABCD-EN001"},     // held out family...
		{Game: "yugioh", Family: "syn/1000003", Number: "EFGH-EN001"},     // ...every edition of it
		{Game: "yugioh", Family: "syn/1000000"},                           // trained
		{Game: "lorcana", Family: "syn/9000004", Extra: true},             // never in a train set
		{Game: "pokemon", Family: "syn/1000001", Path: "/c/whatever.jpg"}, // held out
	}}
	n := h.Assign(g)
	want := []Pool{PoolUnseenReal, PoolSeen, PoolUnseenSynthetic, PoolUnseenSynthetic, PoolSeen, PoolUnseenSynthetic, PoolUnseenSynthetic}
	for i, c := range g.Cards {
		require.Equal(t, want[i], c.Pool, "card %d", i)
	}
	require.Equal(t, [numPools]int{1, 4, 2}, n)

	// Without the field only the extra cards are unseen, and that is no error.
	h, err = ReadHeldout("testdata/card-no-heldout.json")
	require.NoError(t, err)
	require.False(t, h.Present)
	require.Equal(t, [numPools]int{0, 1, 6}, h.Assign(g))

	_, err = ReadHeldout(filepath.Join(t.TempDir(), "missing.json"))
	require.Error(t, err)
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"heldout_labels": "ygo_1"}`), 0o644))
	_, err = ReadHeldout(bad)
	require.Error(t, err)
	require.Equal(t, "models/card-embed-v2.json", modelCardPath("models/card-embed-v2.onnx"))
}

func TestExtraCardsLeaveTheCatalogueUnchanged(t *testing.T) {
	t.Parallel()
	plain := Synthesize(300, 7, nil)
	p := newPlanner(7, nil)
	gallery := p.plan(300, galleryArtBase)
	require.Equal(t, plain, gallery, "the trained catalogue is the same with extra cards after it")
	extra := p.plan(50, unseenArtBase)
	require.GreaterOrEqual(t, len(extra), 50)
	names := map[string]bool{}
	fams := map[string]bool{}
	for _, c := range gallery {
		names[c.Name] = true
		fams[c.Family] = true
	}
	for _, c := range extra {
		require.False(t, names[c.Name], "extra card %q shares a gallery name", c.Name)
		require.False(t, fams[c.Family])
		var seed int64
		_, err := fmt.Sscan(c.Path, &seed)
		require.NoError(t, err)
		require.GreaterOrEqual(t, seed, int64(unseenArtBase))
	}
}

func TestSplitPools(t *testing.T) {
	t.Parallel()
	require.Equal(t, [numPools]int{75, 75, 50}, splitPools(200, [numPools]int{10, 10, 10}))
	require.Equal(t, [numPools]int{0, 150, 50}, splitPools(200, [numPools]int{0, 10, 10}))
	require.Equal(t, [numPools]int{0, 0, 7}, splitPools(7, [numPools]int{0, 0, 10}))
	s := splitPools(9, [numPools]int{1, 1, 1})
	require.Equal(t, 9, s[0]+s[1]+s[2])
}
