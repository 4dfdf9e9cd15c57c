package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(envOf(nil))
	require.NoError(t, err)
	require.Equal(t, time.Minute, c.CacheTTL)
	require.Equal(t, "127.0.0.1:56379", c.Redis.Addr)
	require.Equal(t, 0, c.Redis.DB)
	require.Equal(t, 30*time.Second, c.RequeueAfter)
	require.Equal(t, "models/card-embed-v2.onnx", c.Model)
	require.False(t, c.ModelPinned)
	require.Equal(t, 300, c.Retrain.Steps)
}

func TestConfigRedisURL(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(envOf(map[string]string{"CSM_REDIS_URL": "rediss://u:s3cret@redis.example:6380/3",
		"CSM_REDIS_ADDR": "ignored:1"}))
	require.NoError(t, err)
	require.Equal(t, "redis.example:6380", c.Redis.Addr)
	require.Equal(t, "s3cret", c.Redis.Password)
	require.Equal(t, "u", c.Redis.Username)
	require.Equal(t, 3, c.Redis.DB)
	require.NotNil(t, c.Redis.TLSConfig)

	c, err = loadConfig(envOf(map[string]string{"CSM_REDIS_ADDR": "10.0.0.5:7000"}))
	require.NoError(t, err)
	require.Equal(t, "10.0.0.5:7000", c.Redis.Addr)
	require.Nil(t, c.Redis.TLSConfig)
}

// A malformed value stops start-up with a message naming the variable; it
// never silently becomes the default. Every problem is reported at once.
func TestConfigRejectsMalformed(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"CSM_CACHE_TTL":          "5 minutes",
		"CSM_STREAM_HEARTBEAT":   "10ms",
		"CSM_MODEL_CHECK":        "-1m",
		"CSM_REQUEUE_AFTER":      "soon",
		"CSM_RECOGNIZER_THREADS": "two",
		"CSM_OCR_VARIANTS":       "9",
		"CSM_RETRAIN_STEPS":      "0",
		"CSM_RETRAIN_MINUTES":    "x",
		"CSM_ORT_PROVIDER":       "tpu",
		"CSM_PUBLIC_URL":         "cards.example",
		"CSM_SESSION_SECRET":     "short",
		"CSM_REDIS_URL":          "http://:pw@host:1/0",
	}
	for k, v := range cases {
		t.Run(k, func(t *testing.T) {
			t.Parallel()
			_, err := loadConfig(envOf(map[string]string{k: v}))
			require.Error(t, err)
			require.Contains(t, err.Error(), k)
			require.NotContains(t, err.Error(), ":pw@", "a password never appears in the message")
		})
	}
	_, err := loadConfig(envOf(cases))
	require.Error(t, err)
	for k := range cases {
		require.Contains(t, err.Error(), k)
	}
	_, err = loadConfig(envOf(map[string]string{"CSM_REDIS_URL": "redis://:pw@h:x/0"}))
	require.ErrorContains(t, err, "CSM_REDIS_URL")
	require.NotContains(t, err.Error(), "pw", "a password never appears in the message")
	_, err = loadConfig(envOf(map[string]string{"CSM_REDIS_ADDR": "localhost"}))
	require.ErrorContains(t, err, "CSM_REDIS_ADDR")
}

func FuzzLoadConfig(f *testing.F) {
	f.Add("CSM_CACHE_TTL", "90s")
	f.Add("CSM_REDIS_URL", "redis://:p@h:1/2")
	f.Add("CSM_OCR_VARIANTS", "3")
	f.Fuzz(func(t *testing.T, k, v string) {
		_, _ = loadConfig(envOf(map[string]string{k: v}))
	})
}
