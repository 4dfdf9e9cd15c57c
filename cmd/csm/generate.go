package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/collectorstash/csm/generator"
)

func generateCmd(cfg *config) *cobra.Command {
	spec := generator.Spec{Seed: 1, Games: 2, SetsPerGame: 50, Cards: 100_000, VariantsPerCard: 2, Points: 1_000_000, Days: 365}
	var writers int
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate a deterministic synthetic catalogue and price history, loaded with COPY",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			spec.Today = time.Now().UTC()
			rep, err := db.LoadSynthetic(cmd.Context(), spec, writers, newBar(spec.Points, "points"))
			if err != nil {
				return err
			}
			fmt.Printf("generated %d games, %d sets, %d cards, %d variants, %d series\n", rep.Games, rep.Sets, rep.Cards, rep.Variants, rep.Series)
			fmt.Printf("price points: %d in %s = %.0f points/s (%d writers)\n", rep.Points, rep.PointsTook.Round(time.Millisecond), rep.PointsPerSecond(), writers)
			fmt.Printf("total: %s\n", rep.Took.Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&spec.Seed, "seed", spec.Seed, "random seed")
	f.IntVar(&spec.Games, "games", spec.Games, "synthetic games")
	f.IntVar(&spec.SetsPerGame, "sets-per-game", spec.SetsPerGame, "sets per game")
	f.IntVar(&spec.Cards, "cards", spec.Cards, "cards in total")
	f.IntVar(&spec.VariantsPerCard, "variants-per-card", spec.VariantsPerCard, "variants per card")
	f.Int64Var(&spec.Points, "points", spec.Points, "price points in total")
	f.IntVar(&spec.Days, "days", spec.Days, "daily points per series")
	f.IntVar(&writers, "writers", 2, "parallel COPY connections for price points")
	return cmd
}
