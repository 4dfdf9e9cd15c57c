package ocr

import (
	"context"
	"fmt"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/match"
)

// TestReadRealYugioh reads the real card images of testdata/ocr. Measured
// with the toolbox's Tesseract 5.5 and its eng (fast) model: every name
// with NameSimilarity ≥ 0.8 (8 of 8); print codes 0 of 8 read and none
// misread (asserted: a code is read right or not at all) — at the
// dataset's resolution they are 4–7 px tall and blurred, below what
// Tesseract resolves (see TestReadYugiohPrintCodeSize for the printed
// size).
func TestReadRealYugioh(t *testing.T) {
	t.Parallel()
	r := testReader(t)
	cards := loadTruth(t)
	names, codes, wrong := 0, 0, 0
	for _, c := range cards {
		res, err := r.Read(context.Background(), loadCard(t, c.File), catalog.GameYugioh)
		require.NoError(t, err, c.File)
		sim := match.NameSimilarity(res.Name, c.Name)
		if sim >= 0.8 {
			names++
		}
		switch res.Number {
		case c.PrintCode:
			codes++
		case "":
		default:
			wrong++ // a misread code would point the scorer at another printing
		}
		require.GreaterOrEqual(t, res.NameConf, 0.0)
		require.LessOrEqual(t, res.NameConf, 1.0)
		t.Logf("%s %s: name %q (conf %.2f, sim %.2f) number %q (want %s)", c.File, c.Size, res.Name, res.NameConf, sim, res.Number, c.PrintCode)
	}
	t.Logf("names %d/%d, print codes %d/%d right, %d wrong", names, len(cards), codes, len(cards), wrong)
	require.GreaterOrEqual(t, names, 6, "names read with similarity >= 0.8")
	require.Zero(t, wrong, "a print code that is read must be the printed one: an unreadable code is left empty")
}

// TestReadSyntheticPokemon renders a Pokémon-like card: white, black
// "Charizard" where the name is printed and "4/102" bottom-right.
func TestReadSyntheticPokemon(t *testing.T) {
	t.Parallel()
	r := testReader(t)
	card := blankCard(color.White)
	drawText(card, loadFont(t, 26), "Charizard", 0.08, 0.078, color.Black, false)
	drawText(card, loadFont(t, 13), "4/102", 0.95, 0.962, color.Black, true)

	res, err := r.Read(context.Background(), card, catalog.GamePokemon)
	require.NoError(t, err)
	require.Equal(t, "Charizard", res.Name)
	require.Equal(t, "4/102", res.Number)
	require.Greater(t, res.NameConf, 0.8)
	require.Greater(t, res.NumberConf, 0.6)

	t.Run("unknown game", func(t *testing.T) {
		t.Parallel()
		res, err := r.Read(context.Background(), card, "")
		require.NoError(t, err)
		require.Equal(t, "Charizard", res.Name)
		require.Equal(t, "4/102", res.Number)
	})
	t.Run("light on dark", func(t *testing.T) {
		t.Parallel()
		dark := blankCard(color.RGBA{20, 30, 60, 255})
		drawText(dark, loadFont(t, 26), "Blastoise", 0.08, 0.078, color.White, false)
		drawText(dark, loadFont(t, 13), "2/102", 0.95, 0.962, color.White, true)
		res, err := r.Read(context.Background(), dark, catalog.GamePokemon)
		require.NoError(t, err)
		require.Equal(t, "Blastoise", res.Name)
		require.Equal(t, "2/102", res.Number)
	})
}

