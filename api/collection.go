package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
)

// collectionRoutes mounts the seed's "Collection", "Wishlist", "Price
// alerts", "Decks" and "Profile & privacy" sections.
func (s *Server) collectionRoutes(r *gin.Engine) {
	cs := s.cfg.Collection
	auth := s.require(catalog.AccessAuth)
	col := r.Group("/collection", auth)
	col.GET("", s.listCollection)
	col.POST("/add", bodyCall(s, http.StatusCreated, userID, cs.Add))
	col.POST("/add-batch", bodyCall(s, http.StatusCreated, userID, cs.AddBatch)) // the scan review's "save to collection", all or nothing
	col.POST("/from-batch/:batch_id", s.addBulkBatchToCollection)
	col.GET("/value", s.portfolioValue)
	col.GET("/history", s.valueHistory)
	col.GET("/export", s.exportCollection)
	col.POST("/import", s.importCollection)
	col.PATCH("/:id", idBodyCall(s, "id", userID, cs.Update))
	col.PUT("/:id", idBodyCall(s, "id", userID, cs.Update))
	col.DELETE("/:id", idDelete(s, "id", userID, cs.Remove))

	wish := r.Group("/wishlist", auth)
	wish.GET("", itemsCall(s, userID, cs.Wishlist))
	wish.POST("/add", bodyUpsert(s, userID, cs.Wish)) // 201 added, 200 when already wished (max_price updated, re-armed)
	wish.DELETE("/:card_id", idDelete(s, "card_id", userID, cs.Unwish))

	alerts := r.Group("/alerts", auth)
	alerts.GET("", itemsCall(s, userID, cs.Alerts))
	alerts.POST("", bodyCall(s, http.StatusCreated, userID, cs.CreateAlert)) // 409 for a duplicate
	alerts.DELETE("/:id", idDelete(s, "id", userID, cs.DeleteAlert))

	decks := r.Group("/decks")
	decks.GET("", auth, itemsCall(s, userID, cs.Decks))
	decks.POST("", auth, bodyCall(s, http.StatusCreated, userID, cs.CreateDeck))
	decks.POST("/import", auth, bodyCall(s, http.StatusCreated, userID, cs.ImportDeck)) // 422 when no line resolves
	// public decks by link, anonymously too
	decks.GET("/:id", idCurrencyCall(s, collection.DefaultValueCurrency, cs.Deck))
	decks.GET("/:id/value", idCurrencyCall(s, collection.DefaultValueCurrency, cs.DeckValue))
	decks.GET("/:id/legality", s.deckLegality)
	decks.PATCH("/:id", auth, idBodyCall(s, "id", userID, cs.UpdateDeck))
	decks.DELETE("/:id", auth, idDelete(s, "id", userID, cs.DeleteDeck))
	decks.POST("/:id/cards", auth, idBodyCall(s, "id", userID, cs.AddDeckCard))
	decks.DELETE("/:id/cards/:card_id", auth, s.removeDeckCard)

	s.profileRoutes(r)
}

// currencyParam reads ?currency= (EUR or USD, def when absent).
func currencyParam(p *params, def string) string {
	return p.enum("currency", def, collection.EUR, collection.USD)
}

// listCollection is GET /collection: {"items", "total"}; a browser
// (Accept: text/html, or ?format=html) gets the collection page.
func (s *Server) listCollection(c *gin.Context) {
	if wantsHTML(c) {
		s.collectionPage(c)
		return
	}
	p := newParams(c)
	q := collection.ListQuery{
		Limit:    int(p.intRange("query", "limit", 50, 1, collection.MaxListSize)),
		Offset:   int(p.intRange("query", "offset", 0, 0, 1<<31)),
		TCG:      p.str("tcg_slug", 64),
		Sort:     p.enum("sort", collection.SortAdded, collection.Sorts...),
		Currency: currencyParam(p, collection.DefaultValueCurrency),
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.cfg.Collection.List(c.Request.Context(), principalOf(c).User.ID, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "limit": q.Limit, "offset": q.Offset})
}

