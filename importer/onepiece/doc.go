// Package onepiece imports the One Piece Card Game from the OPCG tracker JSON
// (data/cards/<set>.json, one file per set: op01.json … prb02.json). Each file
// is a list of records, one per card image on the official card lists: the
// card code ("OP01-001"), a suffix for parallel arts ("OP01-001_p1") and
// reprints in a later product ("OP01-006_r1" in prb01.json), rarity, type and
// the English and Japanese names. The data/cards-official folder, the same
// records without set names and with plain rarities, is not read.
//
// The catalogue model: a file is a set (code "OP01" from the file name); a
// card is a card code within it, named in English ("Roronoa Zoro", without the
// " (Parallel)" of parallel records). Parallels and reprints are variants of
// that card, not cards of their own, because they carry the same printed
// number as the base card: the suffix exists only on the card list, not on the
// card. A base record is the variant "normal"/"standard", a parallel
// "parallel"/"p1", "p2", …, a reprint "normal"/"r1", "r2". Records with an
// English name are English printings; the few listed only on the Japanese card
// list (no English name) form a "ja" printing. The data carries neither
// release dates, cross-references nor images the API can serve.
package onepiece
