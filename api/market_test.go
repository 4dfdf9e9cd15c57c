package api_test

import (
	"bytes"
	"fmt"
	"github.com/collectorstash/csm/accountmail"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/recognizer/scanphoto"
)

// mkt is the API with the marketplace on a schema holding one small set.
type mkt struct {
	*acct
	svc      *market.Service
	static   string
	charizar int64
}

func setupMarketAPI(t *testing.T) *mkt {
	t.Helper()
	m := &mkt{static: t.TempDir()}
	m.acct = setupAccounts(t, acctOptions{noLimiter: true, configure: func(f *acct, cfg *api.Config) {
		comm := community.New(community.Config{Store: f.db.Community(), Listings: f.db.Community(), Now: f.clock.Now, Log: cfg.Log})
		cfg.Community = comm // blocks: a seller's blocks refuse bids
		m.svc = market.New(market.Config{Store: f.db.Market(), Now: f.clock.Now, Secret: cfg.SessionSecret,
			Images: scanphoto.Encoder{}, Files: market.DirFiles{Root: m.static},
			Verified: accountmail.New(accountmail.Config{Store: f.db}), Blocks: comm})
		cfg.Market = m.svc
		cfg.StaticDir = m.static
	}})
	ctx := t.Context()
	gid, err := m.db.UpsertGame(ctx, catalog.GameInfo{Slug: catalog.GamePokemon, Name: "Pokémon TCG"})
	require.NoError(t, err)
	_, err = m.db.UpsertSet(ctx, gid, catalog.ImportSet{Code: "base1", Name: "Base Set", Cards: []catalog.ImportCard{
		{Name: "Charizard", CollectorNumber: "4/102", XRefs: []catalog.XRef{{Source: catalog.XRefCardmarket, ID: "273699"}},
			Printings: []catalog.ImportPrinting{{Language: "en", PrintRun: "unlimited", Variants: []catalog.ImportVariant{{Finish: "holofoil", Label: "standard"}}}}},
	}})
	require.NoError(t, err)
	require.NoError(t, m.db.Pool.QueryRow(ctx, `SELECT id FROM cards WHERE name = 'Charizard'`).Scan(&m.charizar))
	return m
}

// seller registers a user and opens their seller account.
func (m *mkt) seller(name string) *client {
	c := m.register(name)
	m.verifyEmail(name)
	r := c.do(http.MethodPost, "/seller/account", map[string]any{"display_name": "Shop " + name, "country": "NL"})
	require.Equal(m.t, http.StatusOK, r.status, "%s", r.body)
	return c
}

func (m *mkt) listing(c *client, extra map[string]any) map[string]any {
	body := map[string]any{"card_id": m.charizar, "price": 650, "condition": "NM", "quantity": 1, "accepts_offers": true}
	for k, v := range extra {
		body[k] = v
	}
	r := c.do(http.MethodPost, "/seller/listings", body)
	require.Equal(m.t, http.StatusCreated, r.status, "%s", r.body)
	var l map[string]any
	r.json(&l)
	return l
}

func idOf(v map[string]any, key string) int64 { return int64(v[key].(float64)) }

