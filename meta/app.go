package meta

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// AppVersion is one platform's entry of the mobile version manifest.
type AppVersion struct {
	Platform     Platform  `json:"-"`
	VersionName  string    `json:"version_name"`
	VersionCode  int       `json:"version_code"`
	MinSupported string    `json:"min_supported"`
	ReleaseNotes string    `json:"release_notes"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// AppStore keeps the version manifest.
type AppStore interface {
	AppVersions(ctx context.Context) ([]AppVersion, error)
	SetAppVersion(ctx context.Context, v AppVersion) (AppVersion, error)
}

// MaxReleaseNotes bounds the release notes.
const MaxReleaseNotes = 5000

var semver = regexp.MustCompile(`^[0-9]{1,4}(\.[0-9]{1,4}){0,3}$`)

// Manifest returns the version manifest keyed by platform; platform ""
// is every platform.
func (s *Service) Manifest(ctx context.Context, platform string) (map[Platform]AppVersion, error) {
	vs, err := s.store.AppVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("app manifest: %w", err)
	}
	out := map[Platform]AppVersion{}
	for _, v := range vs {
		if platform == "" || string(v.Platform) == platform {
			out[v.Platform] = v
		}
	}
	return out, nil
}

// SetAppVersion replaces a platform's manifest entry (admins).
func (s *Service) SetAppVersion(ctx context.Context, isAdmin bool, v AppVersion) (AppVersion, error) {
	if !isAdmin {
		return AppVersion{}, catalog.Errorf(catalog.EFORBIDDEN, "Admin only")
	}
	var fs []catalog.FieldError
	field := func(name, msg, typ string) {
		fs = append(fs, catalog.FieldError{Loc: []string{"body", name}, Msg: msg, Type: typ})
	}
	if !validPlatform(v.Platform) {
		fs = append(fs, catalog.FieldError{Loc: []string{"path", "platform"}, Msg: "value is not a valid enumeration member; permitted: 'android', 'ios'", Type: "type_error.enum"})
	}
	v.VersionName, v.MinSupported = strings.TrimSpace(v.VersionName), strings.TrimSpace(v.MinSupported)
	if !semver.MatchString(v.VersionName) {
		field("version_name", "a version such as 1.10.0", "value_error.str.regex")
	}
	if !semver.MatchString(v.MinSupported) {
		field("min_supported", "a version such as 1.8.0", "value_error.str.regex")
	}
	if v.VersionCode < 0 {
		field("version_code", "ensure this value is greater than or equal to 0", "value_error.number.not_ge")
	}
	if len(v.ReleaseNotes) > MaxReleaseNotes {
		field("release_notes", fmt.Sprintf("ensure this value has at most %d characters", MaxReleaseNotes), "value_error.any_str.max_length")
	}
	if len(fs) > 0 {
		return AppVersion{}, &catalog.Error{Code: catalog.EVALIDATION, Message: fs[0].Msg, Fields: fs}
	}
	v.UpdatedAt = s.now().UTC()
	return s.store.SetAppVersion(ctx, v)
}
