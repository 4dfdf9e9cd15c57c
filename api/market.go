package api

import (
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/market"
)

// marketRoutes mounts the marketplace (the seed's "Marketplace listings",
// "Bids", "Seller account", "Transactions", "Reputation", "Image upload",
// "Card verification codes" and "Platform settings").
func (s *Server) marketRoutes(r *gin.Engine) {
	auth, admin := s.require(catalog.AccessAuth), s.require(catalog.AccessAdmin)

	r.GET("/api/listings", s.browseListings)
	r.GET("/api/listings/fee-preview", s.feePreview)
	r.GET("/api/listings/:id", s.getListing)
	r.GET("/api/listings/:id/bids", s.publicBids)
	r.POST("/api/listings/:id/buy-now", auth, s.buyNow)
	r.POST("/api/listings/:id/bids", auth, s.placeBid)

	r.GET("/api/bids", auth, s.myBids)
	r.POST("/api/bids/:id/accept", auth, s.acceptBid)
	r.POST("/api/bids/:id/reject", auth, s.rejectBid)
	r.POST("/api/bids/:id/withdraw", auth, s.withdrawBid)

	sel := r.Group("/seller", auth)
	sel.GET("/account", s.sellerAccount)
	sel.POST("/account", s.becomeSeller)
	sel.POST("/cardmarket", s.linkCardmarket)
	sel.POST("/import/cardmarket", s.importCardmarket)
	sel.GET("/listings", s.sellerListings)
	sel.POST("/listings", s.createListing)
	sel.POST("/listings/drafts", s.createDrafts)
	sel.PATCH("/listings/:id", s.editListing)
	sel.DELETE("/listings/:id", s.withdrawListing)
	sel.POST("/listings/:id/renew", s.renewListing)
	sel.GET("/listings/:id/bids", s.sellerBids)

	txs := r.Group("/api/transactions", auth)
	txs.GET("", s.listTransactions)
	txs.GET("/:id", s.getTransaction)
	txs.POST("/:id/status", s.transactionStatus)
	txs.POST("/:id/shipping", s.transactionShipping)
	txs.POST("/:id/pay", s.transactionPay)
	txs.POST("/:id/rate", s.rateTransaction)

	r.GET("/api/reputation/:username", s.reputation)
	r.GET("/api/sellers/:username/reputation", s.reputation)

	r.POST("/api/upload/listing-image", auth, s.uploadListingImage)

	r.GET("/api/verify/:code", s.verifyCode)

	r.GET("/api/platform/settings", s.publicSettings)
	adm := r.Group("/api/admin/platform-settings", admin)
	adm.GET("", s.adminSettings)
	adm.GET("/:key", s.adminSetting)
	adm.PUT("/:key", s.putSetting)
	adm.DELETE("/:key", s.deleteSetting)

	s.marketPageRoutes(r)
}

// floatQuery parses a float query parameter; def when absent.
func (p *params) float(name string, def float64) float64 {
	raw, ok := p.c.GetQuery(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.add("query", name, "value is not a valid float", "type_error.float")
		return def
	}
	if f < 0 {
		p.add("query", name, "ensure this value is greater than or equal to 0", "value_error.number.not_ge")
		return def
	}
	return f
}

// boolean parses a boolean query parameter; def when absent.
func (p *params) boolean(name string, def bool) bool {
	raw, ok := p.c.GetQuery(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(raw)))
	if err != nil {
		p.add("query", name, "value could not be parsed to a boolean", "type_error.bool")
		return def
	}
	return b
}

// cents converts a euro query amount (0: absent).
func cents(f float64) market.Cents { return market.Cents(math.Round(f * 100)) }

// render writes a service result: err → fail, else status with body.
func (s *Server) render(c *gin.Context, status int, body any, err error) {
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, body)
}

func (s *Server) browseListings(c *gin.Context) {
	p := newParams(c)
	q := market.ListingQuery{
		TCGSlug:  p.str("tcg_slug", 64),
		MinPrice: cents(p.float("min_price", 0)),
		MaxPrice: cents(p.float("max_price", 0)),
		CardID:   p.intRange("query", "card_id", 0, 1, math.MaxInt64),
		Limit:    int(p.intRange("query", "limit", 50, 1, 200)),
		Offset:   int(p.intRange("query", "offset", 0, 0, 1_000_000)),
		Sort:     market.ListingSort(p.enum("sort", string(market.SortNewest), string(market.SortNewest), string(market.SortPriceAsc), string(market.SortPriceDesc))),
	}
	q.Condition = market.Condition(p.enum("condition", "", "NM", "LP", "MP", "HP", "DMG"))
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.cfg.Market.Browse(c.Request.Context(), q)
	s.render(c, http.StatusOK, page, err)
}

