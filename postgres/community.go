package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/collectorstash/csm/community"
)

// CommunityStore keeps messages, blocks, reports and the forum
// (community.Store).
type CommunityStore struct{ db *DB }

var (
	_ community.Store    = (*CommunityStore)(nil)
	_ community.Listings = (*CommunityStore)(nil)
)

// Community returns the community store on db.
func (db *DB) Community() *CommunityStore { return &CommunityStore{db: db} }

// MemberByUsername finds an account by username.
func (s *CommunityStore) MemberByUsername(ctx context.Context, username string) (community.Member, error) {
	var m community.Member
	var deleteAfter *time.Time
	err := s.db.Pool.QueryRow(ctx, `SELECT id, username, delete_after FROM users WHERE username = $1`, username).
		Scan(&m.ID, &m.Username, &deleteAfter)
	m.Gone = deleteAfter != nil && !time.Now().Before(*deleteAfter)
	return m, wrap("community: member", err, "User not found")
}

// ListingExists reports whether the marketplace's listings table holds id;
// false while that table does not exist.
func (s *CommunityStore) ListingExists(ctx context.Context, id int64) (bool, error) {
	var exists bool
	err := s.db.Pool.QueryRow(ctx, `SELECT to_regclass('listings') IS NOT NULL`).Scan(&exists)
	if err != nil || !exists {
		return false, wrap("community: listing exists", err, "")
	}
	err = s.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM listings WHERE id = $1)`, id).Scan(&exists)
	return exists, wrap("community: listing exists", err, "")
}

// communityUniqueViolation reports a unique-constraint failure (23505).
func communityUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
