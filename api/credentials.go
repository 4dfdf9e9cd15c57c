package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// errCredentials is a request whose API-key transports disagree or are
// malformed; it is answered 401.
var errCredentials = errors.New("conflicting or malformed API key credentials")

// apiKeyFrom extracts the API key a request presents through any of the
// seed's three transports: "Authorization: Bearer <key>", "X-API-Key: <key>"
// and "?api_key=<key>". An Authorization header of another scheme is not
// ours and is ignored; an empty value counts as absent. A transport given
// twice, or transports naming different keys, is errCredentials. The key is
// returned trimmed and unchecked ("" when none is presented).
func apiKeyFrom(h http.Header, rawQuery string) (string, error) {
	var found []string
	authz := h.Values("Authorization")
	if len(authz) > 1 {
		return "", errCredentials
	}
	if len(authz) == 1 {
		scheme, token, _ := strings.Cut(strings.TrimSpace(authz[0]), " ")
		if strings.EqualFold(scheme, "Bearer") {
			token = strings.TrimSpace(token)
			if token == "" {
				return "", errCredentials
			}
			found = append(found, token)
		}
	}
	xkey := h.Values("X-API-Key")
	if len(xkey) > 1 {
		return "", errCredentials
	}
	if len(xkey) == 1 {
		if v := strings.TrimSpace(xkey[0]); v != "" {
			found = append(found, v)
		}
	}
	if strings.Contains(rawQuery, "api_key") {
		q, _ := url.ParseQuery(rawQuery) // bad pairs are skipped, as Gin does
		vals := q["api_key"]
		if len(vals) > 1 {
			return "", errCredentials
		}
		if len(vals) == 1 {
			if v := strings.TrimSpace(vals[0]); v != "" {
				found = append(found, v)
			}
		}
	}
	for _, k := range found[min(1, len(found)):] {
		if k != found[0] {
			return "", errCredentials
		}
	}
	if len(found) == 0 {
		return "", nil
	}
	return found[0], nil
}