// TestReadYugiohPrintCodeSize renders print codes where Yu-Gi-Oh! prints
// them, at the printed size and smaller, sharp and blurred, to show the
// number path works at the rectified size: rendered in a sans font, print
// codes are read down to 7 px and after a 373 px round trip; the real
// cards' condensed serif at the dataset's resolution is not (see
// TestReadRealYugioh).
func TestReadYugiohPrintCodeSize(t *testing.T) {
	t.Parallel()
	r := testReader(t)
	for _, tc := range []struct {
		px   float64 // font size in pixels on a 600 px tall card
		down int     // width the card is shrunk to and enlarged back from (blur), 0 none
		want bool
	}{
		{13, 0, true}, // ≈ the printed size: capitals ≈ 1.6% of the height
		{8, 0, true},
		{13, 373, true},  // blurred like the dataset's 373×536 images
		{13, 177, false}, // like its 177×254 ones: logged, not required
	} {
		t.Run(fmt.Sprint(tc.px, "px/", tc.down), func(t *testing.T) {
			t.Parallel()
			card := blankCard(color.RGBA{200, 120, 70, 255})
			drawText(card, loadFont(t, 22), "Obelisk the Tormentor", 0.07, 0.085, color.Black, false)
			drawText(card, loadFont(t, tc.px), "LOB-EN001", 0.90, 0.735, color.RGBA{60, 25, 10, 255}, true)
			if tc.down > 0 {
				card = resample(card, tc.down)
			}
			res, err := r.Read(context.Background(), card, catalog.GameYugioh)
			require.NoError(t, err)
			require.GreaterOrEqual(t, match.NameSimilarity(res.Name, "Obelisk the Tormentor"), 0.9, res.Name)
			t.Logf("font %vpx down %d: number %q", tc.px, tc.down, res.Number)
			if tc.want {
				require.Equal(t, "LOB-EN001", res.Number)
				require.Equal(t, "LOB", res.SetCode)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	r := testReader(t)
	_, err := r.Read(context.Background(), nil, catalog.GamePokemon)
	require.Error(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = r.Read(ctx, blankCard(color.White), catalog.GamePokemon)
	require.ErrorIs(t, err, context.Canceled)

	// a blank card reads nothing, without error
	res, err := r.Read(context.Background(), blankCard(color.White), catalog.GameYugioh)
	require.NoError(t, err)
	require.Equal(t, catalog.OCRResult{}, res)
}

func TestReaderClose(t *testing.T) {
	t.Parallel()
	r, err := New(Config{Clients: 1, MaxVariants: 1})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "second close is a no-op")
	_, err = r.Read(context.Background(), blankCard(color.White), catalog.GamePokemon)
	require.ErrorIs(t, err, ErrClosed)
}

func TestReadConcurrent(t *testing.T) {
	t.Parallel()
	r := testReader(t)
	card := loadCard(t, "11110587.jpg")
	want, err := r.Read(context.Background(), card, catalog.GameYugioh)
	require.NoError(t, err)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := r.Read(context.Background(), card, catalog.GameYugioh)
			if err == nil && got != want {
				err = fmt.Errorf("concurrent read %+v, want %+v", got, want)
			}
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
}

// BenchmarkRead is the time to read one real card with its game known, on
// one Tesseract client (run with -cpu 1 for one core).
func BenchmarkRead(b *testing.B) {
	r, err := New(Config{Clients: 1})
	require.NoError(b, err)
	defer r.Close()
	card := loadCard(b, "11317977.jpg")
	b.ResetTimer()
	for range b.N {
		if _, err := r.Read(context.Background(), card, catalog.GameYugioh); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadSynthetic reads the synthetic Pokémon card, whose fields
// are found with the first variant.
func BenchmarkReadSynthetic(b *testing.B) {
	r, err := New(Config{Clients: 1})
	require.NoError(b, err)
	defer r.Close()
	card := blankCard(color.White)
	drawText(card, loadFont(b, 26), "Charizard", 0.08, 0.078, color.Black, false)
	drawText(card, loadFont(b, 13), "4/102", 0.95, 0.962, color.Black, true)
	b.ResetTimer()
	for range b.N {
		if _, err := r.Read(context.Background(), card, catalog.GamePokemon); err != nil {
			b.Fatal(err)
		}
	}
}
