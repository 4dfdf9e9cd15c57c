package main

import (
	"os"

	"github.com/schollz/progressbar/v3"

	"github.com/collectorstash/csm/catalog"
)

// bar is a terminal progress bar implementing catalog.Progress (as in
// cmd/csm).
type bar struct{ b *progressbar.ProgressBar }

var _ catalog.Progress = bar{}

func newBar(total int, what string) bar {
	return bar{progressbar.NewOptions64(int64(total),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("it"),
		progressbar.OptionThrottle(100e6),
		progressbar.OptionFullWidth(),
		progressbar.OptionOnCompletion(func() { _, _ = os.Stderr.WriteString("\n") }),
	)}
}

func (p bar) Add(n int) { _ = p.b.Add(n) }
func (p bar) Finish()   { _ = p.b.Finish() }
