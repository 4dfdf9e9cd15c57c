package workers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/meta"
	"github.com/collectorstash/csm/workers"
)

type checker struct {
	runs int
	err  error
}

func (c *checker) RunChecks(context.Context) ([]meta.Check, error) { c.runs++; return nil, c.err }

func TestStatusCheckTask(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	task, err := workers.NewStatusCheckTask("test")
	require.NoError(t, err)
	require.Equal(t, workers.TypeStatusCheck, task.Type())

	c := &checker{}
	h := &workers.StatusCheckHandler{Checker: c}
	require.NoError(t, h.ProcessTask(ctx, task))
	require.Equal(t, 1, c.runs)

	c.err = errors.New("store down")
	require.Error(t, h.ProcessTask(ctx, task))
	err = h.ProcessTask(ctx, asynq.NewTask(workers.TypeStatusCheck, []byte("{bad")))
	require.ErrorIs(t, err, asynq.SkipRetry)
}
