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
	if cfg.Scanning != nil {
		need(cfg.ValidateImage != nil, "recognition (Scanning) needs ValidateImage")
		need(cfg.Accounts != nil || cfg.OpenRecognition,
			"recognition (Scanning) without Accounts must be asked for with OpenRecognition")
	}
	need(!(cfg.OpenRecognition && cfg.Accounts != nil), "OpenRecognition and Accounts exclude each other")
	need(!cfg.OpenRecognition || cfg.Scanning != nil, "OpenRecognition without Scanning")
	need(cfg.Detect == nil || cfg.Scanning != nil, "Detect without Scanning (/api/cards/detect is a recognition route)")
	need(cfg.Collection == nil || cfg.Accounts != nil, "the collection routes (Collection) need Accounts")
	need(cfg.Notify == nil || cfg.Accounts != nil, "the notification feed (Notify) needs Accounts")
	need(cfg.Market == nil || cfg.Accounts != nil, "the marketplace (Market) needs Accounts")
	need(cfg.Community == nil || cfg.Accounts != nil, "the community routes (Community) need Accounts")
	need(cfg.QueueUI == nil || cfg.Accounts != nil, "the queue UI (QueueUI) is for admins: it needs Accounts")
	need(cfg.StreamConns == nil || cfg.Stream != nil, "StreamConns without Stream")
	return errors.Join(errs...)
}
