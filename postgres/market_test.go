package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/mail"
	"github.com/collectorstash/csm/mail/mailtest"
	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
)

// marketFixture is the marketplace service over two connection pools on
// one schema (as two API processes would have), with the sample set
// loaded, a seller and a clock.
type marketFixture struct {
	fixture
	other    *postgres.DB
	svc      *market.Service // on db
	svc2     *market.Service // on other
	clock    *marketClock
	seller   catalog.User
	charizar int64
	pikachu  int64
}

type marketClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *marketClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *marketClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setupMarket(t *testing.T) *marketFixture {
	t.Helper()
	db, url := pgtest.New(t)
	other, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(other.Close)
	f := &marketFixture{fixture: fixture{ctx: context.Background(), db: db}, other: other,
		clock: &marketClock{t: time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)}}
	f.load(t)
	cfg := market.Config{Store: db.Market(), Now: f.clock.Now, Secret: []byte("test-secret")}
	f.svc = market.New(cfg)
	cfg.Store = other.Market()
	f.svc2 = market.New(cfg)
	require.NoError(t, db.Pool.QueryRow(f.ctx, `SELECT id FROM cards WHERE name = 'Charizard'`).Scan(&f.charizar))
	require.NoError(t, db.Pool.QueryRow(f.ctx, `SELECT id FROM cards WHERE name = 'Pikachu'`).Scan(&f.pikachu))
	f.seller = f.newSeller(t, "seller")
	return f
}

func (f *marketFixture) newSeller(t *testing.T, name string) catalog.User {
	t.Helper()
	u := newUser(t, f.fixture, name)
	_, err := f.svc.BecomeSeller(f.ctx, u.ID, market.SellerInput{DisplayName: "Shop " + name, Country: "NL"})
	require.NoError(t, err)
	return u
}

func ptr[T any](v T) *T { return &v }

func (f *marketFixture) list(t *testing.T, in market.ListingInput) market.Listing {
	t.Helper()
	if in.CardID == nil {
		in.CardID = &f.charizar
	}
	if in.Price == nil {
		in.Price = ptr(650.0)
	}
	if in.Condition == "" {
		in.Condition = "NM"
	}
	l, err := f.svc.CreateListing(f.ctx, f.seller.ID, in)
	require.NoError(t, err)
	return l
}

func code(err error) string { return catalog.ErrorCode(err) }

// TestMarketBuyNowRace: 100 buyers, half through each pool, race for one
// unit: exactly one transaction, 99 refusals with 409.
func TestMarketBuyNowRace(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	l := f.list(t, market.ListingInput{})
	buyers := make([]catalog.User, 100)
	for i := range buyers {
		buyers[i] = newUser(t, f.fixture, fmt.Sprintf("buyer-%d", i))
	}
	ctx, cancel := context.WithTimeout(f.ctx, 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, refused := 0, map[string]int{}
	start := make(chan struct{})
	for i, b := range buyers {
		svc := f.svc
		if i%2 == 1 {
			svc = f.svc2
		}
		wg.Go(func() {
			<-start
			_, err := svc.BuyNow(ctx, b.ID, l.ID)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				won++
			} else {
				refused[code(err)+" "+catalog.ErrorMessage(err)]++
			}
		})
	}
	close(start)
	wg.Wait()
	require.Equal(t, 1, won)
	require.Equal(t, map[string]int{catalog.ECONFLICT + " " + market.MsgListingSold: 99}, refused)
	var n int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM transactions WHERE listing_id = $1`, l.ID).Scan(&n))
	require.Equal(t, 1, n)
	got, err := f.svc.Listing(f.ctx, 0, l.ID)
	require.NoError(t, err)
	require.Equal(t, market.ListingSold, got.Status)
	require.Equal(t, 0, got.Quantity)
}

// TestMarketBuyNowVersusBidAccept: a buy-now and a bid-accept racing on
// the last unit sell it once, whichever wins.
func TestMarketBuyNowVersusBidAccept(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	bidder := newUser(t, f.fixture, "bidder")
	buyer := newUser(t, f.fixture, "quick-buyer")
	wins := map[string]int{}
	for round := range 20 {
		l := f.list(t, market.ListingInput{AcceptsOffers: true})
		b, err := f.svc.PlaceBid(f.ctx, bidder.ID, l.ID, market.BidInput{Amount: ptr(600.0)})
		require.NoError(t, err)
		var wg sync.WaitGroup
		var errBuy, errAccept error
		start := make(chan struct{})
		wg.Go(func() { <-start; _, errBuy = f.svc.BuyNow(f.ctx, buyer.ID, l.ID) })
		wg.Go(func() { <-start; _, errAccept = f.svc2.AcceptBid(f.ctx, f.seller.ID, b.ID) })
		close(start)
		wg.Wait()
		require.True(t, (errBuy == nil) != (errAccept == nil), "round %d: buy=%v accept=%v", round, errBuy, errAccept)
		var n int
		require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM transactions WHERE listing_id = $1`, l.ID).Scan(&n))
		require.Equal(t, 1, n)
		if errBuy == nil {
			wins["buy"]++
			require.Equal(t, catalog.ECONFLICT, code(errAccept), "%v", errAccept)
			bid, err := f.db.Market().Bid(f.ctx, b.ID)
			require.NoError(t, err)
			require.Equal(t, market.BidRejected, bid.Status) // answered when the last unit went
		} else {
			wins["accept"]++
			require.Equal(t, catalog.ECONFLICT, code(errBuy), "%v", errBuy)
		}
	}
	t.Logf("wins: %v", wins)
}

