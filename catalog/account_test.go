package catalog

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTiersMirrorTheSeed pins the table to the seed's "Tiers & rate limits".
func TestTiersMirrorTheSeed(t *testing.T) {
	t.Parallel()
	type row struct {
		name           string
		perDay, perMin int64
		keys           int
		recognition    int64
	}
	want := []row{
		{"Free", 500, 30, 1, 0},
		{"Starter", 5_000, 60, 3, 25},
		{"Pro", 25_000, 120, 5, 250},
		{"Power Collector", 100_000, 300, 10, 1_000},
		{"Shop Basic", 250_000, 500, 10, 1_000},
		{"Shop Pro", 500_000, 1_000, 15, 2_500},
		{"Enterprise", 1_000_000, 3_000, 25, 10_000},
		{"Unlimited", Unlimited, Unlimited, 50, Unlimited},
	}
	require.Len(t, Tiers, len(want))
	for i, w := range want {
		l := Tiers[i]
		require.Equal(t, w, row{l.Name, l.PerDay, l.PerMinute, l.Keys, l.RecognitionPerDay})
		require.Equal(t, i, l.Tier.Rank())
	}
	require.EqualValues(t, 30, AnonymousPerMinute)
	tt, ok := ParseTier(" Business ")
	require.True(t, ok)
	require.Equal(t, TierShopBasic, tt, "the legacy Business tier resolves")
	_, ok = ParseTier("gold")
	require.False(t, ok)
	require.Equal(t, TierStarter, Lower(TierStarter, TierPro))
	require.Equal(t, TierStarter, Lower(TierEnterprise, TierStarter))
	require.Equal(t, TierFree, Lower("bogus", TierPro))
	require.True(t, TierShopBasic.AtLeast(TierPro))
	require.False(t, Tier("bogus").AtLeast(TierFree))
}

func TestPasswordHashing(t *testing.T) {
	t.Parallel()
	h := HashPassword("hunter2hunter2")
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), h)
	require.NotContains(t, h, "hunter2")
	require.True(t, VerifyPassword(h, "hunter2hunter2"))
	require.False(t, VerifyPassword(h, "hunter2hunter3"))
	require.NotEqual(t, h, HashPassword("hunter2hunter2"), "salted")
	require.False(t, VerifyPassword("", "x"))
	require.False(t, VerifyPassword("$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x"))
	require.Equal(t, "", CheckPassword("12345678"))
	require.NotEqual(t, "", CheckPassword("1234567"))
	require.Equal(t, "", CheckPassword("ääääääää"), "characters, not bytes")
	require.NotEqual(t, "", CheckPassword(strings.Repeat("x", MaxPasswordBytes+1)))
}

func TestKeys(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		k := GenerateKey()
		require.True(t, ValidKeyFormat(k), k)
		require.False(t, seen[k])
		seen[k] = true
		require.Len(t, HashKey(k), 32)
		require.Equal(t, k[:12], KeyPrefix(k))
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pro := TierPro
	k := APIKey{Tier: &pro, ExpiresAt: &now}
	require.Equal(t, TierStarter, k.EffectiveTier(TierStarter))
	require.Equal(t, TierPro, k.EffectiveTier(TierEnterprise))
	require.Equal(t, TierEnterprise, APIKey{}.EffectiveTier(TierEnterprise))
	require.True(t, k.Expired(now))
	require.False(t, k.Expired(now.Add(-time.Nanosecond)))
	require.Equal(t, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), NextMidnightUTC(now))
	require.Equal(t, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), NextMidnightUTC(now.Add(23*time.Hour+59*time.Minute)))
}
