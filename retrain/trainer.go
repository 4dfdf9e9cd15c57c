package retrain

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
)

// Job is one fine-tune: inputs, the output prefix and its budget.
type Job struct {
	// Pairs is the JSONL manifest of confirmed {photo, gallery, label}.
	Pairs string
	// Gallery is the JSONL manifest of every card's {path, label}.
	Gallery string
	// Init is the current model (.onnx; its .pt is used when present).
	Init string
	// Out is the output prefix (.onnx, .json, .pt are appended).
	Out string
	// Version names the new model.
	Version string
	// Steps and TimeBudget (minutes) bound training.
	Steps      int
	TimeBudget float64
	// Seed of the held-out split and of training.
	Seed int
}

// Trainer fine-tunes a model and returns its model card.
type Trainer interface {
	FineTune(ctx context.Context, job Job) (ModelCard, error)
}

// PythonTrainer runs models/train.py's fine-tune mode.
type PythonTrainer struct {
	// Python is the interpreter ("python3" when empty).
	Python string
	// Script is train.py ("models/train.py" when empty).
	Script string
	// Threads for PyTorch (2 when 0).
	Threads int
	// Args are extra train.py flags (e.g. --lr, --batch).
	Args []string
	// Output receives the script's console output (stderr when nil).
	Output io.Writer
}

// Command returns the command line FineTune runs.
func (t PythonTrainer) Command(job Job) []string {
	py, script, threads := t.Python, t.Script, t.Threads
	if py == "" {
		py = "python3"
	}
	if script == "" {
		script = "models/train.py"
	}
	if threads <= 0 {
		threads = 2
	}
	args := []string{py, script, "--pairs", job.Pairs, "--data", job.Gallery, "--init", job.Init,
		"--out", job.Out, "--version", job.Version,
		"--steps", strconv.Itoa(job.Steps), "--time-budget", strconv.FormatFloat(job.TimeBudget, 'f', -1, 64),
		"--seed", strconv.Itoa(job.Seed), "--threads", strconv.Itoa(threads),
		// fine-tune defaults: a tenth of the from-scratch learning rate, a
		// third of the confirmed cards held out
		"--lr", "3e-4", "--batch", "64", "--pair-batch", "32", "--val-frac", "0.3", "--log-every", "10"}
	return append(args, t.Args...)
}

// FineTune runs train.py and reads the model card it writes.
func (t PythonTrainer) FineTune(ctx context.Context, job Job) (ModelCard, error) {
	argv := t.Command(job)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	out := t.Output
	if out == nil {
		out = os.Stderr
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return ModelCard{}, fmt.Errorf("retrain: train.py: %w", err)
	}
	return ReadModelCard(job.Out + ".json")
}
