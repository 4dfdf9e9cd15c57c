package main

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // gallery images
	_ "image/png"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/vectors"
)

// benchDB is the database the bench owns (dropped and recreated each run).
const benchDB = "csm_bench_recognition"

// gameNames are the display names of the games the bench loads.
var gameNames = map[string]string{
	catalog.GamePokemon: "Pokémon", catalog.GameMTG: "Magic: The Gathering", catalog.GameYugioh: "Yu-Gi-Oh!",
	catalog.GameFAB: "Flesh and Blood", catalog.GameLorcana: "Disney Lorcana", catalog.GameOnePiece: "One Piece",
}

// LoadCatalogue writes the gallery through the catalogue import API: one
// set per (game, set code), one card per gallery card with its id pinned
// (the ground truth), one printing, one variant and the image's local path.
func LoadCatalogue(ctx context.Context, db *postgres.DB, g *Gallery, progress catalog.Progress) (catalog.ImportReport, error) {
	defer progress.Finish()
	var rep catalog.ImportReport
	type setKey struct{ game, code string }
	sets := map[setKey]*catalog.ImportSet{}
	var order []setKey
	seen := map[string]bool{} // natural key set+number+name
	for i := range g.Cards {
		c := &g.Cards[i]
		k := setKey{c.Game, c.SetCode}
		s, ok := sets[k]
		if !ok {
			s = &catalog.ImportSet{ID: int64(len(order) + 1), Code: c.SetCode, Name: c.SetName, Language: "en"}
			sets[k] = s
			order = append(order, k)
		}
		nk := strings.ToLower(c.Game + "|" + c.SetCode + "|" + c.Number + "|" + c.Name)
		if seen[nk] { // two images of one printing (alternate art): keep both, apart
			c.Number = fmt.Sprintf("%s-%d", c.Number, c.ID)
		}
		seen[nk] = true
		w, h := imageSize(c.Path)
		s.Cards = append(s.Cards, catalog.ImportCard{ID: c.ID, Name: c.Name, CollectorNumber: c.Number,
			Images: []catalog.ImportImage{{URL: fmt.Sprintf("/static/bench/%d.jpg", c.ID), Source: "bench",
				Width: w, Height: h, Format: "jpeg", Path: c.Path}},
			Printings: []catalog.ImportPrinting{{Language: "en", PrintRun: "unlimited", CollectorNumber: c.Number,
				Variants: []catalog.ImportVariant{{Finish: "normal"}}}}})
	}
	games := map[string]int64{}
	for _, k := range order {
		id, ok := games[k.game]
		if !ok {
			var err error
			if id, err = db.UpsertGame(ctx, catalog.GameInfo{Slug: k.game, Name: gameNames[k.game]}); err != nil {
				return rep, fmt.Errorf("load game %s: %w", k.game, err)
			}
			games[k.game] = id
		}
		s := sets[k]
		s.TotalCards = len(s.Cards)
		r, err := db.UpsertSet(ctx, id, *s)
		if err != nil {
			return rep, fmt.Errorf("load set %s/%s: %w", k.game, k.code, err)
		}
		rep.Add(r)
		progress.Add(len(s.Cards))
	}
	if err := db.RefreshCounters(ctx); err != nil {
		return rep, fmt.Errorf("load: counters: %w", err)
	}
	return rep, nil
}

// imageSize reads an image's dimensions from its header (0×0 if unreadable).
func imageSize(path string) (int, int) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

// GalleryVectors reads back every indexed embedding of the model version:
// card ids and vectors, in card order (the exact nearest-neighbour
// baseline searches them in memory).
func GalleryVectors(ctx context.Context, db *postgres.DB, version string) ([]int64, [][]float32, error) {
	rows, err := db.Pool.Query(ctx, fmt.Sprintf("SELECT card_id, embedding::text FROM %s ORDER BY card_id",
		pgx.Identifier{vectors.TableName(version)}.Sanitize()))
	if err != nil {
		return nil, nil, fmt.Errorf("gallery vectors: %w", err)
	}
	defer rows.Close()
	var ids []int64
	var vecs [][]float32
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, nil, fmt.Errorf("gallery vectors: %w", err)
		}
		parts := strings.Split(strings.Trim(text, "[]"), ",")
		v := make([]float32, len(parts))
		for i, p := range parts {
			f, err := strconv.ParseFloat(p, 32)
			if err != nil {
				return nil, nil, fmt.Errorf("gallery vectors: card %d: %w", id, err)
			}
			v[i] = float32(f)
		}
		ids = append(ids, id)
		vecs = append(vecs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("gallery vectors: %w", err)
	}
	if !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) {
		return nil, nil, fmt.Errorf("gallery vectors: not in card order")
	}
	return ids, vecs, nil
}
