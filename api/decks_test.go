package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/importer/mtg"
)

// setupDecks is the collection API over the demo catalogue plus the M10
// excerpt with its MTGJSON legalities.
func setupDecks(t *testing.T) *acct {
	t.Helper()
	return setupAccounts(t, acctOptions{noLimiter: true, configure: func(f *acct, cfg *api.Config) {
		db := f.db
		ctx := t.Context()
		_, err := demo.Load(ctx, db, db, demo.Options{Today: acctStart, Days: 2})
		require.NoError(t, err)
		game, sets, err := mtg.Parse("../importer/mtg/testdata/legal/M10.json")
		require.NoError(t, err)
		gid, err := db.UpsertGame(ctx, game)
		require.NoError(t, err)
		for _, s := range sets {
			_, err := db.UpsertSet(ctx, gid, s)
			require.NoError(t, err)
		}
		cfg.Collection = collection.NewService(db, cfg.Now)
	}})
}

type deckView struct {
	ID        int64   `json:"id"`
	Owner     string  `json:"owner"`
	Name      string  `json:"name"`
	TCGSlug   string  `json:"tcg_slug"`
	Format    *string `json:"format"`
	IsPublic  bool    `json:"is_public"`
	CardCount int     `json:"card_count"`
	Cards     []struct {
		CardID    int64    `json:"card_id"`
		Name      string   `json:"name"`
		Section   string   `json:"section"`
		Quantity  int      `json:"quantity"`
		UnitPrice *float64 `json:"unit_price"`
	} `json:"cards"`
	Value *struct {
		TotalValue float64 `json:"total_value"`
		Currency   string  `json:"currency"`
		Priced     int     `json:"priced_cards"`
		Unpriced   int     `json:"unpriced_cards"`
	} `json:"value"`
}

type legalityView struct {
	Format    string `json:"format"`
	Legal     bool   `json:"legal"`
	Supported bool   `json:"supported"`
	DeckSize  int    `json:"deck_size"`
	Issues    []struct {
		CardID *int64 `json:"card_id"`
		Card   string `json:"card"`
		Reason string `json:"reason"`
	} `json:"issues"`
	Note string `json:"note"`
}

func (l legalityView) reasons() string {
	var out []string
	for _, i := range l.Issues {
		out = append(out, i.Card+": "+i.Reason)
	}
	return strings.Join(out, "\n")
}

