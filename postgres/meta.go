package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/meta"
)

// MetaStore keeps the platform's own data: health counters, status checks,
// the app version manifest and push devices (meta.Store).
type MetaStore struct{ db *DB }

var _ meta.Store = (*MetaStore)(nil)

// Meta returns the meta store on db.
func (db *DB) Meta() *MetaStore { return &MetaStore{db: db} }

// Ping reports whether the database answers.
func (s *MetaStore) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// HealthCounts counts accounts, seller accounts and armed price alerts and
// sizes the database, in one round trip.
func (s *MetaStore) HealthCounts(ctx context.Context) (meta.Counts, error) {
	var c meta.Counts
	err := s.db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users),
		pg_database_size(current_database()) / 1048576.0,
		(SELECT count(*) FROM sellers),
		(SELECT count(*) FROM price_alerts WHERE is_active AND triggered_at IS NULL)`).
		Scan(&c.Users, &c.DBSizeMB, &c.Sellers, &c.ActiveAlerts)
	return c, wrap("meta: health counts", err, "")
}

// SaveChecks upserts each target's latest check.
func (s *MetaStore) SaveChecks(ctx context.Context, cs []meta.Check) error {
	b := &pgx.Batch{}
	for _, c := range cs {
		b.Queue(`INSERT INTO status_checks (target, status, latency_ms, detail, last_check) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (target) DO UPDATE SET status = excluded.status, latency_ms = excluded.latency_ms,
			detail = excluded.detail, last_check = excluded.last_check`, c.Target, c.Status, c.LatencyMS, c.Detail, c.LastCheck)
	}
	return wrap("meta: save checks", s.db.Pool.SendBatch(ctx, b).Close(), "")
}

// Checks returns the saved checks.
func (s *MetaStore) Checks(ctx context.Context) ([]meta.Check, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT target, status, last_check, latency_ms, detail FROM status_checks`)
	if err != nil {
		return nil, wrap("meta: checks", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (meta.Check, error) {
		var c meta.Check
		err := r.Scan(&c.Target, &c.Status, &c.LastCheck, &c.LatencyMS, &c.Detail)
		if c.LastCheck != nil {
			t := c.LastCheck.UTC()
			c.LastCheck = &t
		}
		return c, err
	})
	return out, wrap("meta: checks", err, "")
}

// AppVersions returns the manifest.
func (s *MetaStore) AppVersions(ctx context.Context) ([]meta.AppVersion, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT platform, version_name, version_code, min_supported, release_notes, updated_at
		FROM app_versions ORDER BY platform`)
	if err != nil {
		return nil, wrap("meta: app versions", err, "")
	}
	out, err := pgx.CollectRows(rows, scanAppVersion)
	return out, wrap("meta: app versions", err, "")
}

func scanAppVersion(r pgx.CollectableRow) (meta.AppVersion, error) {
	var v meta.AppVersion
	var p string
	err := r.Scan(&p, &v.VersionName, &v.VersionCode, &v.MinSupported, &v.ReleaseNotes, &v.UpdatedAt)
	v.Platform, v.UpdatedAt = meta.Platform(p), v.UpdatedAt.UTC()
	return v, err
}

// SetAppVersion upserts a platform's entry.
func (s *MetaStore) SetAppVersion(ctx context.Context, v meta.AppVersion) (meta.AppVersion, error) {
	rows, err := s.db.Pool.Query(ctx, `INSERT INTO app_versions (platform, version_name, version_code, min_supported, release_notes, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform) DO UPDATE SET version_name = excluded.version_name,
		version_code = excluded.version_code, min_supported = excluded.min_supported, release_notes = excluded.release_notes,
		updated_at = excluded.updated_at
		RETURNING platform, version_name, version_code, min_supported, release_notes, updated_at`,
		string(v.Platform), v.VersionName, v.VersionCode, v.MinSupported, v.ReleaseNotes, v.UpdatedAt)
	if err != nil {
		return v, wrap("meta: set app version", err, "")
	}
	out, err := pgx.CollectExactlyOneRow(rows, scanAppVersion)
	return out, wrap("meta: set app version", err, "")
}

const deviceCols = `id, user_id, platform, token, app_version, created_at, last_seen`

func scanDevice(r pgx.CollectableRow) (meta.Device, error) {
	var d meta.Device
	var p string
	err := r.Scan(&d.ID, &d.UserID, &p, &d.Token, &d.AppVersion, &d.CreatedAt, &d.LastSeen)
	d.Platform, d.CreatedAt, d.LastSeen = meta.Platform(p), d.CreatedAt.UTC(), d.LastSeen.UTC()
	return d, err
}

// UpsertDevice registers a token; it moves to the latest account.
func (s *MetaStore) UpsertDevice(ctx context.Context, d meta.Device) (meta.Device, bool, error) {
	rows, err := s.db.Pool.Query(ctx, `INSERT INTO devices (user_id, platform, token, app_version, created_at, last_seen)
		VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id,
		platform = excluded.platform, app_version = coalesce(excluded.app_version, devices.app_version), last_seen = excluded.last_seen
		RETURNING `+deviceCols+`, xmax = 0`, d.UserID, string(d.Platform), d.Token, d.AppVersion, d.CreatedAt)
	if err != nil {
		return d, false, wrap("meta: upsert device", err, "")
	}
	var created bool
	out, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (meta.Device, error) {
		var dv meta.Device
		var p string
		err := r.Scan(&dv.ID, &dv.UserID, &p, &dv.Token, &dv.AppVersion, &dv.CreatedAt, &dv.LastSeen, &created)
		dv.Platform, dv.CreatedAt, dv.LastSeen = meta.Platform(p), dv.CreatedAt.UTC(), dv.LastSeen.UTC()
		return dv, err
	})
	return out, created, wrap("meta: upsert device", err, "")
}

// DeleteDevice removes one of userID's tokens.
func (s *MetaStore) DeleteDevice(ctx context.Context, userID int64, token string) (bool, error) {
	tag, err := s.db.Pool.Exec(ctx, `DELETE FROM devices WHERE user_id = $1 AND token = $2`, userID, token)
	return tag.RowsAffected() == 1, wrap("meta: delete device", err, "")
}

// Devices lists userID's devices, most recently seen first.
func (s *MetaStore) Devices(ctx context.Context, userID int64) ([]meta.Device, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT `+deviceCols+` FROM devices WHERE user_id = $1 ORDER BY last_seen DESC, id DESC`, userID)
	if err != nil {
		return nil, wrap("meta: devices", err, "")
	}
	out, err := pgx.CollectRows(rows, scanDevice)
	return out, wrap("meta: devices", err, "")
}
