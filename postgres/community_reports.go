package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

const reportCols = `r.id, r.reporter_id, ru.username, r.target_type, r.target_id, r.reason, r.category, r.status,
	r.resolution, au.username, r.created_at, r.resolved_at`

const reportFrom = ` FROM reports r LEFT JOIN users ru ON ru.id = r.reporter_id LEFT JOIN users au ON au.id = r.resolved_by`

func scanReport(row pgx.Row) (community.Report, error) {
	var r community.Report
	var tt, cat, st string
	err := row.Scan(&r.ID, &r.ReporterID, &r.ReporterUsername, &tt, &r.TargetID, &r.Reason, &cat, &st,
		&r.Resolution, &r.ResolvedBy, &r.CreatedAt, &r.ResolvedAt)
	r.TargetType, r.Category, r.Status = community.TargetType(tt), community.ReportCategory(cat), community.ReportStatus(st)
	r.CreatedAt = r.CreatedAt.UTC()
	if r.ResolvedAt != nil {
		t := r.ResolvedAt.UTC()
		r.ResolvedAt = &t
	}
	return r, err
}

// TargetExists reports whether a report's target exists; a message only
// for its parties.
func (s *CommunityStore) TargetExists(ctx context.Context, t community.TargetType, id, viewer int64) (bool, error) {
	var q string
	switch t {
	case community.TargetForumPost:
		q = `SELECT EXISTS (SELECT 1 FROM forum_posts p JOIN forum_threads th ON th.id = p.thread_id
			WHERE p.id = $1 AND p.deleted_at IS NULL AND th.deleted_at IS NULL AND $2::bigint IS NOT NULL)`
	case community.TargetMessage:
		q = `SELECT EXISTS (SELECT 1 FROM messages WHERE id = $1
			AND ((sender_id = $2 AND NOT sender_deleted) OR (recipient_id = $2 AND NOT recipient_deleted)))`
	case community.TargetUser:
		q = `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND $2::bigint IS NOT NULL)`
	default:
		return false, nil
	}
	var ok bool
	err := s.db.Pool.QueryRow(ctx, q, id, viewer).Scan(&ok)
	return ok, wrap("community: report target", err, "")
}

// InsertReport stores a report; one open report per reporter and target.
func (s *CommunityStore) InsertReport(ctx context.Context, in community.Report) (community.Report, error) {
	r, err := scanReport(s.db.Pool.QueryRow(ctx, `WITH ins AS (
		INSERT INTO reports (reporter_id, target_type, target_id, reason, category, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *)
		SELECT `+reportCols+` FROM ins r LEFT JOIN users ru ON ru.id = r.reporter_id LEFT JOIN users au ON au.id = r.resolved_by`,
		in.ReporterID, string(in.TargetType), in.TargetID, in.Reason, string(in.Category), string(in.Status), in.CreatedAt))
	if communityUniqueViolation(err) {
		return r, catalog.Errorf(catalog.ECONFLICT, "You already have an open report on this %s", in.TargetType)
	}
	return r, wrap("community: insert report", err, "")
}

// Reports lists reports: a reporter's newest first, the admin queue oldest
// first; with the total.
func (s *CommunityStore) Reports(ctx context.Context, q community.ReportQuery) ([]community.Report, int64, error) {
	order := "r.id"
	if q.ReporterID != nil {
		order = "r.id DESC"
	}
	where := ` WHERE ($1::text = '' OR r.status = $1) AND ($2::bigint IS NULL OR r.reporter_id = $2)`
	var total int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM reports r`+where, string(q.Status), q.ReporterID).Scan(&total); err != nil {
		return nil, 0, wrap("community: reports", err, "")
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+reportCols+reportFrom+where+` ORDER BY `+order+` LIMIT $3 OFFSET $4`,
		string(q.Status), q.ReporterID, q.Limit, q.Offset)
	if err != nil {
		return nil, 0, wrap("community: reports", err, "")
	}
	defer rows.Close()
	var out []community.Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, 0, wrap("community: reports", err, "")
		}
		out = append(out, r)
	}
	return out, total, wrap("community: reports", rows.Err(), "")
}

// ResolveReport closes an open report (a conditional UPDATE: two admins
// cannot both close it).
func (s *CommunityStore) ResolveReport(ctx context.Context, id, adminID int64, status community.ReportStatus, note string, at time.Time) (community.Report, error) {
	r, err := scanReport(s.db.Pool.QueryRow(ctx, `WITH up AS (
		UPDATE reports SET status = $2, resolution = $3, resolved_by = $4, resolved_at = $5
		WHERE id = $1 AND status = 'open' RETURNING *)
		SELECT `+reportCols+` FROM up r LEFT JOIN users ru ON ru.id = r.reporter_id LEFT JOIN users au ON au.id = r.resolved_by`,
		id, string(status), note, adminID, at))
	if err == pgx.ErrNoRows {
		var exists bool
		if err := s.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reports WHERE id = $1)`, id).Scan(&exists); err != nil {
			return r, wrap("community: resolve report", err, "")
		}
		if exists {
			return r, catalog.Errorf(catalog.ECONFLICT, "Report is already closed")
		}
		return r, catalog.Errorf(catalog.ENOTFOUND, "Report not found")
	}
	return r, wrap("community: resolve report", err, "")
}
