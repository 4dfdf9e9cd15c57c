// Package lorcana imports Disney Lorcana from the great-illuminary YAML data
// (data/*.yml). Each set file (tfc.yml, rotf.yml, …) is a list of cards in
// the set where the card first appeared; a card lists its variants, each with
// the set it is printed in (a reprint in "fab", a promo in "p1", …), its
// number in that set and its rarity, and its name and title per language.
// abilities.yml, classifications.yml, configuration.yml, franchises.yml and
// placeholders.yml are reference files, not sets.
//
// The catalogue model: every variant is an ImportCard of the set it is printed
// in, keyed by that set, its number ("1", "4a", "24A") and the English name
// with title ("Ariel - On Human Legs"). Enchanted, epic and iconic versions
// carry numbers of their own, so they are cards of their own. English is
// always a printing; each further language the card has a name in and the
// variant a Ravensburger number for is another, numbered as printed ("1/204
// EN 1", "1/204 FR 1"). Variants are finishes: booster-set
// cards exist as "normal" and "foil"; enchanted, epic and iconic cards and
// promos only as "foil". The data carries neither release dates nor images the
// API can serve.
package lorcana
