package main

import "github.com/collectorstash/csm/cmd/internal/progress"

func newBar(total int, what string) progress.Bar { return progress.New(int64(total), what, "it") }