func TestMarketBuyNowRefusals(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	buyer := newUser(t, f.fixture, "buyer")
	off := f.list(t, market.ListingInput{BuyNowEnabled: ptr(false)})
	_, err := f.svc.BuyNow(f.ctx, buyer.ID, off.ID)
	require.Equal(t, market.MsgBuyNowDisabled, catalog.ErrorMessage(err))
	require.Equal(t, catalog.EINVALID, code(err))

	l := f.list(t, market.ListingInput{Quantity: ptr(2)})
	_, err = f.svc.BuyNow(f.ctx, f.seller.ID, l.ID)
	require.Equal(t, market.MsgSelfBuy, catalog.ErrorMessage(err))
	_, err = f.svc.BuyNow(f.ctx, buyer.ID, 999999)
	require.Equal(t, catalog.ENOTFOUND, code(err))

	// two units: two sales, then sold (409)
	c, err := f.svc.BuyNow(f.ctx, buyer.ID, l.ID)
	require.NoError(t, err)
	require.Equal(t, market.Cents(65000), c.Amount)
	require.Equal(t, market.Cents(750), c.HandlingFee)
	require.Equal(t, market.Cents(65750), c.BuyerTotal)
	require.Equal(t, fmt.Sprintf("/checkout/%d", c.TransactionID), c.RedirectURL)
	_, err = f.svc.BuyNow(f.ctx, buyer.ID, l.ID)
	require.NoError(t, err)
	_, err = f.svc.BuyNow(f.ctx, buyer.ID, l.ID)
	require.Equal(t, catalog.ECONFLICT, code(err))

	// expired: listing_unavailable
	old := f.list(t, market.ListingInput{})
	f.clock.Add(market.ListingTTL + time.Second)
	_, err = f.svc.BuyNow(f.ctx, buyer.ID, old.ID)
	require.Equal(t, market.MsgListingUnavailable, catalog.ErrorMessage(err))
	got, err := f.svc.Listing(f.ctx, 0, old.ID)
	require.NoError(t, err)
	require.Equal(t, market.ListingExpired, got.Status)
}

