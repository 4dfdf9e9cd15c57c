package api

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hashicorp/golang-lru/v2/expirable"
)

// cachedResponse is a successful JSON response kept for reuse.
type cachedResponse struct {
	body         []byte
	cacheControl string
}

// respCache keeps recent 200 responses of the read-only v2 routes for a TTL
// no longer than their Cache-Control max-age, so hot cards are served from
// memory as a CDN would serve them. Bounded in entries.
type respCache struct {
	lru *expirable.LRU[string, cachedResponse]
}

func newRespCache(size int, ttl time.Duration) *respCache {
	return &respCache{lru: expirable.NewLRU[string, cachedResponse](size, nil, ttl)}
}

// key normalises the query so parameter order does not split entries.
func cacheKeyOf(r *http.Request) string {
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "api_key" { // a credential, not part of the resource
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(r.URL.Path)
	for _, k := range keys {
		for _, v := range q[k] {
			b.WriteByte('&')
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}

// recorder tees the body so a 200 can be stored.
type recorder struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *recorder) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recorder) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// middleware serves hits and stores 200 responses.
func (rc *respCache) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if rc == nil || c.Request.Method != http.MethodGet {
			c.Next()
			return
		}
		key := cacheKeyOf(c.Request)
		if hit, ok := rc.lru.Get(key); ok {
			c.Header("Cache-Control", hit.cacheControl)
			c.Header("X-Cache", "hit")
			c.Data(http.StatusOK, "application/json; charset=utf-8", hit.body)
			c.Abort()
			return
		}
		rec := &recorder{ResponseWriter: c.Writer}
		c.Writer = rec
		c.Header("X-Cache", "miss")
		c.Next()
		if rec.Status() == http.StatusOK {
			rc.lru.Add(key, cachedResponse{body: rec.buf.Bytes(), cacheControl: rec.Header().Get("Cache-Control")})
		}
	}
}
