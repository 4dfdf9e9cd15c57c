package meta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The status page's targets, in display order.
const (
	TargetAPI      = "api"
	TargetRedis    = "redis"
	TargetPostgres = "postgres"
	TargetQueue    = "queue"
	TargetWorkers  = "workers"
)

// Targets lists the status page's targets in order.
var Targets = []string{TargetAPI, TargetRedis, TargetPostgres, TargetQueue, TargetWorkers}

// Check statuses.
const (
	Operational = "operational"
	Degraded    = "degraded"
	Down        = "down"
	// Unknown is a target never checked, or not checked for StaleAfter.
	Unknown = "unknown"
)

// SlowCheck is the latency above which an answering target is degraded.
const SlowCheck = time.Second

// Check is one target's latest check.
type Check struct {
	Target    string     `json:"target"`
	Status    string     `json:"status"`
	LastCheck *time.Time `json:"last_check"`
	LatencyMS *int       `json:"latency_ms"`
	// Detail says what went wrong (empty when operational).
	Detail string `json:"detail,omitempty"`
}

// StatusStore keeps the latest check of each target.
type StatusStore interface {
	SaveChecks(ctx context.Context, cs []Check) error
	Checks(ctx context.Context) ([]Check, error)
}

// Probe checks one target: nil is operational, a DegradedError degraded,
// any other error down.
type Probe interface {
	Target() string
	Check(ctx context.Context) error
}

// DegradedError marks a target that answers but not well.
type DegradedError struct{ Reason string }

func (e *DegradedError) Error() string { return e.Reason }

// Degradedf returns a DegradedError.
func Degradedf(format string, args ...any) error {
	return &DegradedError{Reason: fmt.Sprintf(format, args...)}
}

// ProbeFunc is a Probe from a function.
type ProbeFunc struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Target implements Probe.
func (p ProbeFunc) Target() string { return p.Name }

// Check implements Probe.
func (p ProbeFunc) Check(ctx context.Context) error { return p.Fn(ctx) }

// HTTPProbe GETs URL (the API's /health) and wants a 200.
type HTTPProbe struct {
	Name   string
	URL    string
	Client *http.Client
}

// Target implements Probe.
func (p HTTPProbe) Target() string { return p.Name }

// Check implements Probe.
func (p HTTPProbe) Check(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return fmt.Errorf("probe %s: %w", p.Name, err)
	}
	c := p.Client
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("probe %s: %w", p.Name, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode == http.StatusOK:
		return nil
	case res.StatusCode == http.StatusServiceUnavailable:
		return Degradedf("answers %d", res.StatusCode)
	default:
		return fmt.Errorf("probe %s: answers %d", p.Name, res.StatusCode)
	}
}

// probeTimeout bounds one probe.
const probeTimeout = 5 * time.Second

// RunChecks probes every target (concurrently, each bounded) and stores
// the results: what the periodic status job runs.
func (s *Service) RunChecks(ctx context.Context) ([]Check, error) {
	out := make([]Check, len(s.probes))
	done := make(chan struct{}, len(s.probes))
	for i, p := range s.probes {
		go func() {
			defer func() { done <- struct{}{} }()
			out[i] = s.check(ctx, p)
		}()
	}
	for range s.probes {
		<-done
	}
	if err := s.store.SaveChecks(ctx, out); err != nil {
		return out, fmt.Errorf("status checks: save: %w", err)
	}
	return out, nil
}

func (s *Service) check(ctx context.Context, p Probe) Check {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	start := time.Now()
	err := p.Check(ctx)
	ms := int(time.Since(start).Milliseconds())
	at := s.now().UTC()
	c := Check{Target: p.Target(), Status: Operational, LastCheck: &at, LatencyMS: &ms}
	var de *DegradedError
	switch {
	case errors.As(err, &de):
		c.Status, c.Detail = Degraded, de.Reason
	case err != nil:
		c.Status, c.Detail, c.LatencyMS = Down, err.Error(), nil
	case time.Duration(ms)*time.Millisecond > SlowCheck:
		c.Status, c.Detail = Degraded, "slow"
	}
	return c
}

// Status returns every target's latest check in display order: a target
// never checked, or not for StaleAfter, is unknown.
func (s *Service) Status(ctx context.Context) ([]Check, error) {
	saved, err := s.store.Checks(ctx)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	byTarget := map[string]Check{}
	for _, c := range saved {
		byTarget[c.Target] = c
	}
	now := s.now()
	out := make([]Check, 0, len(Targets))
	for _, t := range Targets {
		c, ok := byTarget[t]
		switch {
		case !ok:
			c = Check{Target: t, Status: Unknown}
		case c.LastCheck == nil || now.Sub(*c.LastCheck) > s.staleAfter:
			c.Status, c.Detail = Unknown, "no recent check"
		}
		out = append(out, c)
	}
	return out, nil
}
