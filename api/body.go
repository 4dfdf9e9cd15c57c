package api

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// maxJSONBody bounds the JSON bodies of the account routes.
const maxJSONBody = 64 << 10

// readJSON decodes a JSON object body into v; an empty body leaves v as is.
// Malformed JSON or a wrong field type is 400 (the seed's "invalid JSON
// body field").
func readJSON(c *gin.Context, v any) error {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxJSONBody+1))
	if err != nil {
		return catalog.Errorf(catalog.EINVALID, "Invalid JSON body")
	}
	if len(body) > maxJSONBody {
		return catalog.Errorf(catalog.ETOOLARGE, "Request body too large")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return catalog.Errorf(catalog.EINVALID, "Invalid JSON body")
	}
	return nil
}
