package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
)

// The adapters below are the shapes most of the authenticated routes share:
// parse (a JSON body, a path id), call one service method for the calling
// user, render. A route whose parsing is its own keeps a handler of its own.

// bodyCall decodes the JSON body into B, calls fn for the caller and
// renders its result with status.
func bodyCall[B, R any](s *Server, status int, fn func(ctx context.Context, userID int64, b B) (R, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var b B
		if err := readJSON(c, &b); err != nil {
			s.fail(c, err)
			return
		}
		r, err := fn(c.Request.Context(), principalOf(c).User.ID, b)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(status, r)
	}
}

// idBodyCall reads the positive path id named param and the JSON body into
// B, calls fn for the caller and renders its result with 200.
func idBodyCall[B, R any](s *Server, param string, fn func(ctx context.Context, userID, id int64, b B) (R, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, param)
		if err != nil {
			s.fail(c, err)
			return
		}
		var b B
		if err := readJSON(c, &b); err != nil {
			s.fail(c, err)
			return
		}
		r, err := fn(c.Request.Context(), principalOf(c).User.ID, id, b)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, r)
	}
}

// idDelete reads the positive path id named param, calls fn for the caller
// and answers 204.
func idDelete(s *Server, param string, fn func(ctx context.Context, userID, id int64) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, param)
		if err != nil {
			s.fail(c, err)
			return
		}
		if err := fn(c.Request.Context(), principalOf(c).User.ID, id); err != nil {
			s.fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// itemsCall renders the caller's list from fn as {"items": …}, not stored
// by caches (it is private).
func itemsCall[R any](s *Server, fn func(ctx context.Context, userID int64) (R, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		items, err := fn(c.Request.Context(), principalOf(c).User.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, gin.H{"items": items})
	}
}

// idCurrencyCall reads the positive path id named "id" and ?currency=,
// calls fn for the caller (anonymous callers have user id 0) and renders
// its private result with 200.
func idCurrencyCall[R any](s *Server, def string, fn func(ctx context.Context, userID, id int64, currency string) (R, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := newParams(c)
		id := p.intRange("path", "id", 0, 1, 1<<62)
		cur := currencyParam(p, def)
		if err := p.err(); err != nil {
			s.fail(c, err)
			return
		}
		r, err := fn(c.Request.Context(), principalOf(c).User.ID, id, cur)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, r)
	}
}
