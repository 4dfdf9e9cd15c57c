package lorcana

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/collectorstash/csm/importer"
)

// yCard is one card of a set file.
type yCard struct {
	Line            int                `yaml:"-"`
	Variants        []yVariant         `yaml:"variants"`
	Type            string             `yaml:"type"`
	Classifications []string           `yaml:"classifications"`
	Languages       map[string]yLocale `yaml:"languages"`
}

// yLocale is a card's text in one language.
type yLocale struct {
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
}

// yVariant is one printing of a card in one set.
type yVariant struct {
	Line   int    `yaml:"-"`
	Set    string `yaml:"set"`
	ID     *int   `yaml:"id"` // nil when missing; 0 is a real number
	Suffix string `yaml:"suffix"`
	Rarity string `yaml:"rarity"`
	// Ravensburger holds the printed number per language ("1/204 EN 1") next
	// to culture_invariant_id and sort_number.
	Ravensburger map[string]string `yaml:"ravensburger"`
}

// UnmarshalYAML decodes a card and remembers its line.
func (c *yCard) UnmarshalYAML(n *yaml.Node) error {
	type plain yCard
	if err := n.Decode((*plain)(c)); err != nil {
		return err
	}
	c.Line = n.Line
	return nil
}

// UnmarshalYAML decodes a variant and remembers its line.
func (v *yVariant) UnmarshalYAML(n *yaml.Node) error {
	type plain yVariant
	if err := n.Decode((*plain)(v)); err != nil {
		return err
	}
	v.Line = n.Line
	return nil
}

// decodeSetFile decodes one set file: a YAML list of cards.
func decodeSetFile(file string, data []byte) (cards []yCard, err error) {
	defer func() {
		// yaml.v3 is not hardened against every malformed input; a panic
		// in the decoder is malformed input, not a crash.
		if r := recover(); r != nil {
			cards, err = nil, importer.Errorf(file, 0, "invalid YAML: %v", r)
		}
	}()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, importer.Errorf(file, 1, "empty file: expected a list of cards")
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, importer.Errorf(file, list.Line, "expected a list of cards, got %s", kindName(list.Kind))
	}
	cards = make([]yCard, len(list.Content))
	for i, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			return nil, importer.Errorf(file, item.Line, "card %d: expected a mapping, got %s", i+1, kindName(item.Kind))
		}
		if err := item.Decode(&cards[i]); err != nil {
			return nil, yamlError(file, err)
		}
	}
	return cards, nil
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlError turns a yaml.v3 error ("yaml: line 7: did not find expected key",
// or a TypeError listing "line 9: cannot unmarshal …") into an EINVALID error
// naming file and line.
func yamlError(file string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := 0
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	return importer.Errorf(file, line, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.DocumentNode:
		return "a document"
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("node kind %d", k)
}
