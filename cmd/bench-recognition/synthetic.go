package main

import (
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
)

// synthGames are the games the synthetic catalogue prints, each with a
// number format its OCR layout parses and that tells reprints apart:
// Yu-Gi-Oh! LOB-EN001 vs SDK-EN001, Pokémon 4/102 vs 4/130, One Piece
// OP01-001 vs OP05-001, Lorcana 1/204 EN 1 vs 1/216 EN 3, FAB WTR001 vs
// ARC001.
var synthGames = []string{catalog.GameYugioh, catalog.GamePokemon, catalog.GameOnePiece, catalog.GameLorcana, catalog.GameFAB}

// setSlots is how many collector numbers one synthetic set holds.
const setSlots = 200

// synthSet is one synthetic set of a game.
type synthSet struct {
	code, name string
	total      int // printed set total (Pokémon, Lorcana)
	ordinal    int // Lorcana set number
	used       map[int]bool
}

// number prints collector number n of the set the way the game does.
func (s *synthSet) number(game string, n int) string {
	switch game {
	case catalog.GameYugioh:
		return fmt.Sprintf("%s-EN%03d", s.code, n)
	case catalog.GamePokemon:
		return fmt.Sprintf("%d/%d", n, s.total)
	case catalog.GameOnePiece:
		return fmt.Sprintf("%s-%03d", s.code, n)
	case catalog.GameLorcana:
		return fmt.Sprintf("%d/%d EN %d", n, s.total, s.ordinal)
	default:
		return fmt.Sprintf("%s%03d", s.code, n)
	}
}

// newSynthSet names the k-th set of a game; taken holds codes in use.
func newSynthSet(game string, k int, rng *rand.Rand, taken map[string]bool) *synthSet {
	s := &synthSet{total: setSlots + rng.IntN(60), ordinal: k + 1, used: map[int]bool{}}
	letters := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('A' + rng.IntN(26))
		}
		return string(b)
	}
	for {
		switch game {
		case catalog.GameYugioh:
			s.code = letters(4)
		case catalog.GamePokemon:
			s.code = "PK" + letters(2)
		case catalog.GameOnePiece:
			s.code = fmt.Sprintf("%s%02d", []string{"OP", "EB", "ST", "PRB"}[k/99%4], k%99+1)
		case catalog.GameLorcana:
			s.code = fmt.Sprint(s.ordinal)
		default:
			s.code = letters(3)
		}
		if !taken[game+"/"+s.code] {
			taken[game+"/"+s.code] = true
			break
		}
	}
	s.name = fmt.Sprintf("Bench %s %s", strings.ToUpper(game[:1])+game[1:], s.code)
	return s
}

var (
	nameAdj  = strings.Fields("Ancient Blazing Crimson Silent Frozen Golden Shadow Thunder Iron Lunar Solar Wild Brave Mystic Royal Hidden Storm Crystal Savage Noble Spectral Verdant Obsidian Radiant Twilight Scarlet Azure Ember Stone Wandering Howling Gentle Feral Sacred Cursed Swift Grim Sky Sea Dusk")
	nameNoun = strings.Fields("Dragon Knight Wizard Golem Phoenix Serpent Warrior Sprite Titan Wolf Falcon Oracle Sentinel Hydra Ranger Paladin Specter Beast Guardian Witch Giant Raven Lion Tiger Mage Archer Shaman Colossus Wyvern Fox Owl Bear Kraken Djinn Valkyrie Samurai Ninja Rogue Monk Druid")
	nameTail = append([]string{""}, strings.Fields("Prime Lord Queen King Elder Rider Herald Keeper Seeker Caller Bringer Breaker Warden")...)
)

// familyName draws a unique card name.
func familyName(rng *rand.Rand, taken map[string]bool) string {
	for {
		n := nameAdj[rng.IntN(len(nameAdj))] + " " + nameNoun[rng.IntN(len(nameNoun))]
		if t := nameTail[rng.IntN(len(nameTail))]; t != "" {
			n += " " + t
		}
		if !taken[n] {
			taken[n] = true
			return n
		}
	}
}

// editionsOf draws how many editions a family is printed in: 45 % one,
// 30 % two, 15 % three, 10 % four.
func editionsOf(rng *rand.Rand) int {
	switch r := rng.Float64(); {
	case r < 0.45:
		return 1
	case r < 0.75:
		return 2
	case r < 0.90:
		return 3
	default:
		return 4
	}
}

