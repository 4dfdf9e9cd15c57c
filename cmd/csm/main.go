// Command csm is the Collector Stash Market platform: the HTTP API, the
// background worker, migrations, importers, the demo catalogue and the
// synthetic-catalogue generator. All wiring of adapters happens here.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "csm: bad configuration:\n  %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  "))
		os.Exit(2)
	}
	root := &cobra.Command{
		Use:           "csm",
		Short:         "Collector Stash Market: TCG catalogue, prices and card recognition",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(&cfg), workerCmd(&cfg), migrateCmd(&cfg), demoCmd(&cfg),
		importCmd(&cfg), generateCmd(&cfg), userCmd(&cfg), indexCmd(&cfg), retrainCmd(&cfg))
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "csm:", err)
		os.Exit(1)
	}
}
