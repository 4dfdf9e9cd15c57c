package mtg

import (
	"strings"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// sealedJSON is the subset of an MTGJSON sealed product the importer reads.
type sealedJSON struct {
	Name        string `json:"name"`
	Category    string `json:"category"`
	Subtype     string `json:"subtype"`
	UUID        string `json:"uuid"`
	Identifiers struct {
		TCGplayerProductID flexID `json:"tcgplayerProductId"`
		MCMID              flexID `json:"mcmId"`
	} `json:"identifiers"`

	line int // line of the product in its file
}

// buildSealed turns a set's sealed products into catalogue products; the
// first of several with one (name, product type) wins.
func buildSealed(file string, list []sealedJSON) ([]catalog.ImportSealed, error) {
	type key struct{ name, typ string }
	seen := map[key]bool{}
	var out []catalog.ImportSealed
	for _, sp := range list {
		name := strings.TrimSpace(sp.Name)
		if name == "" {
			return nil, importer.Errorf(file, sp.line, "sealed product %q: missing name", sp.UUID)
		}
		typ := ProductType(sp.Category, name)
		if seen[key{name, typ}] {
			continue
		}
		seen[key{name, typ}] = true
		p := catalog.ImportSealed{Name: name, ProductType: typ}
		if id := strings.TrimSpace(sp.UUID); id != "" {
			p.XRefs = append(p.XRefs, catalog.XRef{Source: catalog.XRefMTGJSON, ID: id})
		}
		if id := numericID(sp.Identifiers.TCGplayerProductID); id != "" {
			p.XRefs = append(p.XRefs, catalog.XRef{Source: catalog.XRefTCGplayer, ID: id})
		}
		if id := numericID(sp.Identifiers.MCMID); id != "" {
			p.XRefs = append(p.XRefs, catalog.XRef{Source: catalog.XRefCardmarket, ID: id})
		}
		out = append(out, p)
	}
	return out, nil
}

// ProductType returns a sealed product's type: MTGJSON's category when the
// file has one (newer files: "booster_box", "bundle", …), else one guessed
// from the name: case, prerelease_kit, bundle, deck_builders_toolkit, deck,
// deck_display, booster_box, booster_pack, land_station, box_set or other.
func ProductType(category, name string) string {
	if c := finishName(category); c != "" { // same slug rules as finishes
		return c
	}
	n := strings.ToLower(name)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(n, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has(" case"):
		return "case"
	case has("prerelease"):
		return "prerelease_kit"
	case has("bundle", "fat pack"):
		return "bundle"
	case has("deck builder"):
		return "deck_builders_toolkit"
	case has("deck", "intro pack"):
		if has("display") {
			return "deck_display"
		}
		return "deck"
	case has("booster box", "display", "pack box"):
		return "booster_box"
	case has("pack", "booster"):
		return "booster_pack"
	case has("land station"):
		return "land_station"
	case has("box set", "boxed set", "gift box", "starter", "collection"):
		return "box_set"
	}
	return "other"
}
