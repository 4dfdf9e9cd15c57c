// Package fab imports Flesh and Blood from the-fab-cube's tab-separated CSV
// export (csvs/english/*.csv): card.csv holds the game objects, card-printing.csv
// every physical printing (set, edition, foiling, art variation, rarity,
// TCGplayer product), set.csv and set-printing.csv the sets and their release
// dates, and edition.csv, foiling.csv, rarity.csv and art-variation.csv the
// code tables the printings refer to.
//
// The catalogue model: one ImportCard per (set, card id such as "WTR001", card
// name) — a double-faced card whose faces are separate game objects, like
// DTD005 "Suraya" / "Figment of Erudition", makes two cards with one number.
// Editions become printings (A → "alpha", F → "first_edition", U and N →
// "unlimited"; every printing is English), foilings become variant finishes (S
// → "normal", R → "rainbow_foil", C → "cold_foil", G → "gold_cold_foil") and
// art variations the variant label ("extended_art", "alternate_art+full_art",
// "standard" when there is none). The back face of a double-faced printing,
// listed as a row of its own, folds into its front; distinct arts under
// identical codes (MPG112 -A/-B/-C) are numbered "full_art", "full_art-2", ….
//
// A TCGplayer product usually covers a card across editions and foilings, so
// its id becomes a card cross-reference when several variants of the card
// carry it and a variant cross-reference when only one does; an id shared by
// several cards stays with the first. Image URLs point to remote hosts and
// are not imported.
package fab