// Synthesize plans a synthetic catalogue of at least n cards (seeded):
// families spread over synthGames, each printed in 1–4 sets, reprints under
// the same collector number of another set where it is free, as reprints
// usually are. Faces are rendered later (Render). reserved are set codes
// (per game, "game/CODE") already used by the real gallery.
func Synthesize(n int, seed uint64, reserved map[string]bool) []Card {
	return newPlanner(seed, reserved).plan(n, galleryArtBase)
}

// galleryArtBase is the art seed of the synthetic catalogue's first family.
const galleryArtBase = 1_000_000

// planner draws synthetic families; one planner continues after the
// catalogue (plan again) so later cards share its sets and never its
// names.
type planner struct {
	rng   *rand.Rand
	taken map[string]bool // set codes
	names map[string]bool
	sets  map[string][]*synthSet
	f     int // families drawn
}

func newPlanner(seed uint64, reserved map[string]bool) *planner {
	p := &planner{rng: rand.New(rand.NewPCG(seed, 0x5EED)), taken: map[string]bool{}, names: map[string]bool{},
		sets: map[string][]*synthSet{}}
	for k := range reserved {
		p.taken[k] = true
	}
	return p
}

// plan draws families until at least n more cards; family f's art seed is
// artBase + f.
func (p *planner) plan(n int, artBase int64) []Card {
	rng := p.rng
	var cards []Card
	for ; len(cards) < n; p.f++ {
		f := p.f
		game := synthGames[f%len(synthGames)]
		fam := f / len(synthGames)
		slot := fam%setSlots + 1
		name := familyName(rng, p.names)
		artSeed := artBase + int64(f)
		k := editionsOf(rng)
		// sets with the slot free, opened as needed
		var free []*synthSet
		for _, s := range p.sets[game] {
			if !s.used[slot] {
				free = append(free, s)
			}
		}
		for len(free) < k {
			s := newSynthSet(game, len(p.sets[game]), rng, p.taken)
			p.sets[game] = append(p.sets[game], s)
			free = append(free, s)
		}
		rng.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
		for _, s := range free[:k] {
			s.used[slot] = true
			cards = append(cards, Card{Game: game, Family: fmt.Sprintf("syn/%d", artSeed), Name: name,
				Number: s.number(game, slot), SetCode: s.code, SetName: s.name, Path: fmt.Sprint(artSeed)})
		}
	}
	return cards
}

// Render draws every synthetic face (demo.RenderCard: the family's art
// seed, the edition's name and number) as a JPEG under dir, reusing faces
// already there, on every core; it sets each card's Path.
func Render(ctx context.Context, cards []Card, dir string, progress catalog.Progress) error {
	defer progress.Finish()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	jobs := make(chan int)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := renderOne(&cards[i], dir); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
				progress.Add(1)
			}
		}()
	}
	var err error
	for i := range cards {
		if cards[i].Real {
			continue
		}
		if err = ctx.Err(); err != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	select {
	case e := <-errs:
		return e
	default:
	}
	return err
}

// renderOne renders c's face unless its file exists; c.Path holds the art
// seed on entry and the file on return.
func renderOne(c *Card, dir string) error {
	var seed int64
	if _, err := fmt.Sscan(c.Path, &seed); err != nil {
		return fmt.Errorf("render: art seed %q: %w", c.Path, err)
	}
	file := strings.NewReplacer("/", "_", " ", "_").Replace(fmt.Sprintf("%s_%d_%s.jpg", c.Game, seed, c.Number))
	c.Path = filepath.Join(dir, file)
	if _, err := os.Stat(c.Path); err == nil {
		return nil
	}
	img, err := demo.RenderCard(c.Game, seed, c.Name, c.Number)
	if err != nil {
		return fmt.Errorf("render %s: %w", c.Number, err)
	}
	return writeJPEG(c.Path, img, 92)
}

// writeJPEG writes img atomically (a temp file renamed into place).
func writeJPEG(path string, img image.Image, q int) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".face-*")
	if err != nil {
		return fmt.Errorf("write face: %w", err)
	}
	if err := jpeg.Encode(tmp, img, &jpeg.Options{Quality: q}); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write face: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write face: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write face: %w", err)
	}
	return nil
}
