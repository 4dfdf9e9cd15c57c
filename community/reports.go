package community

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// TargetType is what a report is about.
type TargetType string

// The report targets of the seed.
const (
	TargetForumPost TargetType = "forum_post"
	TargetListing   TargetType = "listing"
	TargetMessage   TargetType = "message"
	TargetUser      TargetType = "user"
)

// TargetTypes lists the valid targets.
var TargetTypes = []TargetType{TargetForumPost, TargetListing, TargetMessage, TargetUser}

// ReportCategory classifies a report.
type ReportCategory string

// The report categories of the seed.
const (
	CategorySpam    ReportCategory = "spam"
	CategoryFraud   ReportCategory = "fraud"
	CategoryAbuse   ReportCategory = "abuse"
	CategoryIllegal ReportCategory = "illegal"
	CategoryOther   ReportCategory = "other"
)

// ReportCategories lists the valid categories.
var ReportCategories = []ReportCategory{CategorySpam, CategoryFraud, CategoryAbuse, CategoryIllegal, CategoryOther}

// ReportStatus is where a report is in the admin queue.
type ReportStatus string

// Report statuses: open until an admin resolves (acted on) or dismisses it.
const (
	ReportOpen      ReportStatus = "open"
	ReportResolved  ReportStatus = "resolved"
	ReportDismissed ReportStatus = "dismissed"
)

// MaxResolutionNote bounds an admin's note on a report.
const MaxResolutionNote = 1000

// Report is one member's report of content or a member.
type Report struct {
	ID               int64          `json:"id"`
	ReporterID       *int64         `json:"reporter_id"`
	ReporterUsername *string        `json:"reporter_username"`
	TargetType       TargetType     `json:"target_type"`
	TargetID         int64          `json:"target_id"`
	Reason           string         `json:"reason"`
	Category         ReportCategory `json:"category"`
	Status           ReportStatus   `json:"status"`
	Resolution       string         `json:"resolution"`
	ResolvedBy       *string        `json:"resolved_by"`
	CreatedAt        time.Time      `json:"created_at"`
	ResolvedAt       *time.Time     `json:"resolved_at"`
}

// NewReport is POST /api/reports.
type NewReport struct {
	TargetType string `json:"target_type"`
	TargetID   int64  `json:"target_id"`
	Reason     string `json:"reason"`
	Category   string `json:"category"`
}

// ReportResolution is an admin's decision on a report: Status "resolved"
// (the default) or "dismissed", and a note.
type ReportResolution struct {
	Status     string `json:"status"`
	Resolution string `json:"resolution"`
}

// ReportQuery selects reports (the admin queue or a member's own).
type ReportQuery struct {
	// Status "" is every status.
	Status     ReportStatus
	ReporterID *int64
	Limit      int
	Offset     int
}

// ReportList is one page of reports with the total; Status is the admin
// queue's filter ("all" for every status), empty for a member's own.
type ReportList struct {
	Items  []Report `json:"items"`
	Total  int64    `json:"total"`
	Limit  int      `json:"limit"`
	Offset int      `json:"offset"`
	Status string   `json:"status,omitempty"`
}

// ReportStore keeps reports.
type ReportStore interface {
	// TargetExists reports whether a forum post, message or user exists
	// (a message only for its parties: viewer).
	TargetExists(ctx context.Context, t TargetType, id, viewer int64) (bool, error)
	// InsertReport stores a report: ECONFLICT when the reporter already
	// has an open report on the target.
	InsertReport(ctx context.Context, r Report) (Report, error)
	Reports(ctx context.Context, q ReportQuery) ([]Report, int64, error)
	// ResolveReport closes an open report: ENOTFOUND, or ECONFLICT when it
	// is no longer open.
	ResolveReport(ctx context.Context, id, adminID int64, status ReportStatus, note string, at time.Time) (Report, error)
}

