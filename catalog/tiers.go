package catalog

import "strings"

// Tier is a subscription plan. Its limits live in Tiers, the one table.
type Tier string

// The tiers, in ascending order (collectors, then businesses).
const (
	TierFree           Tier = "free"
	TierStarter        Tier = "starter"
	TierPro            Tier = "pro"
	TierPowerCollector Tier = "power_collector"
	TierShopBasic      Tier = "shop_basic"
	TierShopPro        Tier = "shop_pro"
	TierEnterprise     Tier = "enterprise"
	TierUnlimited      Tier = "unlimited"
)

// Unlimited marks a limit that does not apply (∞ in the seed's table).
const Unlimited = -1

// TierLimits is one row of the seed's "Tiers & rate limits" table.
type TierLimits struct {
	Tier    Tier
	Name    string
	Segment string
	// PerDay and PerMinute bound API requests per key (Unlimited = ∞).
	PerDay    int64
	PerMinute int64
	// Keys is how many active API keys an account of this tier may hold.
	Keys int
	// RecognitionPerDay is the daily scan quota of a key: 0 = recognition
	// not included, Unlimited = ∞.
	RecognitionPerDay int64
}

// Tiers mirrors the seed's table exactly, lowest tier first. It is the one
// place tier limits are written down.
var Tiers = []TierLimits{
	{TierFree, "Free", "Collectors", 500, 30, 1, 0},
	{TierStarter, "Starter", "Collectors", 5_000, 60, 3, 25},
	{TierPro, "Pro", "Collectors", 25_000, 120, 5, 250},
	{TierPowerCollector, "Power Collector", "Collectors", 100_000, 300, 10, 1_000},
	{TierShopBasic, "Shop Basic", "Business", 250_000, 500, 10, 1_000},
	{TierShopPro, "Shop Pro", "Business", 500_000, 1_000, 15, 2_500},
	{TierEnterprise, "Enterprise", "Business", 1_000_000, 3_000, 25, 10_000},
	{TierUnlimited, "Unlimited", "Business", Unlimited, Unlimited, 50, Unlimited},
}

// AnonymousPerMinute is the limit of callers with no key and no cookie, per IP.
const AnonymousPerMinute = 30

// legacyTiers resolve retired plan names still found on old accounts: the
// legacy Business plan is served as Shop Basic.
var legacyTiers = map[string]Tier{"business": TierShopBasic}

// ParseTier resolves a tier name (case-insensitive, legacy names included).
func ParseTier(s string) (Tier, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if t, ok := legacyTiers[s]; ok {
		return t, true
	}
	for _, l := range Tiers {
		if string(l.Tier) == s {
			return l.Tier, true
		}
	}
	return "", false
}

// Rank orders tiers: 0 for free, upwards; -1 for an unknown tier.
func (t Tier) Rank() int {
	if r, ok := legacyTiers[string(t)]; ok {
		t = r
	}
	for i, l := range Tiers {
		if l.Tier == t {
			return i
		}
	}
	return -1
}

// AtLeast reports whether t is min or higher.
func (t Tier) AtLeast(min Tier) bool { return t.Rank() >= min.Rank() && t.Rank() >= 0 }

// Limits returns t's row of the table; an unknown tier gets the free row.
func (t Tier) Limits() TierLimits {
	if r := t.Rank(); r >= 0 {
		return Tiers[r]
	}
	return Tiers[0]
}

// Lower returns the lower of two tiers (a key never exceeds its account).
func Lower(a, b Tier) Tier {
	if a.Rank() < 0 || b.Rank() < 0 {
		return TierFree
	}
	if a.Rank() <= b.Rank() {
		return a.Limits().Tier
	}
	return b.Limits().Tier
}

// TierNames lists the tier names in order, for messages.
func TierNames() []string {
	out := make([]string, len(Tiers))
	for i, l := range Tiers {
		out[i] = string(l.Tier)
	}
	return out
}
