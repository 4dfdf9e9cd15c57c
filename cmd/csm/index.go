package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/collectorstash/csm/internal/wire"
)

func indexCmd(cfg *config) *cobra.Command {
	var batch int
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Embed every catalogue image the current model lacks, then switch searches to it",
		Long: `Embeds catalogue images with a local file into the pgvector index of the
model's version (a table with an HNSW index per version). Searches keep using
the previously active version until the build completes, then switch.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			rec, err := wire.NewRecognition(recognitionConfig(cfg), db)
			if err != nil {
				return err
			}
			defer rec.Close()
			version := rec.Embedder.ModelVersion()
			if err := rec.Index.Ensure(ctx, version, rec.Embedder.Dim()); err != nil {
				return err
			}
			missing, err := rec.Index.CountMissing(ctx, version)
			if err != nil {
				return err
			}
			start := time.Now()
			rep, err := rec.Index.Build(ctx, rec.Embedder, wire.LoadImage, batch, newBar(int64(missing), "images "+version))
			if err != nil {
				return err
			}
			fmt.Printf("index %s: %d embedded, %d unreadable, %s; active\n", rep.Version, rep.Embedded, rep.Failed, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().IntVar(&batch, "batch", 16, "images per embedding batch")
	return cmd
}
