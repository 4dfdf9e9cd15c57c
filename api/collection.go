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
	auth := s.require(catalog.AccessAuth)
	col := r.Group("/collection", auth)
	col.GET("", s.listCollection)
	col.POST("/add", s.addToCollection)
	col.POST("/add-batch", s.addBatchToCollection)
	col.POST("/from-batch/:batch_id", s.addBulkBatchToCollection)
	col.GET("/value", s.portfolioValue)
	col.GET("/history", s.valueHistory)
	col.GET("/export", s.exportCollection)
	col.POST("/import", s.importCollection)
	col.PATCH("/:id", s.updateCollectionEntry)
	col.PUT("/:id", s.updateCollectionEntry)
	col.DELETE("/:id", s.removeCollectionEntry)

	wish := r.Group("/wishlist", auth)
	wish.GET("", s.listWishlist)
	wish.POST("/add", s.addToWishlist)
	wish.DELETE("/:card_id", s.removeFromWishlist)

	alerts := r.Group("/alerts", auth)
	alerts.GET("", s.listAlerts)
	alerts.POST("", s.createAlert)
	alerts.DELETE("/:id", s.deleteAlert)

	decks := r.Group("/decks")
	decks.GET("", auth, s.listDecks)
	decks.POST("", auth, s.createDeck)
	decks.POST("/import", auth, s.importDeck)
	decks.GET("/:id", s.getDeck) // public decks by link, anonymously too
	decks.GET("/:id/value", s.deckValue)
	decks.GET("/:id/legality", s.deckLegality)
	decks.PATCH("/:id", auth, s.updateDeck)
	decks.DELETE("/:id", auth, s.deleteDeck)
	decks.POST("/:id/cards", auth, s.addDeckCard)
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

// addToCollection is POST /collection/add: 201 with the entry.
func (s *Server) addToCollection(c *gin.Context) {
	var b collection.AddRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	e, err := s.cfg.Collection.Add(c.Request.Context(), principalOf(c).User.ID, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, e)
}

// updateCollectionEntry is PATCH (or PUT) /collection/{id}: any of
// quantity, condition, variant, price_paid, graded, grading_company, grade.
func (s *Server) updateCollectionEntry(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var b collection.UpdateRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	e, err := s.cfg.Collection.Update(c.Request.Context(), principalOf(c).User.ID, id, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

// removeCollectionEntry is DELETE /collection/{id}: 204.
func (s *Server) removeCollectionEntry(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Collection.Remove(c.Request.Context(), principalOf(c).User.ID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
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

// listWishlist is GET /wishlist: {"items"}.
func (s *Server) listWishlist(c *gin.Context) {
	items, err := s.cfg.Collection.Wishlist(c.Request.Context(), principalOf(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// addToWishlist is POST /wishlist/add: 201 added, 200 when the card was
// already wished (its max_price updated and re-armed).
func (s *Server) addToWishlist(c *gin.Context) {
	var b collection.WishRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	w, created, err := s.cfg.Collection.Wish(c.Request.Context(), principalOf(c).User.ID, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, w)
}

// removeFromWishlist is DELETE /wishlist/{card_id}: 204.
func (s *Server) removeFromWishlist(c *gin.Context) {
	id, err := pathID(c, "card_id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Collection.Unwish(c.Request.Context(), principalOf(c).User.ID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listAlerts is GET /alerts: {"items"}, newest first.
func (s *Server) listAlerts(c *gin.Context) {
	items, err := s.cfg.Collection.Alerts(c.Request.Context(), principalOf(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// createAlert is POST /alerts: 201; 409 for a duplicate.
func (s *Server) createAlert(c *gin.Context) {
	var b collection.AlertRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	a, err := s.cfg.Collection.CreateAlert(c.Request.Context(), principalOf(c).User.ID, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, a)
}

// deleteAlert is DELETE /alerts/{id}: 204.
func (s *Server) deleteAlert(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Collection.DeleteAlert(c.Request.Context(), principalOf(c).User.ID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listDecks is GET /decks: the caller's decks {"items"}.
func (s *Server) listDecks(c *gin.Context) {
	items, err := s.cfg.Collection.Decks(c.Request.Context(), principalOf(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// createDeck is POST /decks {name, tcg_slug, format?, is_public?}: 201.
func (s *Server) createDeck(c *gin.Context) {
	var b collection.DeckRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.cfg.Collection.CreateDeck(c.Request.Context(), principalOf(c).User.ID, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

// getDeck is GET /decks/{id}: the owner's, or anyone's when public; with
// cards and value (?currency=).
func (s *Server) getDeck(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "id", 0, 1, 1<<62)
	cur := currencyParam(p, collection.DefaultValueCurrency)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.cfg.Collection.Deck(c.Request.Context(), principalOf(c).User.ID, id, cur)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, d)
}

// deckValue is GET /decks/{id}/value (?currency=).
func (s *Server) deckValue(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "id", 0, 1, 1<<62)
	cur := currencyParam(p, collection.DefaultValueCurrency)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.cfg.Collection.DeckValue(c.Request.Context(), principalOf(c).User.ID, id, cur)
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

// updateDeck is PATCH /decks/{id} {name?, format?, is_public?}.
func (s *Server) updateDeck(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var b collection.DeckRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.cfg.Collection.UpdateDeck(c.Request.Context(), principalOf(c).User.ID, id, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// deleteDeck is DELETE /decks/{id}: 204.
func (s *Server) deleteDeck(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Collection.DeleteDeck(c.Request.Context(), principalOf(c).User.ID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// addDeckCard is POST /decks/{id}/cards {card_id, quantity?, section?}:
// the deck.
func (s *Server) addDeckCard(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var b collection.DeckCardRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.cfg.Collection.AddDeckCard(c.Request.Context(), principalOf(c).User.ID, id, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
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

// importDeck is POST /decks/import {tcg_slug, text, name?, format?,
// is_public?, deck_id?}: 201 {deck, imported, unknown}; 422 when no line
// resolves.
func (s *Server) importDeck(c *gin.Context) {
	var b collection.ImportRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.cfg.Collection.ImportDeck(c.Request.Context(), principalOf(c).User.ID, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, res)
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

// addBatchToCollection is POST /collection/add-batch {items, scan_session_id?}:
// the scan review's "save to collection"; 201 {added, cards, skipped}, all
// or nothing (a bad item is 422 naming it).
func (s *Server) addBatchToCollection(c *gin.Context) {
	var b collection.BatchAddRequest
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.cfg.Collection.AddBatch(c.Request.Context(), principalOf(c).User.ID, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, res)
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
