package api_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// outageAccounts fails the session check with err while it is set.
type outageAccounts struct {
	catalog.AccountStore
	err atomic.Pointer[error]
}

func (o *outageAccounts) SessionUser(ctx context.Context, idHash []byte, now time.Time) (catalog.User, error) {
	if e := o.err.Load(); e != nil {
		return catalog.User{}, *e
	}
	return o.AccountStore.SessionUser(ctx, idHash, now)
}

// A database error during the session check is not "no such session": the
// request fails (503 {"detail"} for an outage) and the cookie stays, so the
// user is still signed in once the database is back. Only a definite
// answer (the session is gone) clears it.
func TestSessionCheckOutageKeepsCookie(t *testing.T) {
	t.Parallel()
	store := &outageAccounts{}
	f := setupAccounts(t, acctOptions{accounts: func(a catalog.AccountStore) catalog.AccountStore {
		store.AccountStore = a
		return store
	}})
	c := f.register(uniqueName("outage"))
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/auth/me", nil).status)

	for _, tc := range []struct {
		err    error
		status int
	}{
		{catalog.Unavailable(errors.New("the database system is starting up")), http.StatusServiceUnavailable},
		{errors.New("some fault"), http.StatusInternalServerError},
	} {
		store.err.Store(&tc.err)
		r := c.do(http.MethodGet, "/auth/me", nil)
		require.Equal(t, tc.status, r.status, "%s", r.body)
		require.Nil(t, r.cookie, "the session cookie is neither cleared nor replaced")
		var body map[string]any
		r.json(&body)
		require.Contains(t, body, "detail")
	}
	store.err.Store(nil)
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/auth/me", nil).status, "still signed in")

	gone := error(catalog.Errorf(catalog.ENOTFOUND, "Session not found"))
	store.err.Store(&gone)
	r := c.do(http.MethodGet, "/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.NotNil(t, r.cookie)
	require.Negative(t, r.cookie.MaxAge, "a definite no-such-session clears the cookie")
}