func TestDecks(t *testing.T) {
	t.Parallel()
	f := setupDecks(t)
	alice := f.register(uniqueName("alice"))
	bob := f.register(uniqueName("bob"))

	r := alice.do(http.MethodPost, "/decks", map[string]any{"name": "Burn", "tcg_slug": "mtg", "format": "Modern"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var d deckView
	r.json(&d)
	require.Equal(t, "magic-the-gathering", d.TCGSlug)
	require.Equal(t, "modern", *d.Format)
	require.False(t, d.IsPublic)
	r = alice.do(http.MethodPost, "/decks", map[string]any{"name": "", "tcg_slug": "chess"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/decks", map[string]any{"name": "x", "tcg_slug": "chess"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	require.Contains(t, r.detail(), "tcg_slug")

	deck := "/decks/" + itoa64(d.ID)
	text := "4 Lightning Bolt (M10) 146\n4 Ponder\n20 Forest\n3 Totally Unknown Card\nSB: 2 Duress\n"
	r = alice.do(http.MethodPost, "/decks/import", map[string]any{"deck_id": d.ID, "text": text})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var imp struct {
		Deck     deckView `json:"deck"`
		Imported int      `json:"imported"`
		Unknown  []struct {
			Line   int    `json:"line"`
			Text   string `json:"text"`
			Reason string `json:"reason"`
		} `json:"unknown"`
	}
	r.json(&imp)
	require.Equal(t, 30, imp.Imported)
	require.Len(t, imp.Unknown, 1)
	require.Equal(t, 4, imp.Unknown[0].Line)
	require.Equal(t, "unknown card", imp.Unknown[0].Reason)
	require.Equal(t, 30, imp.Deck.CardCount)

	var l legalityView
	r = alice.do(http.MethodGet, deck+"/legality", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&l)
	require.True(t, l.Supported)
	require.False(t, l.Legal)
	require.Equal(t, 28, l.DeckSize)
	require.Contains(t, l.reasons(), "deck has 28 cards; modern needs at least 60")
	require.Contains(t, l.reasons(), "Ponder: banned in modern")

	// 32 more forests: only Ponder is wrong; in standard Bolt and Ponder are not legal
	r = alice.do(http.MethodPost, deck+"/cards", map[string]any{"card_id": imp.Deck.Cards[idxOf(imp.Deck, "Forest")].CardID, "quantity": 32})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = alice.do(http.MethodGet, deck+"/legality", nil)
	r.json(&l)
	require.Len(t, l.Issues, 1, l.reasons())
	require.Equal(t, "Ponder", l.Issues[0].Card)
	r = alice.do(http.MethodGet, deck+"/legality?format=standard-2024", nil)
	r.json(&l)
	require.Equal(t, "Lightning Bolt: not legal in standard\nPonder: not legal in standard", l.reasons())
	r = alice.do(http.MethodGet, deck+"/legality?format=commander", nil)
	r.json(&l)
	require.Contains(t, l.reasons(), ": commander needs a commander")
	require.Contains(t, l.reasons(), "Lightning Bolt: 4 copies; commander is singleton")
	require.NotContains(t, l.reasons(), "Forest", "basic lands are exempt")
	r = alice.do(http.MethodGet, deck+"/legality?format=calvinball", nil)
	r.json(&l)
	require.False(t, l.Supported)
	require.True(t, l.Legal)

	// remove: some copies, then all; a card of another game is 422
	r = alice.do(http.MethodDelete, deck+"/cards/"+itoa64(imp.Deck.Cards[idxOf(imp.Deck, "Ponder")].CardID)+"?quantity=3", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&d)
	require.Equal(t, 1, d.Cards[idxOf(d, "Ponder")].Quantity)
	r = alice.do(http.MethodDelete, deck+"/cards/"+itoa64(d.Cards[idxOf(d, "Ponder")].CardID), nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&d)
	require.Equal(t, -1, idxOf(d, "Ponder"))
	r = alice.do(http.MethodPost, deck+"/cards", map[string]any{"card_id": charizardID})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, deck+"/cards", map[string]any{"card_id": blackLotusID, "section": "maybe"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)

	// private: hidden from others; public: readable by link, anonymously
	r = bob.do(http.MethodGet, deck, nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = f.anon().do(http.MethodGet, deck, nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = bob.do(http.MethodPatch, deck, map[string]any{"name": "mine"})
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = bob.do(http.MethodPost, deck+"/cards", map[string]any{"card_id": blackLotusID})
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = alice.do(http.MethodPatch, deck, map[string]any{"name": "Mono-Red Burn", "is_public": true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = f.anon().do(http.MethodGet, deck, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&d)
	require.Equal(t, "Mono-Red Burn", d.Name)
	require.True(t, strings.HasPrefix(d.Owner, "alice"))
	r = f.anon().do(http.MethodGet, deck+"/legality", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = f.anon().do(http.MethodDelete, deck, nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)

	// another game: value from current prices, the generic legality stub
	r = alice.do(http.MethodPost, "/decks/import", map[string]any{"tcg_slug": "pokemon", "name": "Base", "text": "2 Charizard (base1) 4\n1 Pikachu\nNope Card\n"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	r.json(&imp)
	require.Equal(t, 3, imp.Imported)
	require.Len(t, imp.Unknown, 1)
	pk := "/decks/" + itoa64(imp.Deck.ID)
	r = alice.do(http.MethodGet, pk+"/value?currency=EUR", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var v struct {
		TotalValue float64 `json:"total_value"`
		Currency   string  `json:"currency"`
		Priced     int     `json:"priced_cards"`
	}
	r.json(&v)
	require.Equal(t, "EUR", v.Currency)
	require.Equal(t, 3, v.Priced)
	require.Greater(t, v.TotalValue, 0.0)
	r = alice.do(http.MethodGet, pk+"/legality?format=standard", nil)
	r.json(&l)
	require.False(t, l.Supported)
	require.True(t, l.Legal)
	require.NotEmpty(t, l.Note)
	r = alice.do(http.MethodPost, "/decks/import", map[string]any{"tcg_slug": "pokemon", "text": "Nope\n"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	require.Contains(t, r.detail(), "line 1")

	var list struct {
		Items []deckView `json:"items"`
	}
	r = alice.do(http.MethodGet, "/decks", nil)
	r.json(&list)
	require.Len(t, list.Items, 2, "the failed import created no deck")
	r = bob.do(http.MethodGet, "/decks", nil)
	r.json(&list)
	require.Empty(t, list.Items)
	r = bob.do(http.MethodDelete, pk, nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = alice.do(http.MethodDelete, pk, nil)
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = alice.do(http.MethodGet, pk, nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
}

func idxOf(d deckView, name string) int {
	for i, c := range d.Cards {
		if c.Name == name {
			return i
		}
	}
	return -1
}
