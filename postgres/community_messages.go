package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

const messageCols = `m.id, m.sender_id, m.recipient_id, su.username, ru.username, m.listing_id, m.subject, m.body,
	m.is_read, m.is_system, m.parent_id, m.created_at, m.sender_deleted, m.recipient_deleted`

const messageFrom = ` FROM messages m JOIN users su ON su.id = m.sender_id JOIN users ru ON ru.id = m.recipient_id`

func scanMessage(r pgx.Row) (community.Message, error) {
	var m community.Message
	err := r.Scan(&m.ID, &m.SenderID, &m.RecipientID, &m.FromUsername, &m.ToUsername, &m.ListingID, &m.Subject, &m.Body,
		&m.IsRead, &m.IsSystem, &m.ParentID, &m.CreatedAt, &m.SenderDeleted, &m.RecipientDeleted)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

func collectMessages(rows pgx.Rows, err error) ([]community.Message, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []community.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// InsertMessage stores m unless its recipient blocks its sender, in one
// statement (a block committed first always wins).
func (s *CommunityStore) InsertMessage(ctx context.Context, r community.MessageRow) (community.Message, error) {
	m, err := scanMessage(s.db.Pool.QueryRow(ctx, `WITH ins AS (
		INSERT INTO messages (sender_id, recipient_id, listing_id, parent_id, subject, body, created_at)
		SELECT $1, $2, $3, $4, $5, $6, $7
		WHERE NOT EXISTS (SELECT 1 FROM user_blocks WHERE blocker_id = $2 AND blocked_id = $1)
		RETURNING *)
		SELECT `+messageCols+` FROM ins m JOIN users su ON su.id = m.sender_id JOIN users ru ON ru.id = m.recipient_id`,
		r.SenderID, r.RecipientID, r.ListingID, r.ParentID, r.Subject, r.Body, r.CreatedAt))
	if err == pgx.ErrNoRows {
		return m, catalog.Errorf(catalog.EFORBIDDEN, "This user does not accept your messages")
	}
	return m, wrap("community: insert message", err, "")
}

// Message returns one message.
func (s *CommunityStore) Message(ctx context.Context, id int64) (community.Message, error) {
	m, err := scanMessage(s.db.Pool.QueryRow(ctx, `SELECT `+messageCols+messageFrom+` WHERE m.id = $1`, id))
	return m, wrap("community: message", err, "Message not found")
}

// Messages lists a folder newest first.
func (s *CommunityStore) Messages(ctx context.Context, q community.MessageQuery) ([]community.Message, error) {
	var where string
	switch q.Folder {
	case community.FolderSent:
		where = `m.sender_id = $1 AND NOT m.sender_deleted`
	case community.FolderAll:
		where = `((m.sender_id = $1 AND NOT m.sender_deleted) OR (m.recipient_id = $1 AND NOT m.recipient_deleted))`
	default:
		where = `m.recipient_id = $1 AND NOT m.recipient_deleted`
	}
	out, err := collectMessages(s.db.Pool.Query(ctx, `SELECT `+messageCols+messageFrom+` WHERE `+where+`
		AND ($2::bigint IS NULL OR m.listing_id = $2) ORDER BY m.id DESC LIMIT $3 OFFSET $4`,
		q.UserID, q.ListingID, q.Limit, q.Offset))
	return out, wrap("community: messages", err, "")
}

// UnreadCount counts unread received messages.
func (s *CommunityStore) UnreadCount(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE recipient_id = $1 AND NOT is_read AND NOT recipient_deleted`, userID).Scan(&n)
	return n, wrap("community: unread count", err, "")
}

// conversationWhere is the scope of a ConversationQuery ($1 user, $2
// listing, $3 other member).
const conversationWhere = `((m.sender_id = $1 AND NOT m.sender_deleted) OR (m.recipient_id = $1 AND NOT m.recipient_deleted))
	AND ($2::bigint IS NULL OR m.listing_id = $2)
	AND ($3::bigint IS NULL OR m.sender_id = $3 OR m.recipient_id = $3)`

// Conversation returns the most recent messages of q, oldest first.
func (s *CommunityStore) Conversation(ctx context.Context, q community.ConversationQuery) ([]community.Message, error) {
	out, err := collectMessages(s.db.Pool.Query(ctx, `SELECT * FROM (SELECT `+messageCols+messageFrom+`
		WHERE `+conversationWhere+` ORDER BY m.id DESC LIMIT $4) x ORDER BY id`,
		q.UserID, q.ListingID, q.With, q.Limit))
	return out, wrap("community: conversation", err, "")
}

// MarkRead marks read what q.UserID received in q's scope.
func (s *CommunityStore) MarkRead(ctx context.Context, q community.ConversationQuery) (int64, error) {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE messages m SET is_read = true
		WHERE m.recipient_id = $1 AND NOT m.is_read AND `+conversationWhere,
		q.UserID, q.ListingID, q.With)
	return tag.RowsAffected(), wrap("community: mark read", err, "")
}

// MarkMessageRead marks one received message read.
func (s *CommunityStore) MarkMessageRead(ctx context.Context, id, recipientID int64) error {
	_, err := s.db.Pool.Exec(ctx, `UPDATE messages SET is_read = true WHERE id = $1 AND recipient_id = $2`, id, recipientID)
	return wrap("community: mark message read", err, "")
}

// HideMessage hides a message on userID's side.
func (s *CommunityStore) HideMessage(ctx context.Context, id, userID int64) error {
	_, err := s.db.Pool.Exec(ctx, `UPDATE messages SET
		sender_deleted = sender_deleted OR sender_id = $2,
		recipient_deleted = recipient_deleted OR recipient_id = $2
		WHERE id = $1`, id, userID)
	return wrap("community: hide message", err, "")
}