func TestMarketTransactionFlow(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	buyer := newUser(t, f.fixture, "buyer")
	stranger := newUser(t, f.fixture, "stranger")
	l := f.list(t, market.ListingInput{ImageProtection: true})
	c, err := f.svc.BuyNow(f.ctx, buyer.ID, l.ID)
	require.NoError(t, err)
	id := c.TransactionID

	_, err = f.svc.Transaction(f.ctx, stranger.ID, id)
	require.Equal(t, catalog.EFORBIDDEN, code(err))
	tx, err := f.svc.Transaction(f.ctx, buyer.ID, id)
	require.NoError(t, err)
	require.Equal(t, market.AwaitingPayment, tx.Status)
	require.Equal(t, market.Cents(3250), tx.MarketplaceFee)
	require.Equal(t, market.Cents(650), tx.ProtectionFee)
	require.Equal(t, market.Cents(61100), tx.SellerPayout)

	// the buyer cannot mark paid; shipping before payment is illegal
	_, err = f.svc.UpdateStatus(f.ctx, buyer.ID, id, market.StatusInput{Status: "paid"})
	require.Equal(t, catalog.EFORBIDDEN, code(err))
	_, err = f.svc.Ship(f.ctx, f.seller.ID, id, market.ShippingInput{Carrier: "dhl", TrackingNumber: "JJD0001"})
	require.Equal(t, catalog.ECONFLICT, code(err))
	_, err = f.svc.Rate(f.ctx, buyer.ID, id, market.RatingInput{Rating: ptr(5)})
	require.Equal(t, catalog.ECONFLICT, code(err))

	tx, err = f.svc.UpdateStatus(f.ctx, f.seller.ID, id, market.StatusInput{Status: "paid"})
	require.NoError(t, err)
	require.Equal(t, market.Paid, tx.Status)
	require.Equal(t, "manual", *tx.PaymentProvider)
	_, err = f.svc.Ship(f.ctx, f.seller.ID, id, market.ShippingInput{Carrier: "dhl"})
	require.Equal(t, catalog.EVALIDATION, code(err))
	tx, err = f.svc.Ship(f.ctx, f.seller.ID, id, market.ShippingInput{Carrier: "dhl", TrackingNumber: "JJD0001"})
	require.NoError(t, err)
	require.Equal(t, "JJD0001", *tx.TrackingNumber)
	_, err = f.svc.UpdateStatus(f.ctx, buyer.ID, id, market.StatusInput{Status: "delivered"})
	require.NoError(t, err)
	_, err = f.svc.UpdateStatus(f.ctx, buyer.ID, id, market.StatusInput{Status: "completed"})
	require.NoError(t, err)
	_, err = f.svc.UpdateStatus(f.ctx, buyer.ID, id, market.StatusInput{Status: "cancelled"})
	require.Equal(t, catalog.ECONFLICT, code(err))

	_, err = f.svc.Rate(f.ctx, buyer.ID, id, market.RatingInput{Rating: ptr(5), Review: "Fast and well packed"})
	require.NoError(t, err)
	_, err = f.svc.Rate(f.ctx, buyer.ID, id, market.RatingInput{Rating: ptr(4)})
	require.Equal(t, catalog.ECONFLICT, code(err))
	_, err = f.svc.Rate(f.ctx, f.seller.ID, id, market.RatingInput{Rating: ptr(4)})
	require.NoError(t, err)
	_, err = f.svc.Rate(f.ctx, stranger.ID, id, market.RatingInput{Rating: ptr(1)})
	require.Equal(t, catalog.EFORBIDDEN, code(err))

	rep, err := f.svc.Reputation(f.ctx, f.seller.Username)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Count)
	require.InDelta(t, 5.0, rep.Avg, 0.001)
	require.Equal(t, "buyer", rep.RecentReviews[0].Buyer)

	// cancelling puts the unit back on sale
	l2 := f.list(t, market.ListingInput{})
	c2, err := f.svc.BuyNow(f.ctx, buyer.ID, l2.ID)
	require.NoError(t, err)
	_, err = f.svc.UpdateStatus(f.ctx, buyer.ID, c2.TransactionID, market.StatusInput{Status: "cancelled"})
	require.NoError(t, err)
	back, err := f.svc.Listing(f.ctx, 0, l2.ID)
	require.NoError(t, err)
	require.Equal(t, market.ListingActive, back.Status)
	require.Equal(t, 1, back.Quantity)
}

