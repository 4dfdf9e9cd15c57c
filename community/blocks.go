package community

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Block is one member a user blocks.
type Block struct {
	UserID    int64     `json:"user_id"`
	Username  string    `json:"username"`
	CreatedAt time.Time `json:"created_at"`
}

// BlockStore keeps who blocks whom.
type BlockStore interface {
	// Block records blocker → blocked; false when it already existed.
	Block(ctx context.Context, blocker, blocked int64, at time.Time) (bool, error)
	// Unblock removes it; false when there was none.
	Unblock(ctx context.Context, blocker, blocked int64) (bool, error)
	Blocked(ctx context.Context, blocker, blocked int64) (bool, error)
	// Blocks lists blocker's blocks, newest first.
	Blocks(ctx context.Context, blocker int64) ([]Block, error)
}

// BlockRequest names the member to block (POST /api/blocks).
type BlockRequest struct {
	Username string `json:"username"`
}

// BlockUser makes actor refuse the named member's messages, bids and forum
// replies; blocking again is a no-op (created false).
func (s *Service) BlockUser(ctx context.Context, actor Actor, in BlockRequest) (b Block, created bool, err error) {
	username := strings.TrimSpace(in.Username)
	if username == "" {
		var f fields
		f.missing("username")
		return Block{}, false, f.err()
	}
	m, err := s.member(ctx, username)
	if err != nil {
		return Block{}, false, err
	}
	if m.ID == actor.ID {
		return Block{}, false, catalog.Errorf(catalog.EINVALID, "You cannot block yourself")
	}
	at := s.now().UTC()
	created, err = s.store.Block(ctx, actor.ID, m.ID, at)
	if err != nil {
		return Block{}, false, fmt.Errorf("block: %w", err)
	}
	return Block{UserID: m.ID, Username: m.Username, CreatedAt: at}, created, nil
}

// UnblockUser lifts actor's block of username (ENOTFOUND when none).
func (s *Service) UnblockUser(ctx context.Context, actor Actor, username string) error {
	m, err := s.member(ctx, username)
	if err != nil {
		return err
	}
	ok, err := s.store.Unblock(ctx, actor.ID, m.ID)
	if err != nil {
		return fmt.Errorf("unblock: %w", err)
	}
	if !ok {
		return catalog.Errorf(catalog.ENOTFOUND, "You do not block %s", m.Username)
	}
	return nil
}

// Blocks lists the members actor blocks.
func (s *Service) Blocks(ctx context.Context, actor Actor) ([]Block, error) {
	bs, err := s.store.Blocks(ctx, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("blocks: %w", err)
	}
	if bs == nil {
		bs = []Block{}
	}
	return bs, nil
}

// Blocked reports whether blocker blocks blocked: the marketplace asks it
// before accepting a bid.
func (s *Service) Blocked(ctx context.Context, blocker, blocked int64) (bool, error) {
	return s.store.Blocked(ctx, blocker, blocked)
}
