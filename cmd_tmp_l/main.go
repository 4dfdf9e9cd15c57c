package main

import (
	"fmt"
	"os"
	"time"

	"github.com/collectorstash/csm/importer/lorcana"
)

func main() {
	t := time.Now()
	_, sets, err := lorcana.Parse(os.Args[1])
	if err != nil {
		fmt.Println(err)
		return
	}
	el := time.Since(t)
	c, p, v := 0, 0, 0
	for _, s := range sets {
		c += len(s.Cards)
		fmt.Printf("SET %s %q total=%d promo=%v cards=%d\n", s.Code, s.Name, s.TotalCards, s.IsPromo, len(s.Cards))
		for _, cd := range s.Cards {
			p += len(cd.Printings)
			for _, pr := range cd.Printings {
				v += len(pr.Variants)
			}
		}
		if len(os.Args) > 2 {
			for _, cd := range s.Cards {
				fmt.Printf("  %s %q r=%q t=%q\n", cd.CollectorNumber, cd.Name, cd.Rarity, cd.CardType)
				for _, pr := range cd.Printings {
					fmt.Printf("    %s %s %q promo=%v %v\n", pr.Language, pr.PrintRun, pr.CollectorNumber, pr.IsPromo, pr.Variants)
				}
			}
		}
	}
	fmt.Println(len(sets), c, p, v, el)
}
