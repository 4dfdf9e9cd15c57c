package main

import "github.com/collectorstash/csm/cmd/internal/progress"

func newBar(total int64, what string) progress.Bar { return progress.New(total, what, what) }
