package api

import (
	"errors"
	"fmt"
)

// MinSessionSecret is the shortest tcg_session signing secret accepted.
const MinSessionSecret = 32

// validate reports every route group whose dependencies are only partly
// set: a group is either fully configured or absent, never silently
// dropped or half working.
func (cfg *Config) validate() error {
	var errs []error
	need := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	// Catalog backs the Data API v2 and the health check; only a server
	// that serves neither (the stream benchmark) leaves it out.
	need((cfg.Accounts == nil) == (cfg.Keys == nil), "Accounts and Keys go together")
	if cfg.Accounts != nil {
		need(len(cfg.SessionSecret) >= MinSessionSecret, "SessionSecret must be at least %d bytes with Accounts", MinSessionSecret)
	}
	if cfg.Scans != nil {
		need(cfg.Queue != nil, "recognition (Scans) needs Queue")
		need(cfg.ValidateImage != nil, "recognition (Scans) needs ValidateImage")
		need(cfg.DataDir != "", "recognition (Scans) needs DataDir")
		need(cfg.Accounts != nil || cfg.OpenRecognition,
			"recognition (Scans) without Accounts must be asked for with OpenRecognition")
	}
	need(!(cfg.OpenRecognition && cfg.Accounts != nil), "OpenRecognition and Accounts exclude each other")
	need(!cfg.OpenRecognition || cfg.Scans != nil, "OpenRecognition without Scans")
	need(cfg.Detect == nil || cfg.Scans != nil, "Detect without Scans (/api/cards/detect is a recognition route)")
	if cfg.ScanSessions != nil {
		need(cfg.Accounts != nil, "scan sessions (ScanSessions) need Accounts")
		need(cfg.Scans != nil, "scan sessions (ScanSessions) need Scans")
		need(cfg.ScanEvents != nil, "scan sessions (ScanSessions) need ScanEvents")
	}
	need(cfg.StreamConns == nil || cfg.Stream != nil, "StreamConns without Stream")
	return errors.Join(errs...)
}