func TestMarketRenewal(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	other := f.newSeller(t, "other-seller")
	l := f.list(t, market.ListingInput{})
	require.Equal(t, f.clock.Now().Add(market.ListingTTL), l.ExpiresAt)

	r, err := f.svc.RenewListing(f.ctx, f.seller.ID, l.ID)
	require.NoError(t, err)
	require.Equal(t, 1, r.RenewalCount)
	again, err := f.svc.RenewListing(f.ctx, f.seller.ID, l.ID) // within 60 s
	require.NoError(t, err)
	require.Equal(t, r.ExpiresAt, again.ExpiresAt)
	require.Equal(t, 1, again.RenewalCount)
	require.False(t, again.Renewed)
	f.clock.Add(61 * time.Second)
	r3, err := f.svc.RenewListing(f.ctx, f.seller.ID, l.ID)
	require.NoError(t, err)
	require.Equal(t, 2, r3.RenewalCount)
	require.Equal(t, l.ExpiresAt.Add(2*market.RenewBy).Format(time.RFC3339), r3.ExpiresAt)
	_, err = f.svc.RenewListing(f.ctx, other.ID, l.ID)
	require.Equal(t, catalog.EFORBIDDEN, code(err))

	tok, err := f.svc.RenewalToken(l.ID)
	require.NoError(t, err)
	got, err := f.svc.RenewByToken(f.ctx, tok)
	require.NoError(t, err)
	require.Equal(t, 3, got.RenewalCount)
	_, err = f.svc.RenewByToken(f.ctx, tok)
	require.Equal(t, catalog.ECONFLICT, code(err)) // single use
	_, err = f.svc.RenewByToken(f.ctx, tok[:len(tok)-2]+"AA")
	require.Equal(t, catalog.ENOTFOUND, code(err))
	tok2, err := f.svc.RenewalToken(l.ID)
	require.NoError(t, err)
	f.clock.Add(market.RenewalTokenTTL + time.Second)
	_, err = f.svc.RenewByToken(f.ctx, tok2)
	require.Equal(t, catalog.EGONE, code(err))
}

func TestMarketBidsAndVerification(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	a := newUser(t, f.fixture, "alice")
	b := newUser(t, f.fixture, "bob")
	noOffers := f.list(t, market.ListingInput{})
	_, err := f.svc.PlaceBid(f.ctx, a.ID, noOffers.ID, market.BidInput{Amount: ptr(1.0)})
	require.Equal(t, "offers_disabled", catalog.ErrorMessage(err))

	l := f.list(t, market.ListingInput{AcceptsOffers: true})
	_, err = f.svc.PlaceBid(f.ctx, f.seller.ID, l.ID, market.BidInput{Amount: ptr(1.0)})
	require.Equal(t, "self_bid", catalog.ErrorMessage(err))
	_, err = f.svc.PlaceBid(f.ctx, a.ID, l.ID, market.BidInput{Amount: ptr(500.0), Message: strings.Repeat("x", 501)})
	require.Equal(t, catalog.EVALIDATION, code(err))
	ba, err := f.svc.PlaceBid(f.ctx, a.ID, l.ID, market.BidInput{Amount: ptr(500.0), Message: "would you take 500?"})
	require.NoError(t, err)
	bb, err := f.svc.PlaceBid(f.ctx, b.ID, l.ID, market.BidInput{Amount: ptr(550.0)})
	require.NoError(t, err)

	pub, err := f.svc.PublicBids(f.ctx, 0, l.ID)
	require.NoError(t, err)
	require.Len(t, pub, 2)
	require.Equal(t, "Bidder 2", pub[0].Bidder)
	require.Equal(t, "Bidder 1", pub[1].Bidder)
	seen, err := f.svc.SellerBids(f.ctx, f.seller.ID, l.ID)
	require.NoError(t, err)
	require.Equal(t, "bob", seen[0].BidderUsername)
	_, err = f.svc.SellerBids(f.ctx, a.ID, l.ID)
	require.Equal(t, catalog.EFORBIDDEN, code(err))

	_, err = f.svc.WithdrawBid(f.ctx, b.ID, ba.ID)
	require.Equal(t, catalog.EFORBIDDEN, code(err))
	_, err = f.svc.RejectBid(f.ctx, f.seller.ID, ba.ID)
	require.NoError(t, err)
	_, err = f.svc.AcceptBid(f.ctx, f.seller.ID, ba.ID)
	require.Equal(t, catalog.ECONFLICT, code(err))
	c, err := f.svc.AcceptBid(f.ctx, f.seller.ID, bb.ID)
	require.NoError(t, err)
	require.Equal(t, market.Cents(55000), c.Amount)

	v, err := f.svc.Verify(f.ctx, strings.ToLower(l.VerificationCode))
	require.NoError(t, err)
	require.True(t, v.Valid)
	require.Equal(t, market.VerifyExpired, v.Status) // sold
	require.Equal(t, "Charizard", v.CardName)
	require.Equal(t, "Base Set", v.SetName)
	v, err = f.svc.Verify(f.ctx, noOffers.VerificationCode)
	require.NoError(t, err)
	require.Equal(t, market.VerifyActive, v.Status)
	v, err = f.svc.Verify(f.ctx, "ZZZZZZ")
	require.NoError(t, err)
	require.False(t, v.Valid)
	v, err = f.svc.Verify(f.ctx, "K0O1I")
	require.NoError(t, err)
	require.False(t, v.Valid)
}

