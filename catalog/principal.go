package catalog

// AuthMethod tells how a caller proved who they are.
type AuthMethod string

// The authentication modes of the seed ("Authentication").
const (
	AuthAnonymous AuthMethod = ""
	AuthSession   AuthMethod = "session" // the signed tcg_session cookie
	AuthAPIKey    AuthMethod = "api_key" // Bearer, X-API-Key or ?api_key=
)

// Principal is the caller of one request.
type Principal struct {
	Method AuthMethod
	User   User
	// Tier is the effective tier: the key's (capped by the account's) for
	// API keys, the account's for sessions.
	Tier Tier
	// Key is set for API-key callers.
	Key *APIKey
	// SessionHash identifies the cookie's session (session callers).
	SessionHash []byte
}

// Authenticated reports whether the caller is signed in by any means.
func (p Principal) Authenticated() bool { return p.Method != AuthAnonymous }

// Access is an endpoint's access tag (the seed's "Endpoint legend").
type Access int

const (
	// AccessFree works anonymously and on every tier.
	AccessFree Access = iota
	// AccessAuth needs a session cookie or an API key.
	AccessAuth
	// AccessStarter needs Starter or higher, or a session cookie.
	AccessStarter
	// AccessPro needs Pro or higher (session callers: the account's tier).
	AccessPro
	// AccessAdmin needs is_admin on the account.
	AccessAdmin
)

// Authorize decides whether p may call an endpoint tagged a: nil, or an
// EUNAUTHORIZED / EFORBIDDEN error. It is the one rule for every route.
func (p Principal) Authorize(a Access) error {
	if a == AccessFree {
		return nil
	}
	if !p.Authenticated() {
		return Errorf(EUNAUTHORIZED, "Authentication required")
	}
	switch a {
	case AccessStarter:
		if p.Method == AuthSession || p.Tier.AtLeast(TierStarter) {
			return nil
		}
		return Errorf(EFORBIDDEN, "This endpoint requires the Starter tier or higher")
	case AccessPro:
		if p.Tier.AtLeast(TierPro) {
			return nil
		}
		return Errorf(EFORBIDDEN, "This endpoint requires the Pro tier or higher")
	case AccessAdmin:
		if p.User.IsAdmin {
			return nil
		}
		return Errorf(EFORBIDDEN, "Admin only")
	}
	return nil
}

// Owns returns nil when p is the owner userID, else EFORBIDDEN.
func (p Principal) Owns(userID int64) error {
	if p.Authenticated() && p.User.ID == userID {
		return nil
	}
	return Errorf(EFORBIDDEN, "Not the owner of this resource")
}
