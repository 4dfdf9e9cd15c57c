package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// Card is one gallery card: one image, one exact edition. Cards of the same
// Family share their artwork (reprints); only the printed name, number and
// set tell them apart.
type Card struct {
	// ID is the catalogue card id the bench pins (1-based position).
	ID      int64
	Path    string
	Game    string
	Family  string
	Name    string
	Number  string
	SetCode string
	SetName string
	// Real is true for images read from a gallery directory, false for
	// rendered synthetic faces.
	Real bool
	// Extra marks the synthetic cards added beyond the training catalogue
	// (-unseen-cards): no model ever trained on their art.
	Extra bool
	// Pool is the card's side of the unseen split (Heldout.Assign).
	Pool Pool
}

// Gallery is every card the bench indexes and photographs.
type Gallery struct {
	Cards []Card
}

// gameSlugs are the directory names taken as a game slug.
var gameSlugs = map[string]string{
	"yugioh": catalog.GameYugioh, "pokemon": catalog.GamePokemon, "mtg": catalog.GameMTG,
	"magic-the-gathering": catalog.GameMTG, "onepiece": catalog.GameOnePiece, "one-piece": catalog.GameOnePiece,
	"lorcana": catalog.GameLorcana, "fab": catalog.GameFAB, "flesh-and-blood": catalog.GameFAB,
}

// imageExts are the file endings read as card images.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".webp": true}

// manifestRow is one line of an optional labels.csv: file (or label / stem),
// family, name, number, set and game columns, all but the first optional.
type manifestRow struct {
	family, name, number, set, game string
}

// readManifest reads DIR/labels.csv when present, keyed by file stem.
func readManifest(dir string) (map[string]manifestRow, error) {
	f, err := os.Open(filepath.Join(dir, "labels.csv"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gallery: manifest: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("gallery: %s: header: %w", f.Name(), err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	key := -1
	for _, k := range []string{"file", "label", "stem", "image"} {
		if i, ok := col[k]; ok {
			key = i
			break
		}
	}
	if key < 0 {
		return nil, fmt.Errorf("gallery: %s: no file/label column", f.Name())
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	rows := map[string]manifestRow{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gallery: %s:%d: %w", f.Name(), line, err)
		}
		if key >= len(rec) {
			continue
		}
		stem := strings.TrimSuffix(filepath.Base(rec[key]), filepath.Ext(rec[key]))
		rows[stem] = manifestRow{family: get(rec, "family"), name: get(rec, "name"), number: get(rec, "number"),
			set: get(rec, "set"), game: get(rec, "game")}
	}
	return rows, nil
}

// LoadDir reads a directory of labelled card images (label = file stem).
// The game is the directory's name when it is a game slug, else game.
// Names, numbers and sets come from labels.csv, else from the Yu-Gi-Oh!
// metadata for numeric stems (passcodes), else the stem; each image is its
// own art family unless the manifest groups them.
func LoadDir(dir, game string, ygo *YGOMeta) ([]Card, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("gallery: %w", err)
	}
	if g, ok := gameSlugs[strings.ToLower(filepath.Base(filepath.Clean(dir)))]; ok {
		game = g
	}
	man, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("gallery: %w", err)
	}
	dirSet := strings.ToUpper(filepath.Base(abs))
	var cards []Card
	for _, e := range ents {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || !imageExts[ext] {
			continue
		}
		stem := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		c := Card{Path: filepath.Join(abs, e.Name()), Game: game, Family: dirSet + "/" + stem, Name: stem,
			Number: stem, SetCode: dirSet, SetName: "Gallery " + filepath.Base(abs), Real: true}
		if game == catalog.GameYugioh && ygo != nil {
			if p, ok := ygo.ByPasscode(stem); ok {
				c.Name, c.Number, c.SetCode, c.SetName = p.Name, p.Number, p.SetCode, p.SetName
			}
		}
		if m, ok := man[stem]; ok {
			c.Family = firstOf(m.family, c.Family)
			c.Name = firstOf(m.name, c.Name)
			c.Number = firstOf(m.number, c.Number)
			c.SetCode = firstOf(m.set, c.SetCode)
			if m.set != "" {
				c.SetName = m.set
			}
			if g, ok := gameSlugs[strings.ToLower(m.game)]; ok {
				c.Game = g
			}
		}
		cards = append(cards, c)
	}
	sort.Slice(cards, func(i, j int) bool { return cards[i].Path < cards[j].Path })
	return cards, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Summary counts what the gallery holds.
type Summary struct {
	Real, Synthetic       int
	Families, Multi       int // art families, families with ≥ 2 editions
	Editions              map[int]int
	ByGame                map[string]int
	RealByGame, SynByGame map[string]int
}

// Summarize counts cards, families and editions per family.
func (g *Gallery) Summarize() Summary {
	s := Summary{Editions: map[int]int{}, ByGame: map[string]int{}, RealByGame: map[string]int{}, SynByGame: map[string]int{}}
	fam := map[string]int{}
	for _, c := range g.Cards {
		if c.Real {
			s.Real++
			s.RealByGame[c.Game]++
		} else {
			s.Synthetic++
			s.SynByGame[c.Game]++
		}
		s.ByGame[c.Game]++
		fam[c.Family]++
	}
	s.Families = len(fam)
	for _, n := range fam {
		s.Editions[n]++
		if n > 1 {
			s.Multi++
		}
	}
	return s
}

// Print writes the summary.
func (s Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "gallery: %d cards = %d real images + %d synthetic faces; %d art families, %d reprint families (≥ 2 editions)\n",
		s.Real+s.Synthetic, s.Real, s.Synthetic, s.Families, s.Multi)
	var ks []int
	for k := range s.Editions {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	fmt.Fprint(w, "  editions per family:")
	for _, k := range ks {
		fmt.Fprintf(w, " %d×%d", s.Editions[k], k)
	}
	fmt.Fprintln(w)
	var games []string
	for g := range s.ByGame {
		games = append(games, g)
	}
	sort.Strings(games)
	for _, g := range games {
		fmt.Fprintf(w, "  %-20s %6d cards (%d real, %d synthetic)\n", g, s.ByGame[g], s.RealByGame[g], s.SynByGame[g])
	}
}
