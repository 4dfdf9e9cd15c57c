// Package progress is the commands' terminal progress bar.
package progress

import (
	"os"

	"github.com/schollz/progressbar/v3"

	"github.com/collectorstash/csm/catalog"
)

// Bar is a progress bar on stderr implementing catalog.Progress.
type Bar struct{ b *progressbar.ProgressBar }

var _ catalog.Progress = Bar{}

// New starts a bar of total steps described by what, counting unit/s.
func New(total int64, what, unit string) Bar {
	return Bar{progressbar.NewOptions64(total,
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionThrottle(100e6),
		progressbar.OptionFullWidth(),
		progressbar.OptionOnCompletion(func() { _, _ = os.Stderr.WriteString("\n") }),
	)}
}

// Add advances the bar by n.
func (p Bar) Add(n int) { _ = p.b.Add(n) }

// Finish completes the bar.
func (p Bar) Finish() { _ = p.b.Finish() }
