package postgres

import (
	"context"
	"time"

	"github.com/collectorstash/csm/community"
)

// Block records blocker → blocked; false when it already existed.
func (s *CommunityStore) Block(ctx context.Context, blocker, blocked int64, at time.Time) (bool, error) {
	tag, err := s.db.Pool.Exec(ctx, `INSERT INTO user_blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, blocker, blocked, at)
	return tag.RowsAffected() == 1, wrap("community: block", err, "")
}

// Unblock removes a block; false when there was none.
func (s *CommunityStore) Unblock(ctx context.Context, blocker, blocked int64) (bool, error) {
	tag, err := s.db.Pool.Exec(ctx, `DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2`, blocker, blocked)
	return tag.RowsAffected() == 1, wrap("community: unblock", err, "")
}

// Blocked reports whether blocker blocks blocked.
func (s *CommunityStore) Blocked(ctx context.Context, blocker, blocked int64) (bool, error) {
	var ok bool
	err := s.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2)`,
		blocker, blocked).Scan(&ok)
	return ok, wrap("community: blocked", err, "")
}

// Blocks lists blocker's blocks newest first.
func (s *CommunityStore) Blocks(ctx context.Context, blocker int64) ([]community.Block, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT u.id, u.username, b.created_at FROM user_blocks b JOIN users u ON u.id = b.blocked_id
		WHERE b.blocker_id = $1 ORDER BY b.created_at DESC, u.id DESC`, blocker)
	if err != nil {
		return nil, wrap("community: blocks", err, "")
	}
	defer rows.Close()
	var out []community.Block
	for rows.Next() {
		var b community.Block
		if err := rows.Scan(&b.UserID, &b.Username, &b.CreatedAt); err != nil {
			return nil, wrap("community: blocks", err, "")
		}
		b.CreatedAt = b.CreatedAt.UTC()
		out = append(out, b)
	}
	return out, wrap("community: blocks", rows.Err(), "")
}
