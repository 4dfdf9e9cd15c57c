package api

import (
	"context"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"
)

// The adapters below are the shapes most of the authenticated routes share:
// parse (a JSON body, a path id), call one service method for the caller,
// render. who turns the request into the caller as the service sees it
// (userID, or community's actor). A route whose parsing is its own keeps a
// handler of its own.

// userID is the signed-in caller's user id (0 when anonymous).
func userID(c *gin.Context) int64 { return principalOf(c).User.ID }

// bodyCall decodes the JSON body into B, calls fn for the caller and
// renders its result with status.
func bodyCall[W, B, R any](s *Server, status int, who func(*gin.Context) W, fn func(ctx context.Context, caller W, b B) (R, error)) gin.HandlerFunc {
	return bodyStatus(s, who, func(ctx context.Context, caller W, b B) (R, int, error) {
		r, err := fn(ctx, caller, b)
		return r, status, err
	})
}

// bodyUpsert decodes the JSON body into B and calls fn for the caller: its
// result is rendered with 201 when fn created it, 200 when it was there.
func bodyUpsert[W, B, R any](s *Server, who func(*gin.Context) W, fn func(ctx context.Context, caller W, b B) (R, bool, error)) gin.HandlerFunc {
	return bodyStatus(s, who, func(ctx context.Context, caller W, b B) (R, int, error) {
		r, created, err := fn(ctx, caller, b)
		if created {
			return r, http.StatusCreated, err
		}
		return r, http.StatusOK, err
	})
}

// bodyStatus decodes the JSON body into B, calls fn for the caller and
// renders its result with the status fn gives.
func bodyStatus[W, B, R any](s *Server, who func(*gin.Context) W, fn func(ctx context.Context, caller W, b B) (R, int, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var b B
		if err := readJSON(c, &b); err != nil {
			s.fail(c, err)
			return
		}
		r, status, err := fn(c.Request.Context(), who(c), b)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(status, r)
	}
}

// idBodyCall reads the positive path id named param and the JSON body into
// B, calls fn for the caller and renders its result with 200.
func idBodyCall[W, B, R any](s *Server, param string, who func(*gin.Context) W, fn func(ctx context.Context, caller W, id int64, b B) (R, error)) gin.HandlerFunc {
	return idBodyStatus(s, http.StatusOK, param, who, fn)
}

// idBodyStatus is idBodyCall rendering with status.
func idBodyStatus[W, B, R any](s *Server, status int, param string, who func(*gin.Context) W, fn func(ctx context.Context, caller W, id int64, b B) (R, error)) gin.HandlerFunc {
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
		r, err := fn(c.Request.Context(), who(c), id, b)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(status, r)
	}
}

// idDelete reads the positive path id named param, calls fn for the caller
// and answers 204.
func idDelete[W any](s *Server, param string, who func(*gin.Context) W, fn func(ctx context.Context, caller W, id int64) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, param)
		if err != nil {
			s.fail(c, err)
			return
		}
		if err := fn(c.Request.Context(), who(c), id); err != nil {
			s.fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// itemsCall renders the caller's list from fn as {"items": …}, not stored
// by caches (it is private).
func itemsCall[W, R any](s *Server, who func(*gin.Context) W, fn func(ctx context.Context, caller W) (R, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		items, err := fn(c.Request.Context(), who(c))
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
	return queryCall(s, userID, func(p *params) idCurrency {
		return idCurrency{id: p.intRange("path", "id", 0, 1, 1<<62), currency: currencyParam(p, def)}
	}, func(ctx context.Context, userID int64, q idCurrency) (R, error) {
		return fn(ctx, userID, q.id, q.currency)
	})
}

// idCurrency is what idCurrencyCall parses.
type idCurrency struct {
	id       int64
	currency string
}

// queryCall parses the request with parse, calls fn for the caller and
// renders its private result with 200; a bad parameter is a 422.
func queryCall[W, Q, R any](s *Server, who func(*gin.Context) W, parse func(p *params) Q, fn func(ctx context.Context, caller W, q Q) (R, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := newParams(c)
		q := parse(p)
		if err := p.err(); err != nil {
			s.fail(c, err)
			return
		}
		r, err := fn(c.Request.Context(), who(c), q)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, r)
	}
}

// idCall reads the positive path id named param, calls fn for the caller
// and renders its private result with 200.
func idCall[W, R any](s *Server, param string, who func(*gin.Context) W, fn func(ctx context.Context, caller W, id int64) (R, error)) gin.HandlerFunc {
	return queryCall(s, who, func(p *params) int64 { return p.intRange("path", param, 0, 1, math.MaxInt64) }, fn)
}
