package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"sync"

	"github.com/otiai10/gosseract/v2"
)

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("ocr: reader closed")

// initMu serialises Tesseract initialisation: gosseract redirects the
// process's stderr while a client initialises.
var initMu sync.Mutex

// pool lends Tesseract clients, creating up to size of them on demand.
type pool struct {
	idle     chan *gosseract.Client
	slots    chan struct{} // one token per client that may still be created
	done     chan struct{}
	lang     string
	tessdata string

	mu     sync.Mutex
	all    []*gosseract.Client
	closed bool
}

func newPool(size int, lang, tessdata string) *pool {
	p := &pool{
		idle:     make(chan *gosseract.Client, size),
		slots:    make(chan struct{}, size),
		done:     make(chan struct{}),
		lang:     lang,
		tessdata: tessdata,
	}
	for range size {
		p.slots <- struct{}{}
	}
	return p
}

// get returns an idle client, a new one while fewer than size exist, or
// waits for one to be put back.
func (p *pool) get(ctx context.Context) (*gosseract.Client, error) {
	select {
	case <-p.done:
		return nil, ErrClosed
	default:
	}
	select {
	case c := <-p.idle:
		return c, nil
	default:
	}
	select {
	case c := <-p.idle:
		return c, nil
	case <-p.slots:
		c, err := p.create()
		if err != nil {
			p.slots <- struct{}{}
			return nil, err
		}
		return c, nil
	case <-p.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put gives a client back.
func (p *pool) put(c *gosseract.Client) {
	p.idle <- c // never blocks: at most size clients exist
}

// create makes and initialises a client with a blank image, so the cost of
// loading the traineddata is paid here and not in the first read.
func (p *pool) create() (*gosseract.Client, error) {
	initMu.Lock()
	defer initMu.Unlock()
	c := gosseract.NewClient()
	if p.tessdata != "" {
		if err := c.SetTessdataPrefix(p.tessdata); err != nil {
			c.Close()
			return nil, fmt.Errorf("ocr: tessdata: %w", err)
		}
	}
	if err := c.SetLanguage(p.lang); err != nil {
		c.Close()
		return nil, fmt.Errorf("ocr: language: %w", err)
	}
	for k, v := range map[gosseract.SettableVariable]string{
		gosseract.DEBUG_FILE: os.DevNull, // no "Estimating resolution" chatter
		"user_defined_dpi":   "300",
		"tessedit_do_invert": "0", // variants already cover light-on-dark text
	} {
		if err := c.SetVariable(k, v); err != nil {
			c.Close()
			return nil, fmt.Errorf("ocr: set %s: %w", k, err)
		}
	}
	if err := c.SetImageFromBytes(pgm(pad(image.NewGray(image.Rect(0, 0, 8, 8)), 4, 255))); err != nil {
		c.Close()
		return nil, fmt.Errorf("ocr: init image: %w", err)
	}
	if _, err := c.Text(); err != nil {
		c.Close()
		return nil, fmt.Errorf("ocr: init tesseract: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed { // closed while this one initialised: close counts only p.all
		c.Close()
		return nil, ErrClosed
	}
	p.all = append(p.all, c)
	return c, nil
}

// close frees every client once they are all back.
func (p *pool) close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	n := len(p.all)
	p.mu.Unlock()
	var errs []error
	for range n {
		c := <-p.idle // wait for reads in flight to hand their client back
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
