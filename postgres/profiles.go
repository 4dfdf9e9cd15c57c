package postgres

import (
	"context"

	"github.com/collectorstash/csm/collection"
)

// ProfileUser finds an account's public side by username; deleted (or
// deletion-due) accounts are not found.
func (db *DB) ProfileUser(ctx context.Context, username string) (collection.PublicUser, error) {
	var u collection.PublicUser
	err := db.Pool.QueryRow(ctx, `SELECT u.id, u.username, u.display_name, u.country, u.is_seller, u.created_at,
			coalesce(p.is_collection_public, false), p.avatar_url
		FROM users u LEFT JOIN profiles p ON p.user_id = u.id
		WHERE u.username = lower($1) AND (u.delete_after IS NULL OR u.delete_after > now())`, username).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.Country, &u.IsSeller, &u.CreatedAt, &u.IsCollectionPublic, &u.AvatarURL)
	return u, wrap("profiles: user", err, "User not found")
}

// SetCollectionPublic stores the user's collection visibility.
func (db *DB) SetCollectionPublic(ctx context.Context, userID int64, public bool) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO profiles (user_id, is_collection_public) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET is_collection_public = EXCLUDED.is_collection_public, updated_at = now()`, userID, public)
	return wrap("profiles: privacy", err, "")
}

// SetAvatarURL stores the user's avatar URL.
func (db *DB) SetAvatarURL(ctx context.Context, userID int64, url string) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO profiles (user_id, avatar_url) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET avatar_url = EXCLUDED.avatar_url, updated_at = now()`, userID, url)
	return wrap("profiles: avatar", err, "")
}
