package main

import (
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/collectorstash/csm/demo"
)

func migrateCmd(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			db.Close()
			return nil
		},
	}
}

func demoCmd(cfg *config) *cobra.Command {
	var days int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the demo catalogue with synthetic price history ending today",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			start := time.Now()
			rep, err := demo.Load(cmd.Context(), db, db, demo.Options{Today: time.Now().UTC(), Days: days, StaticDir: filepath.Join(cfg.DataDir, "static")})
			if err != nil {
				return err
			}
			slog.Info("demo catalogue loaded", "sets", rep.Sets, "cards", rep.Cards, "variants", rep.Variants,
				"prices", rep.Prices, "took", time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().IntVar(&days, "days", 400, "days of price history")
	return cmd
}
