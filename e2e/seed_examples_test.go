// Package e2e runs the API documentation's own examples, unchanged but for
// the base URL, against the API over real HTTP with the demo catalogue.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres/pgtest"
)

const docBase = "https://collectorstashmarket.com"

func setup(t *testing.T) string {
	t.Helper()
	db, _ := pgtest.New(t)
	_, err := demo.Load(context.Background(), db, db, demo.Options{Today: time.Now().UTC(), Days: 120})
	require.NoError(t, err)
	apiH, err := api.New(api.Config{Catalog: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, apiH))
	t.Cleanup(srv.Close)
	return srv.URL
}

func need(t *testing.T, bin string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err != nil {
		t.Fatalf("%s is required (the toolbox installs it; run through scripts/toolbox.sh exec)", bin)
	}
}

func TestSeedCurlExamples(t *testing.T) {
	t.Parallel()
	need(t, "curl")
	base := setup(t)
	f, err := os.Open("testdata/seed_v2_curl.sh")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		n++
		cmdline := strings.ReplaceAll(line, docBase, base) + " --fail --silent --show-error"
		out, err := exec.Command("sh", "-c", cmdline).CombinedOutput()
		require.NoError(t, err, "%s: %s", line, out)
		var body map[string]any
		require.NoError(t, json.Unmarshal(out, &body), "%s: %s", line, out)
		switch {
		case strings.Contains(line, "/history"):
			require.NotEmpty(t, body["points"], line)
		case strings.Contains(line, "/cards/441076"):
			require.Equal(t, "Charizard", body["name"])
			require.Len(t, body["printings"], 3)
		case strings.Contains(line, "/cards?"):
			require.Len(t, body["items"], 2, line)
		case strings.Contains(line, "/sets/1043"):
			require.Equal(t, "Base Set", body["name"])
		case strings.Contains(line, "/games/pokemon"):
			require.Equal(t, "pokemon", body["slug"])
		case strings.HasSuffix(line, "/games"):
			require.Len(t, body["items"], 6)
		case strings.HasSuffix(line, "/stats"):
			require.EqualValues(t, 14, body["cards"])
		}
	}
	require.Equal(t, 7, n, "every v2 curl example ran")
}

func TestSeedPythonExamples(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	if err := exec.Command("python3", "-c", "import requests").Run(); err != nil {
		t.Fatal("python3-requests is required (the toolbox installs it; run through scripts/toolbox.sh exec)")
	}
	base := setup(t)
	src, err := os.ReadFile("testdata/seed_v2_requests.py")
	require.NoError(t, err)
	cmd := exec.Command("python3", "-")
	cmd.Stdin = strings.NewReader(strings.ReplaceAll(string(src), docBase, base))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Regexp(t, regexp.MustCompile(`(?m)^stats 14 \d+$`), string(out))
	require.Contains(t, string(out), "games 6\n")
	lines := regexp.MustCompile(`(?m)^en holofoil EU€ \d+\.\d+$`).FindAllString(string(out), -1)
	require.Len(t, lines, 3, "%s", out)
}