func (s *Server) feePreview(c *gin.Context) {
	p := newParams(c)
	if _, ok := c.GetQuery("price"); !ok {
		p.add("query", "price", "field required", "value_error.missing")
	}
	price := p.float("price", 0)
	protect := p.boolean("image_protection", false)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	amount, err := market.EUR("price", price)
	if err != nil {
		var ae *catalog.Error
		if errors.As(err, &ae) && len(ae.Fields) > 0 {
			ae.Fields[0].Loc = []string{"query", "price"}
		}
		s.fail(c, err)
		return
	}
	fp, err := s.cfg.Market.FeePreview(c.Request.Context(), amount, protect)
	if err == nil {
		c.Header("Cache-Control", "public, max-age=60")
		c.JSON(http.StatusOK, fp)
		return
	}
	s.fail(c, err)
}

func (s *Server) getListing(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	l, err := s.cfg.Market.Listing(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, l, err)
}

func (s *Server) publicBids(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	bs, err := s.cfg.Market.PublicBids(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, gin.H{"items": bs}, err)
}

func (s *Server) buyNow(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var b struct {
		Variant string `json:"variant"`
	}
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Market.BuyNow(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, out, err)
}

func (s *Server) placeBid(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var in market.BidInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	b, err := s.cfg.Market.PlaceBid(c.Request.Context(), principalOf(c).User.ID, id, in)
	s.render(c, http.StatusCreated, b, err)
}

func (s *Server) myBids(c *gin.Context) {
	bs, err := s.cfg.Market.MyBids(c.Request.Context(), principalOf(c).User.ID)
	s.render(c, http.StatusOK, gin.H{"items": bs}, err)
}

func (s *Server) acceptBid(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Market.AcceptBid(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, out, err)
}

func (s *Server) rejectBid(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	b, err := s.cfg.Market.RejectBid(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, b, err)
}

func (s *Server) withdrawBid(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	b, err := s.cfg.Market.WithdrawBid(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, b, err)
}

func (s *Server) sellerAccount(c *gin.Context) {
	out, err := s.cfg.Market.Seller(c.Request.Context(), principalOf(c).User.ID)
	s.render(c, http.StatusOK, out, err)
}

func (s *Server) becomeSeller(c *gin.Context) {
	var in market.SellerInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Market.BecomeSeller(c.Request.Context(), principalOf(c).User.ID, in)
	s.render(c, http.StatusOK, out, err)
}

func (s *Server) linkCardmarket(c *gin.Context) {
	var in market.CardmarketInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Market.LinkCardmarket(c.Request.Context(), principalOf(c).User.ID, in)
	s.render(c, http.StatusOK, out, err)
}

// filePart streams the multipart body to its "file" field and returns
// at most max bytes of it (413 beyond), plus the other small fields.
func filePart(c *gin.Context, max int64) ([]byte, map[string]string, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max+1<<20)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, nil, catalog.Validation([]string{"body", "file"}, "field required (multipart/form-data with a file)", "value_error.missing")
	}
	var data []byte
	fields := map[string]string{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, catalog.Errorf(catalog.ETOOLARGE, "File larger than %d MB", max>>20)
		}
		if err != nil {
			return nil, nil, catalog.Errorf(catalog.EINVALID, "Malformed multipart body")
		}
		switch p.FormName() {
		case "file", "image":
			if data != nil {
				return nil, nil, catalog.Errorf(catalog.EINVALID, "One file per request")
			}
			data, err = io.ReadAll(io.LimitReader(p, max+1))
			if errors.As(err, &mbe) || int64(len(data)) > max {
				return nil, nil, catalog.Errorf(catalog.ETOOLARGE, "File larger than %d MB", max>>20)
			}
			if err != nil {
				return nil, nil, catalog.Errorf(catalog.EINVALID, "Malformed multipart body")
			}
			if data == nil {
				data = []byte{}
			}
		default:
			v, _ := io.ReadAll(io.LimitReader(p, 1<<10))
			fields[p.FormName()] = strings.TrimSpace(string(v))
		}
	}
	if len(data) == 0 {
		return nil, nil, catalog.Validation([]string{"body", "file"}, "field required", "value_error.missing")
	}
	return data, fields, nil
}

func (s *Server) importCardmarket(c *gin.Context) {
	data, _, err := filePart(c, market.MaxImportBytes)
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Market.ImportCardmarket(c.Request.Context(), principalOf(c).User.ID, strings.NewReader(string(data)))
	s.render(c, http.StatusCreated, out, err)
}

func (s *Server) sellerListings(c *gin.Context) {
	p := newParams(c)
	limit := int(p.intRange("query", "limit", 50, 1, 200))
	offset := int(p.intRange("query", "offset", 0, 0, 1_000_000))
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.cfg.Market.SellerListings(c.Request.Context(), principalOf(c).User.ID, limit, offset)
	s.render(c, http.StatusOK, page, err)
}

func (s *Server) createListing(c *gin.Context) {
	var in market.ListingInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	l, err := s.cfg.Market.CreateListing(c.Request.Context(), principalOf(c).User.ID, in)
	s.render(c, http.StatusCreated, l, err)
}

