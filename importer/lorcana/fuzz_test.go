package lorcana

import (
	"testing"

	"github.com/collectorstash/csm/importer/importertest"
)

// minimalCard is a one-card set file with every field the importer reads.
const minimalCard = `- variants:
    - set: tfc
      id: 4
      suffix: a
      ravensburger:
        en: "4a/204 EN 1"
        fr: "4a/204 FR 1"
      rarity: super_rare
    - set: tfc
      id: 43
      ravensburger: {en: "43/P2 EN 3"}
      rarity: enchanted
  type: action
  classifications: [song]
  languages:
    en: {name: Ariel, title: On Human Legs}
    fr: {name: ARIEL}
`

// FuzzParseSetYAML feeds arbitrary bytes as a set file: ParseFiles must
// either return valid sets or an EINVALID error, never panic.
func FuzzParseSetYAML(f *testing.F) {
	for _, name := range []string{"tfc.yml", "iti.yml", "fab.yml", "abilities.yml", "franchises.yml"} {
		f.Add(readFile(f, name).Data)
	}
	f.Add([]byte(""))
	f.Add([]byte(minimalCard))
	f.Add([]byte("- variants:\n    - set: p1\n      id: 0\n  languages:\n    en:\n      name: x\n"))
	f.Add([]byte("- &a {variants: [*a]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, sets, err := ParseFiles([]File{{Name: "tfc.yml", Data: data}})
		if !importertest.ParsedOrInvalid(t, err) {
			return
		}
		requireValid(t, sets)
	})
}
