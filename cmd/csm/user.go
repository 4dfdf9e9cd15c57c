package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/keycache"
)

// userCmd administers accounts from the command line: tiers (the way an
// operator upgrades or downgrades a subscription besides the admin
// endpoint), the admin flag (how the first admin is made) and the purge of
// accounts whose deletion time has passed.
func userCmd(cfg *config) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Administer accounts"}
	setTier := &cobra.Command{
		Use:   "set-tier USERNAME TIER",
		Short: "Change an account's tier (" + strings.Join(catalog.TierNames(), ", ") + ")",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, ok := catalog.ParseTier(args[1])
			if !ok {
				return fmt.Errorf("user set-tier: unknown tier %q (one of %s)", args[1], strings.Join(catalog.TierNames(), ", "))
			}
			return withKeys(cmd.Context(), cfg, func(keys *keycache.Cache) error {
				u, err := keys.SetTier(cmd.Context(), args[0], t)
				if err != nil {
					return fmt.Errorf("user set-tier: %w", err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: tier %s\n", u.Username, u.Tier)
				return nil
			})
		},
	}
	var revoke bool
	setAdmin := &cobra.Command{
		Use:   "set-admin USERNAME",
		Short: "Grant (or with --revoke remove) is_admin",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withKeys(cmd.Context(), cfg, func(keys *keycache.Cache) error {
				u, err := keys.SetAdmin(cmd.Context(), args[0], !revoke)
				if err != nil {
					return fmt.Errorf("user set-admin: %w", err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: is_admin %t\n", u.Username, u.IsAdmin)
				return nil
			})
		},
	}
	setAdmin.Flags().BoolVar(&revoke, "revoke", false, "remove is_admin instead")
	purge := &cobra.Command{
		Use:   "purge-deleted",
		Short: "Remove accounts whose 24 h deletion grace has passed, and expired sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withKeys(cmd.Context(), cfg, func(keys *keycache.Cache) error {
				n, err := keys.PurgeDeleted(cmd.Context(), time.Now())
				if err != nil {
					return fmt.Errorf("user purge-deleted: %w", err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "purged %d accounts\n", n)
				return nil
			})
		},
	}
	cmd.AddCommand(setTier, setAdmin, purge)
	return cmd
}

// withKeys runs fn with the command line's key cache over the configured
// database, closing both after it.
func withKeys(ctx context.Context, cfg *config, fn func(keys *keycache.Cache) error) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, stop := cliKeyCache(cfg, db)
	defer stop()
	return fn(keys)
}
