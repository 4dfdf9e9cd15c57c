package market

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Setting is one row of the platform_settings table: a key and a JSON
// value an admin edits without a deploy.
type Setting struct {
	Key         string          `json:"key"`
	Value       json.RawMessage `json:"value"`
	Description string          `json:"description"`
	IsPublic    bool            `json:"is_public"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// The settings the marketplace reads.
const (
	SettingSellerFeePct       = "seller_fee_pct"
	SettingImageProtectionPct = "image_protection_pct"
	SettingBuyerProtectionPct = "buyer_protection_pct"
	SettingHandlingFeeEUR     = "handling_fee_eur"
	SettingMinPayoutEUR       = "min_payout_eur"
	SettingSiteAnnouncement   = "site_announcement"
)

// Rates are the fee settings in force.
type Rates struct {
	SellerFeePct       float64 `json:"seller_fee_pct"`
	ImageProtectionPct float64 `json:"image_protection_pct"`
	BuyerProtectionPct float64 `json:"buyer_protection_pct"`
	HandlingFeeEUR     float64 `json:"handling_fee_eur"`
	MinPayoutEUR       float64 `json:"min_payout_eur"`
}

// DefaultRates apply when a setting is missing or unreadable.
var DefaultRates = Rates{SellerFeePct: 5, ImageProtectionPct: 1, BuyerProtectionPct: 0, HandlingFeeEUR: 7.5, MinPayoutEUR: 25}

// PublicSettings is the public GET: the fee settings plus every other
// public setting by key.
type PublicSettings map[string]json.RawMessage

var settingKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// numericSettings must hold a number in [0, max].
var numericSettings = map[string]float64{
	SettingSellerFeePct:       100,
	SettingImageProtectionPct: 100,
	SettingBuyerProtectionPct: 100,
	SettingHandlingFeeEUR:     10_000,
	SettingMinPayoutEUR:       1_000_000,
}

// PublicSettings returns every public setting (seller_fee_pct,
// buyer_protection_pct, min_payout_eur, site_announcement, …).
func (s *Service) PublicSettings(ctx context.Context) (PublicSettings, error) {
	all, err := s.cfg.Store.Settings(ctx)
	if err != nil {
		return nil, fmt.Errorf("public settings: %w", err)
	}
	out := PublicSettings{}
	for _, st := range all {
		if st.IsPublic {
			out[st.Key] = st.Value
		}
	}
	return out, nil
}

// AllSettings returns every setting (admin).
func (s *Service) AllSettings(ctx context.Context) ([]Setting, error) {
	all, err := s.cfg.Store.Settings(ctx)
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	return all, nil
}

// Setting returns one setting (admin).
func (s *Service) Setting(ctx context.Context, key string) (Setting, error) {
	all, err := s.AllSettings(ctx)
	if err != nil {
		return Setting{}, err
	}
	for _, st := range all {
		if st.Key == key {
			return st, nil
		}
	}
	return Setting{}, catalog.Errorf(catalog.ENOTFOUND, "Setting not found")
}

// SettingInput is an admin's create or update of a setting.
type SettingInput struct {
	Value       json.RawMessage `json:"value"`
	Description *string         `json:"description"`
	IsPublic    *bool           `json:"is_public"`
}

// PutSetting creates or replaces a setting (admin). The fee settings must
// be numbers in range.
func (s *Service) PutSetting(ctx context.Context, key string, in SettingInput) (Setting, error) {
	if !settingKeyRE.MatchString(key) {
		return Setting{}, catalog.Validation([]string{"path", "key"}, "key must be 1-64 of a-z 0-9 _ starting with a letter", "value_error.str.regex")
	}
	v := bytes.TrimSpace(in.Value)
	if len(v) == 0 || !json.Valid(v) {
		return Setting{}, catalog.Validation([]string{"body", "value"}, "field required (any JSON value)", "value_error.missing")
	}
	if len(v) > 4096 {
		return Setting{}, catalog.Validation([]string{"body", "value"}, "value is longer than 4096 bytes", "value_error.any_str.max_length")
	}
	if hi, ok := numericSettings[key]; ok {
		var f float64
		if err := json.Unmarshal(v, &f); err != nil || f < 0 || f > hi {
			return Setting{}, catalog.Validation([]string{"body", "value"}, fmt.Sprintf("%s must be a number between 0 and %g", key, hi), "value_error.number")
		}
	}
	st := Setting{Key: key, Value: json.RawMessage(v), IsPublic: true, UpdatedAt: s.now()}
	if old, err := s.Setting(ctx, key); err == nil {
		st.Description, st.IsPublic = old.Description, old.IsPublic
	}
	if in.Description != nil {
		if len(*in.Description) > 500 {
			return Setting{}, catalog.Validation([]string{"body", "description"}, "ensure this value has at most 500 characters", "value_error.any_str.max_length")
		}
		st.Description = *in.Description
	}
	if in.IsPublic != nil {
		st.IsPublic = *in.IsPublic
	}
	out, err := s.cfg.Store.PutSetting(ctx, st)
	if err != nil {
		return Setting{}, fmt.Errorf("put setting: %w", err)
	}
	return out, nil
}

// DeleteSetting removes a setting (admin); the fee settings fall back to
// DefaultRates.
func (s *Service) DeleteSetting(ctx context.Context, key string) error {
	if err := s.cfg.Store.DeleteSetting(ctx, key); err != nil {
		return fmt.Errorf("delete setting: %w", err)
	}
	return nil
}

// Rates returns the fee settings in force.
func (s *Service) Rates(ctx context.Context) (Rates, error) {
	all, err := s.cfg.Store.Settings(ctx)
	if err != nil {
		return Rates{}, fmt.Errorf("rates: %w", err)
	}
	r := DefaultRates
	for _, st := range all {
		var f float64
		if json.Unmarshal(st.Value, &f) != nil {
			continue
		}
		switch st.Key {
		case SettingSellerFeePct:
			r.SellerFeePct = f
		case SettingImageProtectionPct:
			r.ImageProtectionPct = f
		case SettingBuyerProtectionPct:
			r.BuyerProtectionPct = f
		case SettingHandlingFeeEUR:
			r.HandlingFeeEUR = f
		case SettingMinPayoutEUR:
			r.MinPayoutEUR = f
		}
	}
	return r, nil
}
