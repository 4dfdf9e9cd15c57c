package market

import (
	"fmt"
	"math"
	"strconv"

	"github.com/collectorstash/csm/catalog"
)

// Cents is an amount of euro cents. It is written in JSON as a number of
// euros with two decimals (650.00).
type Cents int64

// MaxPrice is the highest price a listing or bid may carry (€1,000,000).
const MaxPrice Cents = 100_000_000

// MarshalJSON writes the amount as euros with two decimals.
func (c Cents) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalJSON reads a number of euros (rounded to the cent).
func (c *Cents) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("market: %q is not an amount", b)
	}
	*c = Cents(math.Round(f * 100))
	return nil
}

// String is the amount in euros with two decimals ("657.50").
func (c Cents) String() string {
	neg := c < 0
	if neg {
		c = -c
	}
	s := strconv.FormatInt(int64(c/100), 10) + "." + twoDigits(int64(c%100))
	if neg {
		return "-" + s
	}
	return s
}

// Float is the amount in euros.
func (c Cents) Float() float64 { return float64(c) / 100 }

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// EUR converts a euro amount to cents, rounded to the nearest cent. It
// refuses NaN, infinities, amounts ≤ 0 and amounts above MaxPrice with a
// 422 naming field.
func EUR(field string, v float64) (Cents, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, catalog.Validation([]string{"body", field}, "value is not a valid number", "type_error.float")
	}
	if v <= 0 {
		return 0, catalog.Validation([]string{"body", field}, "ensure this value is greater than 0", "value_error.number.not_gt")
	}
	c := Cents(math.Round(v * 100))
	if c <= 0 {
		return 0, catalog.Validation([]string{"body", field}, "ensure this value is at least 0.01", "value_error.number.not_ge")
	}
	if c > MaxPrice {
		return 0, catalog.Validation([]string{"body", field}, "ensure this value is less than or equal to 1000000", "value_error.number.not_le")
	}
	return c, nil
}

// pct returns rate % of c, rounded half up to the cent.
func pct(c Cents, ratePct float64) Cents {
	return Cents(math.Round(float64(c) * ratePct / 100))
}