func TestMarketAPIBuyNowAndTransaction(t *testing.T) {
	t.Parallel()
	m := setupMarketAPI(t)
	name := uniqueName("shop")
	seller := m.register(name)

	// e-mail address not verified: 403
	r := seller.do(http.MethodPost, "/seller/listings", map[string]any{"card_id": m.charizar, "price": 650, "condition": "NM"})
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	require.Equal(t, market.MsgVerifyEmail, r.detail())
	r = seller.do(http.MethodPost, "/seller/listings/drafts", map[string]any{"cards": []map[string]any{{"card_id": m.charizar}}})
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	require.Equal(t, market.MsgVerifyEmail, r.detail())
	m.verifyEmail(name)
	// not a seller yet: 403
	r = seller.do(http.MethodPost, "/seller/listings", map[string]any{"card_id": m.charizar, "price": 650, "condition": "NM"})
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = seller.do(http.MethodPost, "/seller/account", map[string]any{"display_name": "Shop", "country": "nl"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = seller.do(http.MethodGet, "/auth/me", nil)
	require.Contains(t, string(r.body), `"is_seller":true`)

	l := m.listing(seller, nil)
	id := idOf(l, "id")
	require.Equal(t, 650.0, l["price"])
	require.Equal(t, "active", l["status"])
	require.Len(t, l["verification_code"], market.CodeLength)
	require.Equal(t, "2026-08-04T12:00:00Z", l["expires_at"]) // 60 days

	// browse
	var page struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	anon := m.anon()
	r = anon.do(http.MethodGet, "/api/listings?tcg_slug=pokemon&min_price=600&max_price=700&condition=NM&limit=10", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&page)
	require.Equal(t, 1, page.Total)
	r = anon.do(http.MethodGet, "/api/listings?max_price=100", nil)
	r.json(&page)
	require.Equal(t, 0, page.Total)
	r = anon.do(http.MethodGet, "/api/listings?limit=500&condition=MINT&min_price=x", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.detail(), `"loc":["query","limit"]`)
	require.Contains(t, r.detail(), `"loc":["query","condition"]`)
	require.Contains(t, r.detail(), `"loc":["query","min_price"]`)

	// buy-now
	r = anon.do(http.MethodPost, fmt.Sprintf("/api/listings/%d/buy-now", id), map[string]any{})
	require.Equal(t, http.StatusUnauthorized, r.status)
	r = seller.do(http.MethodPost, fmt.Sprintf("/api/listings/%d/buy-now", id), map[string]any{})
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "self_buy", r.detail())
	r = seller.do(http.MethodPost, "/api/listings/999999/buy-now", nil)
	require.Equal(t, http.StatusNotFound, r.status)

	buyer := m.register(uniqueName("buyer"))
	r = buyer.do(http.MethodPost, fmt.Sprintf("/api/listings/%d/buy-now", id), map[string]any{})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"amount":650.00`)
	require.Contains(t, string(r.body), `"buyer_total":657.50`)
	require.Contains(t, string(r.body), `"handling_fee":7.50`)
	var co struct {
		OK            bool   `json:"ok"`
		TransactionID int64  `json:"transaction_id"`
		RedirectURL   string `json:"redirect_url"`
		Currency      string `json:"currency"`
	}
	r.json(&co)
	require.True(t, co.OK)
	require.Equal(t, fmt.Sprintf("/checkout/%d", co.TransactionID), co.RedirectURL)
	require.Equal(t, "EUR", co.Currency)
	r = m.register(uniqueName("late")).do(http.MethodPost, fmt.Sprintf("/api/listings/%d/buy-now", id), nil)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)

	// only the parties see it
	tx := fmt.Sprintf("/api/transactions/%d", co.TransactionID)
	stranger := m.register(uniqueName("stranger"))
	require.Equal(t, http.StatusForbidden, stranger.do(http.MethodGet, tx, nil).status)
	require.Equal(t, http.StatusOK, buyer.do(http.MethodGet, tx, nil).status)
	r = buyer.do(http.MethodGet, co.RedirectURL, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), "€657.50")
	require.Contains(t, string(r.body), "awaiting_payment")
	require.Equal(t, http.StatusForbidden, stranger.do(http.MethodGet, co.RedirectURL, nil).status)

	// the flow, with an illegal transition and a wrong party
	require.Equal(t, http.StatusConflict, seller.do(http.MethodPost, tx+"/status", map[string]any{"status": "delivered"}).status)
	require.Equal(t, http.StatusForbidden, buyer.do(http.MethodPost, tx+"/pay", nil).status)
	require.Equal(t, http.StatusUnprocessableEntity, seller.do(http.MethodPost, tx+"/status", map[string]any{"status": "lost"}).status)
	require.Equal(t, http.StatusOK, seller.do(http.MethodPost, tx+"/pay", map[string]any{"reference": "bank 42"}).status)
	r = seller.do(http.MethodPost, tx+"/shipping", map[string]any{"carrier": "postnl"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = seller.do(http.MethodPost, tx+"/shipping", map[string]any{"carrier": "postnl", "tracking_number": "3SABC123"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"status":"shipped"`)
	require.Equal(t, http.StatusOK, buyer.do(http.MethodPost, tx+"/status", map[string]any{"status": "delivered"}).status)
	require.Equal(t, http.StatusOK, buyer.do(http.MethodPost, tx+"/status", map[string]any{"status": "completed"}).status)

	r = buyer.do(http.MethodPost, tx+"/rate", map[string]any{"rating": 5, "review": "Perfect"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.Equal(t, http.StatusConflict, buyer.do(http.MethodPost, tx+"/rate", map[string]any{"rating": 4}).status)
	require.Equal(t, http.StatusUnprocessableEntity, seller.do(http.MethodPost, tx+"/rate", map[string]any{"rating": 6}).status)

	for _, path := range []string{"/api/reputation/" + name, "/api/sellers/" + name + "/reputation"} {
		r = anon.do(http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var rep market.Reputation
		r.json(&rep)
		require.Equal(t, 1, rep.Count)
		require.Equal(t, 5.0, rep.Avg)
		require.Equal(t, "Perfect", rep.RecentReviews[0].Review)
	}
	require.Equal(t, http.StatusNotFound, anon.do(http.MethodGet, "/api/reputation/nobody-here", nil).status)

	r = buyer.do(http.MethodGet, "/api/transactions?role=buyer", nil)
	require.Contains(t, string(r.body), `"role":"buyer"`)
}

func TestMarketAPIListingEditsAndBids(t *testing.T) {
	t.Parallel()
	m := setupMarketAPI(t)
	seller := m.seller(uniqueName("shop"))
	other := m.seller(uniqueName("rival"))
	l := m.listing(seller, map[string]any{"description": "fresh from pack"})
	path := fmt.Sprintf("/seller/listings/%d", idOf(l, "id"))

	// bad bodies: 422 list, nothing written
	r := seller.do(http.MethodPost, "/seller/listings", map[string]any{"card_id": m.charizar, "price": -1, "condition": "MINT",
		"description": strings.Repeat("x", 2001), "image_urls": []string{"https://evil.example/x.png"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	for _, f := range []string{"price", "condition", "description", "image_urls"} {
		require.Contains(t, r.detail(), `"loc":["body","`+f+`"]`)
	}
	r = seller.do(http.MethodPost, "/seller/listings", "not an object")
	require.Equal(t, http.StatusBadRequest, r.status)
	r = seller.do(http.MethodPost, "/seller/listings", map[string]any{"card_id": 424242, "price": 1, "condition": "NM"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	var n int
	require.NoError(t, m.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM listings`).Scan(&n))
	require.Equal(t, 1, n)

	require.Equal(t, http.StatusForbidden, other.do(http.MethodPatch, path, map[string]any{"price": 1}).status)
	require.Equal(t, http.StatusForbidden, other.do(http.MethodDelete, path, nil).status)
	r = seller.do(http.MethodPatch, path, map[string]any{"price": 600.5, "condition": "LP"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"price":600.50`)

	// renew: +30 days, idempotent for 60 s
	r = seller.do(http.MethodPost, path+"/renew", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"expires_at":"2026-09-03T12:00:00Z"`)
	require.Contains(t, string(r.body), `"renewal_count":1`)
	r = seller.do(http.MethodPost, path+"/renew", nil)
	require.Contains(t, string(r.body), `"renewal_count":1`)
	require.Equal(t, http.StatusForbidden, other.do(http.MethodPost, path+"/renew", nil).status)

	// the e-mailed link renews without signing in, once
	tok, err := m.svc.RenewalToken(idOf(l, "id"))
	require.NoError(t, err)
	r = m.anon().do(http.MethodGet, "/listings/renew/"+tok, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, r.header.Get("Content-Type"), "text/html")
	require.Contains(t, string(r.body), "Listing renewed")
	r = m.anon().do(http.MethodGet, "/listings/renew/"+tok, nil)
	require.Equal(t, http.StatusConflict, r.status)
	require.Equal(t, http.StatusNotFound, m.anon().do(http.MethodGet, "/listings/renew/forged.token", nil).status)

	// bids
	bidder := m.register(uniqueName("bidder"))
	bp := fmt.Sprintf("/api/listings/%d/bids", idOf(l, "id"))
	r = bidder.do(http.MethodPost, bp, map[string]any{"amount": 500, "message": strings.Repeat("m", 501)})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = bidder.do(http.MethodPost, bp, map[string]any{"amount": 500, "message": "500?"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var bid map[string]any
	r.json(&bid)
	r = m.anon().do(http.MethodGet, bp, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), `"bidder":"Bidder 1"`)
	require.NotContains(t, string(r.body), "500?")
	r = seller.do(http.MethodGet, fmt.Sprintf("/seller/listings/%d/bids", idOf(l, "id")), nil)
	require.Contains(t, string(r.body), "500?")
	require.Equal(t, http.StatusForbidden, other.do(http.MethodGet, fmt.Sprintf("/seller/listings/%d/bids", idOf(l, "id")), nil).status)
	accept := fmt.Sprintf("/api/bids/%d/accept", idOf(bid, "id"))
	require.Equal(t, http.StatusForbidden, other.do(http.MethodPost, accept, nil).status)
	r = seller.do(http.MethodPost, accept, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"amount":500.00`)
	r = m.register(uniqueName("late")).do(http.MethodPost, fmt.Sprintf("/api/listings/%d/buy-now", idOf(l, "id")), nil)
	require.Equal(t, http.StatusConflict, r.status)

	// withdraw
	l2 := m.listing(seller, nil)
	p2 := fmt.Sprintf("/seller/listings/%d", idOf(l2, "id"))
	r = seller.do(http.MethodDelete, p2, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), `"status":"withdrawn"`)
	r = bidder.do(http.MethodPost, fmt.Sprintf("/api/listings/%d/buy-now", idOf(l2, "id")), nil)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "listing_unavailable", r.detail())
}

// multipartBody builds a multipart form with one file field and fields.
func multipartBody(t *testing.T, field, filename string, data []byte, fields ...string) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		require.NoError(t, w.WriteField(fields[i], fields[i+1]))
	}
	fw, err := w.CreateFormFile(field, filename)
	require.NoError(t, err)
	_, err = fw.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return &buf, w.FormDataContentType()
}

func (c *client) uploadBody(path string, body io.Reader, contentType string) reply {
	c.f.t.Helper()
	b, err := io.ReadAll(body)
	require.NoError(c.f.t, err)
	return c.send(http.MethodPost, path, contentType, b)
}

func testPNG(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func TestMarketAPIUploadsImportAndVerify(t *testing.T) {
	t.Parallel()
	m := setupMarketAPI(t)
	seller := m.seller(uniqueName("shop"))

	// images
	body, ct := multipartBody(t, "file", "card.png", testPNG(t, 300, 420))
	r := seller.uploadBody("/api/upload/listing-image", body, ct)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var up market.ImageUpload
	r.json(&up)
	require.Regexp(t, `^/static/listing_images/2026/06/[0-9a-f]{32}\.webp$`, up.URL)
	img := m.anon().do(http.MethodGet, up.URL, nil)
	require.Equal(t, http.StatusOK, img.status)
	require.Equal(t, "WEBP", string(img.body[8:12]))
	require.Equal(t, up.Size, len(img.body))

	body, ct = multipartBody(t, "file", "notes.txt", []byte("hello, not an image"))
	r = seller.uploadBody("/api/upload/listing-image", body, ct)
	require.Equal(t, http.StatusUnsupportedMediaType, r.status, "%s", r.body)
	require.NotEmpty(t, r.detail())
	big := append(testPNG(t, 10, 10), make([]byte, market.MaxImageBytes)...)
	body, ct = multipartBody(t, "file", "big.png", big)
	r = seller.uploadBody("/api/upload/listing-image", body, ct)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status, "%s", r.body)
	require.NotEmpty(t, r.detail())
	r = m.anon().uploadBody("/api/upload/listing-image", strings.NewReader(""), "multipart/form-data; boundary=x")
	require.Equal(t, http.StatusUnauthorized, r.status)

	// a protected listing with the uploaded image, then a watermarked one
	l := m.listing(seller, map[string]any{"image_urls": []string{up.URL}, "image_protection": true})
	body, ct = multipartBody(t, "file", "card.png", testPNG(t, 300, 420), "listing_id", fmt.Sprint(idOf(l, "id")))
	r = seller.uploadBody("/api/upload/listing-image", body, ct)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.Contains(t, string(r.body), l["verification_code"].(string))

	// verification
	code := l["verification_code"].(string)
	r = m.anon().do(http.MethodGet, "/api/verify/"+strings.ToLower(code), nil)
	require.Equal(t, http.StatusOK, r.status)
	var v map[string]any
	r.json(&v)
	require.Equal(t, true, v["valid"])
	require.Equal(t, "active", v["status"])
	require.Equal(t, "Charizard", v["card_name"])
	require.Equal(t, "Base Set", v["set_name"])
	require.Equal(t, true, v["watermark_enabled"])
	require.Equal(t, fmt.Sprintf("/listings/%d", idOf(l, "id")), v["listing_url"])
	r = m.anon().do(http.MethodGet, "/api/verify/K7H2QP", nil)
	require.JSONEq(t, `{"valid": false, "code": "K7H2QP"}`, string(r.body))
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(m.url + "/verify?code=" + strings.ToLower(code))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.Equal(t, "/verify/"+code, res.Header.Get("Location"))
	r = m.anon().do(http.MethodGet, "/verify/"+code, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), "Charizard")
	require.Equal(t, http.StatusNotFound, m.anon().do(http.MethodGet, "/verify/ZZZZZZ", nil).status)
	require.Equal(t, http.StatusOK, m.anon().do(http.MethodGet, "/verify/help", nil).status)
	require.Equal(t, http.StatusOK, m.anon().do(http.MethodGet, "/verify", nil).status)
	require.Equal(t, http.StatusOK, m.anon().do(http.MethodGet, fmt.Sprintf("/listings/%d", idOf(l, "id")), nil).status)

	// Cardmarket import: all or nothing
	r = seller.do(http.MethodPost, "/seller/cardmarket", map[string]any{"username": "my shop!"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = seller.do(http.MethodPost, "/seller/cardmarket", map[string]any{"username": "MyShop"})
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), `"cardmarket_username":"MyShop"`)
	csv := "idProduct;English Name;Exp. Name;Price;Condition;Amount\n273699;Charizard;Base Set;12,50;EX;3\n"
	body, ct = multipartBody(t, "file", "stock.csv", []byte(csv))
	r = seller.uploadBody("/seller/import/cardmarket", body, ct)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"imported":1`)
	bad := csv + "273699;Charizard;Base Set;12,50;EX;-2\n"
	body, ct = multipartBody(t, "file", "stock.csv", []byte(bad))
	r = seller.uploadBody("/seller/import/cardmarket", body, ct)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.detail(), "line 3")
	var n int
	require.NoError(t, m.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM listings WHERE source = 'cardmarket_csv'`).Scan(&n))
	require.Equal(t, 1, n)
}

func TestMarketAPISettingsAndFeePreview(t *testing.T) {
	t.Parallel()
	m := setupMarketAPI(t)
	anon := m.anon()
	r := anon.do(http.MethodGet, "/api/listings/fee-preview?price=650&image_protection=true", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.JSONEq(t, `{"marketplace_rate": 0.05, "marketplace_amt": 32.50, "image_protection_rate": 0.01,
		"image_protection_amt": 6.50, "total_amt": 39.00, "seller_payout": 611.00}`, string(r.body))
	require.Equal(t, http.StatusUnprocessableEntity, anon.do(http.MethodGet, "/api/listings/fee-preview", nil).status)
	require.Equal(t, http.StatusUnprocessableEntity, anon.do(http.MethodGet, "/api/listings/fee-preview?price=0", nil).status)
	require.Equal(t, http.StatusUnprocessableEntity, anon.do(http.MethodGet, "/api/listings/fee-preview?price=1&image_protection=maybe", nil).status)

	r = anon.do(http.MethodGet, "/api/platform/settings", nil)
	require.Equal(t, http.StatusOK, r.status)
	var pub map[string]any
	r.json(&pub)
	require.Equal(t, 5.0, pub["seller_fee_pct"])
	require.Equal(t, 0.0, pub["buyer_protection_pct"])
	require.Equal(t, 25.0, pub["min_payout_eur"])
	require.Contains(t, pub, "site_announcement")

	user := m.register(uniqueName("user"))
	require.Equal(t, http.StatusForbidden, user.do(http.MethodPut, "/api/admin/platform-settings/seller_fee_pct", map[string]any{"value": 1}).status)
	require.Equal(t, http.StatusUnauthorized, anon.do(http.MethodGet, "/api/admin/platform-settings", nil).status)
	admin := m.admin()
	r = admin.do(http.MethodPut, "/api/admin/platform-settings/seller_fee_pct", map[string]any{"value": 7.5})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = admin.do(http.MethodPut, "/api/admin/platform-settings/seller_fee_pct", map[string]any{"value": 250})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = admin.do(http.MethodPut, "/api/admin/platform-settings/site_announcement", map[string]any{"value": "Maintenance Sunday"})
	require.Equal(t, http.StatusOK, r.status)
	r = admin.do(http.MethodPut, "/api/admin/platform-settings/payout_day", map[string]any{"value": "friday", "is_public": false})
	require.Equal(t, http.StatusOK, r.status)
	r = anon.do(http.MethodGet, "/api/listings/fee-preview?price=100", nil)
	require.Contains(t, string(r.body), `"marketplace_amt":7.50`)
	r = anon.do(http.MethodGet, "/api/platform/settings", nil)
	require.Contains(t, string(r.body), `"site_announcement":"Maintenance Sunday"`)
	require.NotContains(t, string(r.body), "payout_day")
	r = admin.do(http.MethodGet, "/api/admin/platform-settings", nil)
	require.Contains(t, string(r.body), "payout_day")
	require.Equal(t, http.StatusOK, admin.do(http.MethodGet, "/api/admin/platform-settings/payout_day", nil).status)
	require.Equal(t, http.StatusNoContent, admin.do(http.MethodDelete, "/api/admin/platform-settings/payout_day", nil).status)
	require.Equal(t, http.StatusNotFound, admin.do(http.MethodDelete, "/api/admin/platform-settings/payout_day", nil).status)
}

func TestMarketAPIDraftsFromScan(t *testing.T) {
	t.Parallel()
	m := setupMarketAPI(t)
	ctx := t.Context()
	// a Cardmarket trend price for the card
	_, err := m.db.Pool.Exec(ctx, `WITH s AS (INSERT INTO price_series (variant_id, source, region, price_type, currency)
			SELECT id, 'cardmarket', 'eu', 'trend', 'EUR' FROM variants WHERE card_id = $1 LIMIT 1 RETURNING id)
		INSERT INTO price_latest (series_id, as_of, amount_minor) SELECT id, '2026-06-04', 41250 FROM s`, m.charizar)
	require.NoError(t, err)
	seller := m.seller(uniqueName("shop"))
	r := seller.do(http.MethodPost, "/seller/listings/drafts", map[string]any{"scan_session_id": "s1",
		"cards": []map[string]any{{"card_id": m.charizar}, {"card_id": m.charizar, "condition": "LP", "price": 399.99, "quantity": 2}}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var res market.DraftsResult
	r.json(&res)
	require.Equal(t, 2, res.Created)
	require.Equal(t, market.Cents(41250), res.Listings[0].Price) // prefilled
	require.Equal(t, market.ListingDraft, res.Listings[0].Status)
	require.Equal(t, market.Cents(39999), res.Listings[1].Price)

	// drafts are not on sale and not public
	id := res.Listings[0].ID
	require.Equal(t, http.StatusNotFound, m.anon().do(http.MethodGet, fmt.Sprintf("/api/listings/%d", id), nil).status)
	r = m.register(uniqueName("buyer")).do(http.MethodPost, fmt.Sprintf("/api/listings/%d/buy-now", id), nil)
	require.Equal(t, http.StatusNotFound, r.status)
	r = seller.do(http.MethodPatch, fmt.Sprintf("/seller/listings/%d", id), map[string]any{"publish": true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"status":"active"`)
	require.Equal(t, http.StatusOK, m.anon().do(http.MethodGet, fmt.Sprintf("/api/listings/%d", id), nil).status)

	// all or nothing
	r = seller.do(http.MethodPost, "/seller/listings/drafts", map[string]any{"cards": []map[string]any{{"card_id": m.charizar}, {"card_id": 987654}}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.detail(), `"loc":["body","cards","1","card_id"]`)
	var n int
	require.NoError(t, m.db.Pool.QueryRow(ctx, `SELECT count(*) FROM listings`).Scan(&n))
	require.Equal(t, 2, n)
	require.Equal(t, http.StatusForbidden, m.register(uniqueName("nobody")).do(http.MethodPost, "/seller/listings/drafts",
		map[string]any{"cards": []map[string]any{{"card_id": m.charizar}}}).status)
}
