package yugioh

import "strings"

// Catalogue finishes of Yu-Gi-Oh! rarities.
const (
	FinishNormal      = "normal"
	FinishHolofoil    = "holofoil"
	FinishParallel    = "parallel"
	FinishStarfoil    = "starfoil"
	FinishShatterfoil = "shatterfoil"
	FinishMosaic      = "mosaic"
	FinishGold        = "gold"
)

// LabelStandard is the variant label of a printing whose rarity is unknown.
const LabelStandard = "standard"

// Finish returns the foil treatment of a rarity: parallel, starfoil,
// shatterfoil, mosaic and gold for those full-card foils; holofoil for the
// rarities with holographic artwork (Super, Ultra, Secret, Ultimate, Ghost,
// Platinum, Prismatic, …); normal otherwise (Common, Rare, Short Print, …).
func Finish(rarity string) string {
	r := strings.ToLower(rarity)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(r, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("parallel"):
		return FinishParallel
	case has("starfoil"):
		return FinishStarfoil
	case has("shatterfoil"):
		return FinishShatterfoil
	case has("mosaic"):
		return FinishMosaic
	case has("gold"):
		return FinishGold
	case has("super", "ultra", "secret", "ultimate", "ghost", "holographic", "platinum", "prismatic", "starlight", "collector"):
		return FinishHolofoil
	}
	return FinishNormal
}

// RarityLabel returns the variant label of a rarity: its lower-case slug
// ("Super Rare" → super_rare), LabelStandard when there is none.
func RarityLabel(rarity string) string {
	if s := slug(rarity, '_'); s != "" {
		return s
	}
	return LabelStandard
}

// slug lower-cases the ASCII letters and digits of s and joins runs of them
// with sep; apostrophes are dropped ("5D's" → 5ds).
func slug(s string, sep byte) string {
	var b strings.Builder
	pending := false
	for _, c := range s {
		switch {
		case c == '\'' || c == '’':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if pending && b.Len() > 0 {
				b.WriteByte(sep)
			}
			pending = false
			b.WriteRune(c)
		default:
			pending = true
		}
	}
	return b.String()
}
