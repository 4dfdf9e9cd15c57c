package community_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

func TestReports(t *testing.T) {
	t.Parallel()
	f := setup(t)
	alice, bob, carol := f.user("alice"), f.user("bob"), f.user("carol")
	admin := f.admin("root")
	msg, err := f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "bob", Body: "buy my fake cards"})
	require.NoError(t, err)

	r, err := f.svc.CreateReport(f.ctx, bob, community.NewReport{TargetType: "message", TargetID: msg.ID, Reason: " scam ", Category: "fraud"})
	require.NoError(t, err)
	require.Equal(t, community.ReportOpen, r.Status)
	require.Equal(t, "scam", r.Reason)
	require.Equal(t, "bob", *r.ReporterUsername)
	_, err = f.svc.CreateReport(f.ctx, bob, community.NewReport{TargetType: "message", TargetID: msg.ID, Reason: "again"})
	code(t, catalog.ECONFLICT, err)
	// a message is reportable by its parties only
	_, err = f.svc.CreateReport(f.ctx, carol, community.NewReport{TargetType: "message", TargetID: msg.ID, Reason: "x"})
	code(t, catalog.ENOTFOUND, err)

	r2, err := f.svc.CreateReport(f.ctx, carol, community.NewReport{TargetType: "user", TargetID: alice.ID, Reason: "spammer"})
	require.NoError(t, err)
	require.Equal(t, community.CategoryOther, r2.Category)
	_, err = f.svc.CreateReport(f.ctx, carol, community.NewReport{TargetType: "listing", TargetID: 42, Reason: "counterfeit", Category: "illegal"})
	require.NoError(t, err)
	for _, bad := range []community.NewReport{
		{TargetType: "listing", TargetID: 43, Reason: "x"},
		{TargetType: "user", TargetID: 999999, Reason: "x"},
		{TargetType: "forum_post", TargetID: 1, Reason: "x"},
	} {
		_, err = f.svc.CreateReport(f.ctx, carol, bad)
		code(t, catalog.ENOTFOUND, err)
	}
	_, err = f.svc.CreateReport(f.ctx, carol, community.NewReport{TargetType: "user", TargetID: carol.ID, Reason: "me"})
	code(t, catalog.EINVALID, err)
	var ae *catalog.Error
	_, err = f.svc.CreateReport(f.ctx, carol, community.NewReport{TargetType: "post", TargetID: 0, Reason: strings.Repeat("r", 501), Category: "rude"})
	require.ErrorAs(t, err, &ae)
	require.Len(t, ae.Fields, 4)

	mine, err := f.svc.MyReports(f.ctx, carol, community.ReportQuery{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, int64(2), mine.Total)
	require.Len(t, mine.Items, 2)

	// the admin queue: oldest open first; members may not read it
	_, err = f.svc.ReportQueue(f.ctx, bob, community.ReportQuery{Status: community.ReportOpen})
	code(t, catalog.EFORBIDDEN, err)
	queue, err := f.svc.ReportQueue(f.ctx, admin, community.ReportQuery{Status: community.ReportOpen})
	require.NoError(t, err)
	require.Equal(t, int64(3), queue.Total)
	require.Equal(t, "open", queue.Status)
	require.Equal(t, r.ID, queue.Items[0].ID)

	done, err := f.svc.ResolveReport(f.ctx, admin, r.ID, community.ReportResolution{Status: "resolved", Resolution: "account suspended"})
	require.NoError(t, err)
	require.Equal(t, community.ReportResolved, done.Status)
	require.Equal(t, "root", *done.ResolvedBy)
	require.NotNil(t, done.ResolvedAt)
	_, err = f.svc.ResolveReport(f.ctx, admin, r.ID, community.ReportResolution{Status: "dismissed", Resolution: ""})
	code(t, catalog.ECONFLICT, err)
	_, err = f.svc.ResolveReport(f.ctx, admin, 999999, community.ReportResolution{Status: "dismissed", Resolution: ""})
	code(t, catalog.ENOTFOUND, err)
	_, err = f.svc.ResolveReport(f.ctx, admin, r2.ID, community.ReportResolution{Status: "deleted", Resolution: ""})
	code(t, catalog.EVALIDATION, err)
	_, err = f.svc.ResolveReport(f.ctx, bob, r2.ID, community.ReportResolution{Status: "dismissed", Resolution: ""})
	code(t, catalog.EFORBIDDEN, err)

	// closed, the same target can be reported again
	_, err = f.svc.CreateReport(f.ctx, bob, community.NewReport{TargetType: "message", TargetID: msg.ID, Reason: "still scamming"})
	require.NoError(t, err)
}

// TestReportRaces: racing duplicate reports leave one open report, and
// racing admins close a report once.
func TestReportRaces(t *testing.T) {
	t.Parallel()
	f := setup(t)
	alice, bob := f.user("alice"), f.user("bob")
	admins := []community.Actor{f.admin("root1"), f.admin("root2"), f.admin("root3"), f.admin("root4")}

	const racers = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.CreateReport(f.ctx, bob, community.NewReport{TargetType: "user", TargetID: alice.ID, Reason: "spam", Category: "spam"})
			mu.Lock()
			codes[catalog.ErrorCode(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, map[string]int{"": 1, catalog.ECONFLICT: racers - 1}, codes)

	queue, err := f.svc.ReportQueue(f.ctx, admins[0], community.ReportQuery{Status: community.ReportOpen})
	require.NoError(t, err)
	require.Len(t, queue.Items, 1)
	codes = map[string]int{}
	for _, a := range admins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.ResolveReport(f.ctx, a, queue.Items[0].ID, community.ReportResolution{Status: "resolved", Resolution: "by " + a.Username})
			mu.Lock()
			codes[catalog.ErrorCode(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, map[string]int{"": 1, catalog.ECONFLICT: len(admins) - 1}, codes)
}