// portfolioValue is GET /collection/value (?currency=USD|EUR).
func (s *Server) portfolioValue(c *gin.Context) {
	p := newParams(c)
	cur := currencyParam(p, collection.DefaultValueCurrency)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.cfg.Collection.PortfolioValue(c.Request.Context(), principalOf(c).User.ID, cur)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

// deckLegality is GET /decks/{id}/legality (?format=, the deck's own by
// default).
func (s *Server) deckLegality(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "id", 0, 1, 1<<62)
	format := p.str("format", 40)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	l, err := s.cfg.Collection.Legality(c.Request.Context(), principalOf(c).User.ID, id, format)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, l)
}

// removeDeckCard is DELETE /decks/{id}/cards/{card_id}?section=main&quantity=n
// (quantity absent: every copy): the deck.
func (s *Server) removeDeckCard(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "id", 0, 1, 1<<62)
	card := p.intRange("path", "card_id", 0, 1, 1<<62)
	sec := p.enum("section", string(collection.SectionMain), string(collection.SectionMain),
		string(collection.SectionSideboard), string(collection.SectionCommander))
	qty := p.intRange("query", "quantity", 0, 1, collection.MaxDeckCards)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.cfg.Collection.RemoveDeckCard(c.Request.Context(), principalOf(c).User.ID, id, card, collection.Section(sec), int(qty))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// exportCollection is GET /collection/export (?currency=): text/csv with
// the seed's fixed columns, as an attachment.
func (s *Server) exportCollection(c *gin.Context) {
	p := newParams(c)
	cur := currencyParam(p, collection.DefaultValueCurrency)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="collection.csv"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := s.cfg.Collection.ExportCSV(c.Request.Context(), principalOf(c).User.ID, cur, c.Writer); err != nil {
		// the status is sent: the body ends short and the error is logged
		s.cfg.Log.ErrorContext(c.Request.Context(), "collection export failed", "err", err)
	}
}

// importCollection is POST /collection/import (multipart "file", ≤ 5 MB):
// 201 {format, imported, cards}; a bad row is 422 naming its line and
// nothing is written.
func (s *Server) importCollection(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, collection.MaxCSVBytes+64<<10)
	fh, err := c.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.fail(c, catalog.Errorf(catalog.ETOOLARGE, "CSV file larger than 5 MB"))
		return
	case err != nil:
		s.fail(c, &catalog.Error{Code: catalog.EVALIDATION, Message: "file: field required",
			Fields: []catalog.FieldError{{Loc: []string{"body", "file"}, Msg: "field required (multipart/form-data)", Type: "value_error.missing"}}})
		return
	case fh.Size > collection.MaxCSVBytes:
		s.fail(c, catalog.Errorf(catalog.ETOOLARGE, "CSV file larger than 5 MB"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "Unreadable upload"))
		return
	}
	defer f.Close()
	sum, err := s.cfg.Collection.ImportCSV(c.Request.Context(), principalOf(c).User.ID, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, sum)
}

// valueHistory is GET /collection/history (?days=1–365, 30; ?currency=):
// the collection's value per day.
func (s *Server) valueHistory(c *gin.Context) {
	p := newParams(c)
	days := p.intRange("query", "days", 30, 1, collection.MaxHistoryDays)
	cur := currencyParam(p, collection.DefaultValueCurrency)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	h, err := s.cfg.Collection.ValueHistory(c.Request.Context(), principalOf(c).User.ID, cur, int(days))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, h)
}

// addBulkBatchToCollection is POST /collection/from-batch/{batch_id}: the
// caller's bulk batch's confirmed results; 404 for another user's batch.
func (s *Server) addBulkBatchToCollection(c *gin.Context) {
	res, err := s.cfg.Collection.AddFromBulkBatch(c.Request.Context(), principalOf(c).User.ID, c.Param("batch_id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, res)
}
