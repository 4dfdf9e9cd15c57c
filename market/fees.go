package market

import (
	"context"
	"math"
)

// FeePreview is what a seller pays on a sale price (the seed's "Fee
// preview").
type FeePreview struct {
	MarketplaceRate     float64 `json:"marketplace_rate"`
	MarketplaceAmt      Cents   `json:"marketplace_amt"`
	ImageProtectionRate float64 `json:"image_protection_rate"`
	ImageProtectionAmt  Cents   `json:"image_protection_amt"`
	TotalAmt            Cents   `json:"total_amt"`
	SellerPayout        Cents   `json:"seller_payout"`
}

// Amounts are the money of one sale.
type Amounts struct {
	Amount         Cents
	HandlingFee    Cents
	BuyerTotal     Cents
	MarketplaceFee Cents
	ProtectionFee  Cents
	SellerPayout   Cents
}

// Fees computes the seller's fees on price at rates.
func (r Rates) Fees(price Cents, imageProtection bool) FeePreview {
	f := FeePreview{MarketplaceRate: rate(r.SellerFeePct), MarketplaceAmt: pct(price, r.SellerFeePct)}
	if imageProtection {
		f.ImageProtectionRate = rate(r.ImageProtectionPct)
		f.ImageProtectionAmt = pct(price, r.ImageProtectionPct)
	}
	f.TotalAmt = f.MarketplaceAmt + f.ImageProtectionAmt
	f.SellerPayout = price - f.TotalAmt
	return f
}

// Sale computes a sale's amounts: the buyer pays amount plus the handling
// fee (flat + buyer protection %); the seller receives amount minus fees.
func (r Rates) Sale(amount Cents, imageProtection bool) Amounts {
	f := r.Fees(amount, imageProtection)
	handling := Cents(math.Round(r.HandlingFeeEUR*100)) + pct(amount, r.BuyerProtectionPct)
	return Amounts{
		Amount: amount, HandlingFee: handling, BuyerTotal: amount + handling,
		MarketplaceFee: f.MarketplaceAmt, ProtectionFee: f.ImageProtectionAmt, SellerPayout: f.SellerPayout,
	}
}

// rate turns a percentage into a fraction without float noise (5 → 0.05).
func rate(p float64) float64 { return math.Round(p*1e4) / 1e6 }

// FeePreview returns the fees on price at the current settings.
func (s *Service) FeePreview(ctx context.Context, price Cents, imageProtection bool) (FeePreview, error) {
	r, err := s.Rates(ctx)
	if err != nil {
		return FeePreview{}, err
	}
	return r.Fees(price, imageProtection), nil
}