// createDrafts is the scan review's "create listings" action (and a
// shop's bulk batch): confirmed cards become draft listings.
func (s *Server) createDrafts(c *gin.Context) {
	var in market.DraftsInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Market.CreateDrafts(c.Request.Context(), principalOf(c).User.ID, in)
	s.render(c, http.StatusCreated, out, err)
}

func (s *Server) editListing(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var in market.ListingEdit
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	l, err := s.cfg.Market.EditListing(c.Request.Context(), principalOf(c).User.ID, id, in)
	s.render(c, http.StatusOK, l, err)
}

func (s *Server) withdrawListing(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	l, err := s.cfg.Market.WithdrawListing(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, l, err)
}

func (s *Server) renewListing(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Market.RenewListing(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, out, err)
}

func (s *Server) sellerBids(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	bs, err := s.cfg.Market.SellerBids(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, gin.H{"items": bs}, err)
}

func (s *Server) listTransactions(c *gin.Context) {
	p := newParams(c)
	role := market.Role(p.enum("role", "", "buyer", "seller"))
	limit := int(p.intRange("query", "limit", 50, 1, 200))
	offset := int(p.intRange("query", "offset", 0, 0, 1_000_000))
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	ts, err := s.cfg.Market.Transactions(c.Request.Context(), principalOf(c).User.ID, role, limit, offset)
	s.render(c, http.StatusOK, gin.H{"items": ts}, err)
}

func (s *Server) getTransaction(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.cfg.Market.Transaction(c.Request.Context(), principalOf(c).User.ID, id)
	s.render(c, http.StatusOK, t, err)
}

func (s *Server) transactionStatus(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var in market.StatusInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.cfg.Market.UpdateStatus(c.Request.Context(), principalOf(c).User.ID, id, in)
	s.render(c, http.StatusOK, t, err)
}

func (s *Server) transactionShipping(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var in market.ShippingInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.cfg.Market.Ship(c.Request.Context(), principalOf(c).User.ID, id, in)
	s.render(c, http.StatusOK, t, err)
}

func (s *Server) transactionPay(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var in struct {
		Provider  string `json:"provider"`
		Reference string `json:"reference"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.cfg.Market.UpdateStatus(c.Request.Context(), principalOf(c).User.ID, id,
		market.StatusInput{Status: string(market.Paid), Provider: in.Provider, Reference: in.Reference})
	s.render(c, http.StatusOK, t, err)
}

func (s *Server) rateTransaction(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var in market.RatingInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.cfg.Market.Rate(c.Request.Context(), principalOf(c).User.ID, id, in)
	s.render(c, http.StatusCreated, r, err)
}

func (s *Server) reputation(c *gin.Context) {
	name := c.Param("username")
	if len(name) > 64 {
		s.fail(c, catalog.Errorf(catalog.ENOTFOUND, "User not found"))
		return
	}
	r, err := s.cfg.Market.Reputation(c.Request.Context(), name)
	s.render(c, http.StatusOK, r, err)
}

func (s *Server) uploadListingImage(c *gin.Context) {
	data, fields, err := filePart(c, market.MaxImageBytes)
	if err != nil {
		s.fail(c, err)
		return
	}
	var listingID int64
	if v := fields["listing_id"]; v != "" {
		if listingID, err = strconv.ParseInt(v, 10, 64); err != nil || listingID <= 0 {
			s.fail(c, catalog.Validation([]string{"body", "listing_id"}, "value is not a valid integer", "type_error.integer"))
			return
		}
	}
	out, err := s.cfg.Market.UploadImage(c.Request.Context(), principalOf(c).User.ID, listingID, data)
	s.render(c, http.StatusCreated, out, err)
}

func (s *Server) verifyCode(c *gin.Context) {
	v, err := s.cfg.Market.Verify(c.Request.Context(), c.Param("code"))
	s.render(c, http.StatusOK, v, err)
}

func (s *Server) publicSettings(c *gin.Context) {
	out, err := s.cfg.Market.PublicSettings(c.Request.Context())
	s.render(c, http.StatusOK, out, err)
}

func (s *Server) adminSettings(c *gin.Context) {
	out, err := s.cfg.Market.AllSettings(c.Request.Context())
	s.render(c, http.StatusOK, gin.H{"items": out}, err)
}

func (s *Server) adminSetting(c *gin.Context) {
	out, err := s.cfg.Market.Setting(c.Request.Context(), c.Param("key"))
	s.render(c, http.StatusOK, out, err)
}

func (s *Server) putSetting(c *gin.Context) {
	var in market.SettingInput
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Market.PutSetting(c.Request.Context(), c.Param("key"), in)
	s.render(c, http.StatusOK, out, err)
}

func (s *Server) deleteSetting(c *gin.Context) {
	if err := s.cfg.Market.DeleteSetting(c.Request.Context(), c.Param("key")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
