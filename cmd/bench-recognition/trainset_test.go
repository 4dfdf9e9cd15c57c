package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// trainLabel must name cards exactly as the train sets of card-embed-v2
// were named: the model cards' heldout_labels depend on it.
func TestTrainLabel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		card Card
		want string
	}{
		{Card{Path: "/x/yugioh/46986414.jpg", Game: "yugioh", Family: "46986414", Real: true}, "ygo_46986414"},
		{Card{Path: "/cache/pokemon/1000141-b.png", Game: "pokemon", Family: "syn/1000141"}, "pokemon_1000141"},
		{Card{Path: "/cache/flesh-and-blood/1000154.png", Game: "flesh-and-blood", Family: "syn/1000154"}, "flesh-and-blood_1000154"},
		{Card{Path: "/x/lorcana/abc.webp", Game: "lorcana", Family: "abc", Real: true}, "lorcana_abc"},
		{Card{Real: true, Game: "mtg", Path: "/x/mtg/abc.png"}, "mtg_abc"},
	} {
		require.Equal(t, tc.want, trainLabel(tc.card), tc.card.Path)
	}
}
