package pokemon

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Defaults of a card whose source names no print run or variant label.
const (
	PrintRunUnlimited    = "unlimited"
	PrintRunFirstEdition = "1st_edition"
	LabelStandard        = "standard"
)

// cardJSON is the subset of a pokemontcg.io card the importer reads.
type cardJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Supertype string   `json:"supertype"`
	Subtypes  []string `json:"subtypes"`
	Number    string   `json:"number"`
	Rarity    string   `json:"rarity"`
	// EvolvesFrom names the Pokémon this card evolves from.
	EvolvesFrom string `json:"evolvesFrom"`
	TCGPlayer   *struct {
		Prices map[string]json.RawMessage `json:"prices"`
	} `json:"tcgplayer"`
}

// ParseCards decodes a cards/<lang>/<set id>.json file (data, named file in
// errors) into the cards of set, which supplies the printing language and
// promo flag. Cards sharing a number and name are merged into one.
func ParseCards(file string, data []byte, set catalog.ImportSet, opt Options) ([]catalog.ImportCard, error) {
	lang := set.Language
	if lang == "" {
		lang = Language
	}
	var cards []catalog.ImportCard
	err := decodeArray(file, data, func(j *cardJSON, line int) error {
		name := strings.TrimSpace(j.Name)
		number := strings.TrimSpace(j.Number)
		if name == "" {
			return importer.Errorf(file, line, "card %q: missing name", j.ID)
		}
		if number == "" {
			return importer.Errorf(file, line, "card %q: missing number", j.ID)
		}
		// printed form "4/102", as on the card and in the API documentation
		if set.TotalCards > 0 && isDigits(number) {
			number = fmt.Sprintf("%s/%d", number, set.TotalCards)
		}
		rarity := normalizeRarity(j.Rarity)
		card := catalog.ImportCard{
			Name:            name,
			CollectorNumber: number,
			Rarity:          rarity,
			CardType:        strings.TrimSpace(j.Supertype),
			Stage:           stageOf(j.Supertype, j.Subtypes),
			EvolvesFrom:     strings.TrimSpace(j.EvolvesFrom),
			Printings:       printings(j, rarity, lang, number, set.IsPromo),
		}
		img, err := findImage(opt.ImagesDir, strings.TrimSpace(j.ID))
		if err != nil {
			return importer.Errorf(file, line, "card %q: %v", j.ID, err)
		}
		if img != nil {
			card.Images = []catalog.ImportImage{*img}
		}
		cards = append(cards, card)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return mergeCards(cards), nil
}

// normalizeRarity trims r and splits run-together words of the newer sets
// ("DoubleRare" → "Double Rare") so one rarity has one spelling.
func normalizeRarity(r string) string {
	r = strings.TrimSpace(r)
	var b strings.Builder
	var prev rune
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) && unicode.IsLower(prev) {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
		prev = c
	}
	return b.String()
}

// printings returns the card's printings: one per print run named by the
// tcgplayer price keys, else one unlimited printing with a normal or (for
// holo rarities) holofoil variant.
func printings(j *cardJSON, rarity, lang, number string, promo bool) []catalog.ImportPrinting {
	var keys []string
	if j.TCGPlayer != nil {
		for k := range j.TCGPlayer.Prices {
			keys = append(keys, k)
		}
	}
	var list []catalog.ImportPrinting
	add := func(run, finish string) {
		v := catalog.ImportVariant{Finish: finish, Label: LabelStandard, PrintRarity: rarity}
		for i := range list {
			if list[i].PrintRun == run {
				list[i].Variants = append(list[i].Variants, v)
				return
			}
		}
		list = append(list, catalog.ImportPrinting{
			Language: lang, PrintRun: run, CollectorNumber: number, IsPromo: promo,
			Variants: []catalog.ImportVariant{v},
		})
	}
	for _, k := range keys {
		run, finish := priceKeyVariant(k)
		add(run, finish)
	}
	if len(list) == 0 {
		finish := "normal"
		if strings.Contains(strings.ToLower(rarity), "holo") {
			finish = "holofoil"
		}
		add(PrintRunUnlimited, finish)
	}
	sortPrintings(list)
	return mergePrintings(list)
}

// priceKeyVariant maps a tcgplayer.prices key to a print run and finish:
// "normal" → unlimited/normal, "reverseHolofoil" → unlimited/reverse_holofoil,
// "1stEditionHolofoil" → 1st_edition/holofoil, "unlimitedHolofoil" →
// unlimited/holofoil. Unknown keys become snake_case finishes.
func priceKeyVariant(key string) (run, finish string) {
	run = PrintRunUnlimited
	switch {
	case strings.HasPrefix(key, "1stEdition"):
		run, key = PrintRunFirstEdition, key[len("1stEdition"):]
	case strings.HasPrefix(key, "unlimited"):
		key = key[len("unlimited"):]
	}
	finish = snakeCase(key)
	if finish == "" {
		finish = "normal"
	}
	return run, finish
}

// snakeCase turns "reverseHolofoil" into "reverse_holofoil", dropping any
// rune that is not an ASCII letter or digit.
func snakeCase(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			if b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(c + ('a' - 'A'))
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
		}
	}
	return b.String()
}

// isDigits reports a non-empty all-digit string.
func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// evolutionStages are the subtypes that name a Pokémon's evolution stage.
var evolutionStages = map[string]bool{"Basic": true, "Stage 1": true, "Stage 2": true, "BREAK": true,
	"Restored": true, "Level-Up": true, "VMAX": true, "VSTAR": true, "MEGA": true}

// stageOf returns the evolution stage of a Pokémon card ("" for trainers
// and energy).
func stageOf(supertype string, subtypes []string) string {
	if !strings.HasPrefix(supertype, "Pok") {
		return ""
	}
	for _, st := range subtypes {
		if evolutionStages[strings.TrimSpace(st)] {
			return strings.TrimSpace(st)
		}
	}
	return ""
}
