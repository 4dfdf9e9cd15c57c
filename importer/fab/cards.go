package fab

import "github.com/collectorstash/csm/importer"

// gameCard is one game object of card.csv: the name and type line every
// printing of it shares.
type gameCard struct {
	name     string
	typeText string
}

// readCards parses card.csv into its cards by Unique ID.
func readCards(data []byte) (map[string]gameCard, error) {
	t, err := readTable(CardFile, data, "Unique ID", "Name", "Type Text")
	if err != nil {
		return nil, err
	}
	cards := make(map[string]gameCard, len(t.rows))
	for _, rec := range t.rows {
		uid := t.get(rec, "Unique ID")
		c := gameCard{name: t.get(rec, "Name"), typeText: t.get(rec, "Type Text")}
		switch {
		case uid == "":
			return nil, importer.Errorf(CardFile, rec.line, "empty Unique ID")
		case c.name == "":
			return nil, importer.Errorf(CardFile, rec.line, "card %s: empty Name", uid)
		}
		if _, dup := cards[uid]; dup {
			return nil, importer.Errorf(CardFile, rec.line, "duplicate Unique ID %q", uid)
		}
		cards[uid] = c
	}
	return cards, nil
}
