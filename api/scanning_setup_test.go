package api_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/workers"
)

// scanningFor is the scanning service of an api test: Postgres, a private
// asynq queue no worker takes (scans stay queued; /recognize answers 202
// after a short wait), Redis event buses and photos in a temporary
// directory.
func scanningFor(t *testing.T, db *postgres.DB, prefix string, secret []byte, now func() time.Time) *scanning.Service {
	t.Helper()
	q := workers.NewQueue(redisAddr())
	q.QueueName = "apitest-" + prefix
	events, batches := workers.NewScanEvents(redisAddr()), workers.NewBatchEvents(redisAddr())
	s := scanning.New(scanning.Config{Store: db, Queue: q, Events: events, BatchEvents: batches, Now: now,
		Wait: 50 * time.Millisecond, Photos: photos.New(filepath.Join(t.TempDir(), "photos"), secret, nil)})
	t.Cleanup(func() {
		_ = s.Close()
		insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: redisAddr()})
		_ = insp.DeleteQueue(q.QueueName, true)
		_ = insp.Close()
		_ = q.Close()
		_ = events.Close()
		_ = batches.Close()
	})
	return s
}

// tinyJPEG is a small valid photo.
func tinyJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil))
	return b.Bytes()
}

// uploadImage posts one image as multipart field "image" to path.
func (c *client) uploadImage(path string, img []byte, hdr ...string) reply {
	c.f.t.Helper()
	return c.upload(path, "image", [][]byte{img}, nil, hdr...)
}
