package main

import (
	"github.com/spf13/cobra"
)

func importCmd(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import upstream catalogue and price files by path",
	}
	return cmd
}
