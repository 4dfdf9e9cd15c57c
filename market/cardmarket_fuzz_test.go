package market_test

import (
	"strings"
	"testing"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/market"
)

// FuzzParseCardmarketCSV: any upload parses or fails with a 4xx catalog
// error naming a line; parsed rows always hold valid values.
func FuzzParseCardmarketCSV(f *testing.F) {
	f.Add("idProduct;English Name;Exp. Name;Price;Language;Condition;Foil?;Amount;Comments\n273699;Charizard;Base Set;650,00;English;NM;;1;mint\n")
	f.Add("English Name,Exp. Name,Price,Condition,Amount\nPikachu,Base Set,1.50,EX,4\n")
	f.Add("English Name,Price,Condition\n\"Bolt, Lightning\",0.1,PO\n")
	f.Add("\xef\xbb\xbfname,price,condition\nx,1e400,NM\n")
	f.Add("idProduct,Price,Condition\n-1,1,NM\n")
	f.Add("a\"b,c\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		rows, err := market.ParseCardmarketCSV(strings.NewReader(data))
		if err != nil {
			switch catalog.ErrorCode(err) {
			case catalog.EVALIDATION:
				if !strings.HasPrefix(catalog.ErrorMessage(err), "line ") {
					t.Fatalf("422 without a line: %v", err)
				}
			case catalog.ETOOLARGE, catalog.EINVALID:
			default:
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		for _, r := range rows {
			if r.Price <= 0 || r.Price > market.MaxPrice || !r.Condition.Valid() || r.Quantity < 1 || r.Quantity > market.MaxQuantity {
				t.Fatalf("invalid row accepted: %+v", r)
			}
			if r.ProductID == "" && r.Name == "" {
				t.Fatalf("row without a card: %+v", r)
			}
			if r.Line < 2 {
				t.Fatalf("row line %d", r.Line)
			}
		}
	})
}

func TestParseCardmarketCSV(t *testing.T) {
	t.Parallel()
	rows, err := market.ParseCardmarketCSV(strings.NewReader("idProduct;English Name;Exp. Name;Price;Condition;Foil?;Amount\n" +
		"273699;Charizard;Base Set;650,00;MT;;1\n\n;Pikachu;Base Set;1.5;PL;1;4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Price != 65000 || rows[0].Condition != market.NearMint || rows[1].Line != 4 ||
		rows[1].Condition != market.HeavilyPlayed || !rows[1].Foil || rows[1].Quantity != 4 {
		t.Fatalf("rows: %+v", rows)
	}
	for in, line := range map[string]string{
		"Price,Condition\n1,NM\n":                      "line 1",
		"Name,Price,Condition\nx,1,NM\ny,abc,NM\n":     "line 3",
		"Name,Price,Condition\nx,1,NM\ny,1,GREAT\n":    "line 3",
		"Name,Price,Condition,Amount\nx,1,NM,0\n":      "line 2",
		"Name,Price,Condition\n":                       "line 2",
		"Name,Price,Condition\nx,\"1,NM\ny,1,NM\n":     "line ",
		"idProduct,Price,Condition\nabc,1,NM\n":        "line 2",
		"Name,Price,Condition,Foil?\nx,1,NM,perhaps\n": "line 2",
	} {
		_, err := market.ParseCardmarketCSV(strings.NewReader(in))
		if catalog.ErrorCode(err) != catalog.EVALIDATION || !strings.HasPrefix(catalog.ErrorMessage(err), line) {
			t.Errorf("%q: got %v, want 422 %s", in, err, line)
		}
	}
}