// CreateReport files actor's report; an unknown target is ENOTFOUND.
func (s *Service) CreateReport(ctx context.Context, actor Actor, in NewReport) (Report, error) {
	var f fields
	tt := TargetType(in.TargetType)
	switch {
	case in.TargetType == "":
		f.missing("target_type")
	case !oneOf(tt, TargetTypes):
		f.add("target_type", "value is not a valid enumeration member; permitted: 'forum_post', 'listing', 'message', 'user'", "type_error.enum")
	}
	if in.TargetID <= 0 {
		f.add("target_id", "ensure this value is greater than 0", "value_error.number.not_gt")
	}
	f.text("reason", in.Reason, true, MaxReportReason)
	cat := ReportCategory(in.Category)
	if cat == "" {
		cat = CategoryOther
	} else if !oneOf(cat, ReportCategories) {
		f.add("category", "value is not a valid enumeration member; permitted: 'spam', 'fraud', 'abuse', 'illegal', 'other'", "type_error.enum")
	}
	if err := f.err(); err != nil {
		return Report{}, err
	}
	if tt == TargetUser && in.TargetID == actor.ID {
		return Report{}, catalog.Errorf(catalog.EINVALID, "You cannot report yourself")
	}
	var ok bool
	var err error
	if tt == TargetListing {
		ok, err = s.listingExists(ctx, in.TargetID)
	} else {
		ok, err = s.store.TargetExists(ctx, tt, in.TargetID, actor.ID)
	}
	if err != nil {
		return Report{}, fmt.Errorf("create report: target: %w", err)
	}
	if !ok {
		return Report{}, catalog.Errorf(catalog.ENOTFOUND, "Report target not found")
	}
	r, err := s.store.InsertReport(ctx, Report{ReporterID: &actor.ID, TargetType: tt, TargetID: in.TargetID,
		Reason: strings.TrimSpace(in.Reason), Category: cat, Status: ReportOpen, CreatedAt: s.now().UTC()})
	if err != nil {
		return Report{}, fmt.Errorf("create report: %w", err)
	}
	return r, nil
}

// MyReports lists one page (q's Limit and Offset) of actor's reports of
// every status, newest first.
func (s *Service) MyReports(ctx context.Context, actor Actor, q ReportQuery) (ReportList, error) {
	return s.reports(ctx, ReportQuery{ReporterID: &actor.ID, Limit: q.Limit, Offset: q.Offset})
}

// ReportQueue lists reports for admins (oldest open first).
func (s *Service) ReportQueue(ctx context.Context, actor Actor, q ReportQuery) (ReportList, error) {
	if !actor.IsAdmin {
		return ReportList{}, catalog.Errorf(catalog.EFORBIDDEN, "Admin only")
	}
	q.ReporterID = nil
	l, err := s.reports(ctx, q)
	l.Status = string(q.Status)
	if l.Status == "" {
		l.Status = "all"
	}
	return l, err
}

func (s *Service) reports(ctx context.Context, q ReportQuery) (ReportList, error) {
	if q.Limit <= 0 || q.Limit > MaxListLimit {
		q.Limit = 50
	}
	rs, total, err := s.store.Reports(ctx, q)
	if err != nil {
		return ReportList{}, fmt.Errorf("reports: %w", err)
	}
	if rs == nil {
		rs = []Report{}
	}
	return ReportList{Items: rs, Total: total, Limit: q.Limit, Offset: q.Offset}, nil
}

// ResolveReport closes an open report as resolved or dismissed (admins).
func (s *Service) ResolveReport(ctx context.Context, actor Actor, id int64, in ReportResolution) (Report, error) {
	status, note := in.Status, in.Resolution
	if !actor.IsAdmin {
		return Report{}, catalog.Errorf(catalog.EFORBIDDEN, "Admin only")
	}
	var f fields
	st := ReportStatus(status)
	if st == "" {
		st = ReportResolved
	}
	if st != ReportResolved && st != ReportDismissed {
		f.add("status", "value is not a valid enumeration member; permitted: 'resolved', 'dismissed'", "type_error.enum")
	}
	f.text("resolution", note, false, MaxResolutionNote)
	if err := f.err(); err != nil {
		return Report{}, err
	}
	return s.store.ResolveReport(ctx, id, actor.ID, st, strings.TrimSpace(note), s.now().UTC())
}

func oneOf[T comparable](v T, all []T) bool {
	for _, a := range all {
		if v == a {
			return true
		}
	}
	return false
}
