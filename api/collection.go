package api

import (
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
	col.GET("/value", s.portfolioValue)
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
}

// pathID parses the :name path parameter as a positive id (422 otherwise).
func pathID(c *gin.Context, name string) (int64, error) {
	p := newParams(c)
	id := p.intRange("path", name, 0, 1, 1<<62)
	return id, p.err()
}

// currencyParam reads ?currency= (EUR or USD, def when absent).
func currencyParam(p *params, def string) string {
	return p.enum("currency", def, collection.EUR, collection.USD)
}

// listCollection is GET /collection: {"items", "total"}.
func (s *Server) listCollection(c *gin.Context) {
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
