package verify

import (
	"container/list"
	"sync"
)

// features are a reference image's ORB keypoint positions and descriptors,
// held in Go memory so cache eviction never frees a Mat still in use.
type features struct {
	pts  []point // keypoint positions in working-size pixels
	desc []byte  // len(pts) rows of descLen bytes
}

type point struct{ x, y float32 }

// lru is a bounded least-recently-used cache of features by key.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recent; values are *entry
	items map[string]*list.Element
}

type entry struct {
	key string
	f   *features
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru) get(key string) (*features, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry).f, true
}

func (c *lru) add(key string, f *features) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*entry).f = f
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&entry{key: key, f: f})
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*entry).key)
	}
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