func TestMarketCardmarketImport(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	good := "idProduct;English Name;Exp. Name;Price;Language;Condition;Foil?;Amount;Comments\n" +
		"273699;Charizard;Base Set;650,00;English;NM;;1;mint from pack\n" +
		";Pikachu;Base Set;1.50;English;EX;1;4;\n"
	res, err := f.svc.ImportCardmarket(f.ctx, f.seller.ID, strings.NewReader(good))
	require.NoError(t, err)
	require.Equal(t, 2, res.Imported)
	require.Equal(t, f.charizar, res.Listings[0].CardID)
	require.Equal(t, market.LightlyPlayed, res.Listings[1].Condition)
	require.Equal(t, "foil", res.Listings[1].Variant)
	require.Equal(t, 4, res.Listings[1].Quantity)

	var before int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM listings`).Scan(&before))
	bad := "idProduct,English Name,Exp. Name,Price,Condition,Amount\n" +
		"273699,Charizard,Base Set,650,NM,1\n" +
		",Pikachu,Base Set,abc,NM,1\n"
	_, err = f.svc.ImportCardmarket(f.ctx, f.seller.ID, strings.NewReader(bad))
	require.Equal(t, catalog.EVALIDATION, code(err))
	require.Contains(t, catalog.ErrorMessage(err), "line 3")
	unknown := "English Name,Exp. Name,Price,Condition\nCharizard,Base Set,1,NM\nMewtwo,Base Set,2,NM\n"
	_, err = f.svc.ImportCardmarket(f.ctx, f.seller.ID, strings.NewReader(unknown))
	require.Contains(t, catalog.ErrorMessage(err), "line 3")
	var after int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM listings`).Scan(&after))
	require.Equal(t, before, after)

	nonSeller := newUser(t, f.fixture, "not-a-seller")
	_, err = f.svc.ImportCardmarket(f.ctx, nonSeller.ID, strings.NewReader(good))
	require.Equal(t, catalog.EFORBIDDEN, code(err))
}

func TestMarketSettingsAndFees(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	fp, err := f.svc.FeePreview(f.ctx, 65000, true)
	require.NoError(t, err)
	require.Equal(t, market.FeePreview{MarketplaceRate: 0.05, MarketplaceAmt: 3250, ImageProtectionRate: 0.01,
		ImageProtectionAmt: 650, TotalAmt: 3900, SellerPayout: 61100}, fp)
	pub, err := f.svc.PublicSettings(f.ctx)
	require.NoError(t, err)
	require.JSONEq(t, "5.0", string(pub["seller_fee_pct"]))
	require.JSONEq(t, "null", string(pub["site_announcement"]))

	_, err = f.svc.PutSetting(f.ctx, "seller_fee_pct", market.SettingInput{Value: []byte(`8`)})
	require.NoError(t, err)
	_, err = f.svc.PutSetting(f.ctx, "seller_fee_pct", market.SettingInput{Value: []byte(`"lots"`)})
	require.Equal(t, catalog.EVALIDATION, code(err))
	fp, err = f.svc.FeePreview(f.ctx, 10000, false)
	require.NoError(t, err)
	require.Equal(t, market.Cents(800), fp.MarketplaceAmt)
	require.Equal(t, market.Cents(9200), fp.SellerPayout)
	require.NoError(t, f.svc.DeleteSetting(f.ctx, "seller_fee_pct"))
	require.Equal(t, catalog.ENOTFOUND, code(f.svc.DeleteSetting(f.ctx, "seller_fee_pct")))
	fp, err = f.svc.FeePreview(f.ctx, 10000, false)
	require.NoError(t, err)
	require.Equal(t, market.Cents(500), fp.MarketplaceAmt) // default
}

