package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
)

// SecretSessionKey names the tcg_session signing key in app_secrets.
const SecretSessionKey = "session"

// Secret returns the secret called name, generating a random 32-byte one on
// first use. Concurrent first calls from several processes agree: the
// first insert wins and every caller reads the stored value.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	// two statements: the SELECT's snapshot sees a row another process
	// inserted while our INSERT waited on it
	if _, err := db.Pool.Exec(ctx, `INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		name, fresh); err != nil {
		return nil, wrap("secret "+name, err, "")
	}
	var v []byte
	if err := db.Pool.QueryRow(ctx, `SELECT value FROM app_secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, wrap("secret "+name, err, "")
	}
	return v, nil
}