// TestMarketExpiryReminders: a week before expiry the seller gets one
// e-mail (through a real SMTP exchange) whose link renews the listing once.
func TestMarketExpiryReminders(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	srv := mailtest.Start(t)
	svc := market.New(market.Config{Store: f.db.Market(), Now: f.clock.Now, Secret: []byte("test-secret"),
		PublicURL: "https://csm.test", Mailer: mail.SMTP{Addr: srv.Addr, From: "CSM <noreply@csm.test>"}})
	l := f.list(t, market.ListingInput{})
	n, err := svc.SendReminders(f.ctx)
	require.NoError(t, err)
	require.Zero(t, n) // 60 days left
	f.clock.Add(market.ListingTTL - market.ReminderBefore + time.Hour)
	n, err = svc.SendReminders(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = svc.SendReminders(f.ctx)
	require.NoError(t, err)
	require.Zero(t, n) // once
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"seller@example.com"}, msgs[0].To)
	i := strings.Index(msgs[0].Data, "https://csm.test/listings/renew/")
	require.Positive(t, i, msgs[0].Data)
	token := strings.Fields(msgs[0].Data[i+len("https://csm.test/listings/renew/"):])[0]
	got, err := svc.RenewByToken(f.ctx, token)
	require.NoError(t, err)
	require.Equal(t, l.ExpiresAt.Add(market.RenewBy), got.ExpiresAt)
	_, err = svc.RenewByToken(f.ctx, token)
	require.Equal(t, catalog.ECONFLICT, code(err))
}

// eventLog records published events.
type eventLog struct {
	mu sync.Mutex
	ev []catalog.Event
}

func (l *eventLog) Publish(_ context.Context, events ...catalog.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ev = append(l.ev, events...)
	return nil
}

func (l *eventLog) topics() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.ev {
		out = append(out, e.Type+" "+e.Topic)
	}
	return out
}

// TestMarketEvents: listing_new on marketplace:new, card:<id> and
// tcg:<slug>; bid and order notifications on the parties' user:<id>.
func TestMarketEvents(t *testing.T) {
	t.Parallel()
	f := setupMarket(t)
	log := &eventLog{}
	svc := market.New(market.Config{Store: f.db.Market(), Now: f.clock.Now, Events: log, Notify: market.EventNotifier{Events: log}})
	buyer := newUser(t, f.fixture, "buyer")
	l, err := svc.CreateListing(f.ctx, f.seller.ID, market.ListingInput{CardID: &f.charizar, Price: ptr(10.0), Condition: "NM", AcceptsOffers: true})
	require.NoError(t, err)
	b, err := svc.PlaceBid(f.ctx, buyer.ID, l.ID, market.BidInput{Amount: ptr(9.0)})
	require.NoError(t, err)
	c, err := svc.AcceptBid(f.ctx, f.seller.ID, b.ID)
	require.NoError(t, err)
	_, err = svc.UpdateStatus(f.ctx, f.seller.ID, c.TransactionID, market.StatusInput{Status: "paid"})
	require.NoError(t, err)
	seller, buyerTopic := catalog.UserTopic(f.seller.ID), catalog.UserTopic(buyer.ID)
	require.Equal(t, []string{
		"listing_new marketplace:new", "listing_new " + catalog.CardTopic(f.charizar), "listing_new tcg:pokemon",
		"notification " + seller,     // bid received
		"notification " + seller,     // item sold
		"notification " + buyerTopic, // bid accepted
		"notification " + buyerTopic, // order updated (paid)
	}, log.topics())
	d := log.ev[0].Data.(market.ListingNew)
	require.Equal(t, market.ListingNew{ListingID: l.ID, CardID: f.charizar, Price: 10, Currency: "EUR"}, d)
}
