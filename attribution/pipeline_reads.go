package attribution

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// ForkingSnapshot is a Snapshot whose data further connections can read
// too, so that the reads of a report that do not depend on each other run
// side by side (BuildReport), like pg_dump -j: every fork reads the same
// consistent data as the snapshot. queries.Snapshot implements it where
// the database allows (docs/ARCHITECTURE.md, "Concurrent reads").
type ForkingSnapshot interface {
	Snapshot
	// Parallel is how many forks may read at once ([database] parallel);
	// 1 or less reads sequentially in the snapshot itself.
	Parallel() int
	// Fork opens a sibling on another connection that reads the same data
	// with the same settings. Close it when done. The statements it runs
	// are its own (Statements) until they are handed to Record.
	Fork(ctx context.Context) (Fork, error)
	// Record appends statements that a fork ran to the snapshot's own, so
	// that Statements lists a report's reads in their logical order,
	// whatever the schedule was.
	Record(statements []Statement)
}

// Fork is a sibling of a ForkingSnapshot (ForkingSnapshot.Fork).
type Fork interface {
	Snapshot
	Close() error
}

// reads runs the reads of one report: each read is added in the report's
// logical order (the order a sequential run takes, which is also the
// order of Statements) with the reads whose results it needs.
//
// Without forks (a Snapshot that is no ForkingSnapshot, Parallel ≤ 1, or a
// first fork that cannot be opened) a read runs when the report first
// needs it (get), in the snapshot itself: exactly the sequential run.
// With forks every read starts at once on a fork, once the reads it
// depends on are done, at most Parallel at a time (the costliest first,
// so that the longest reads overlap; then in logical order); get waits
// for it and hands its statements to the snapshot, in logical order. The
// first error cancels the others and is the one every later get returns.
type reads struct {
	main   Snapshot
	fs     ForkingSnapshot // nil: sequential
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	wg     sync.WaitGroup

	tasks   []*read
	adopted int // tasks whose statements get handed over (main goroutine only)

	mu      sync.Mutex
	err     error // the first error
	idle    []Fork
	opened  int
	max     int
	noMore  bool    // opening a further fork failed: use those there are
	waiting []*read // reads waiting for a fork, the next first (before)
}

// read is one read of the report: fn reads with snap and keeps its
// results in variables of the caller, which get makes safe to use.
type read struct {
	i    int
	name string
	deps []*read
	// cost ranks the reads that wait for a fork (costliest first); 0 is a
	// step that only waits for other reads and computes (it takes no
	// fork).
	cost  int
	fn    func(ctx context.Context, snap Snapshot) error
	done  chan struct{}
	ran   bool
	stmts []Statement
	lane  chan Fork
}

// newReads prepares the reads of a report in snap. With forks, the first
// one is opened here: if it cannot be (an old server, a pooler, a hot
// standby's limits), the report reads sequentially, said in one log line.
func newReads(ctx context.Context, snap Snapshot, log *slog.Logger) *reads {
	g := &reads{main: snap, log: log}
	g.ctx, g.cancel = context.WithCancel(ctx)
	fs, ok := snap.(ForkingSnapshot)
	if !ok || fs.Parallel() <= 1 {
		return g
	}
	f, err := fs.Fork(g.ctx)
	if err != nil {
		log.Warn("reading sequentially: the snapshot cannot be shared with further connections", "error", err)
		return g
	}
	g.fs, g.max, g.idle, g.opened = fs, fs.Parallel(), []Fork{f}, 1
	return g
}

// parallel reports whether reads run side by side.
func (g *reads) parallel() bool { return g.fs != nil }

// Costs of reads (read.cost).
const (
	noRead    = 0 // computes from other reads
	lightRead = 1 // an aggregate of a few rows
	heavyRead = 2 // streams or aggregates a period's users
	passRead  = 3 // reads the history (the pass, the lifetime value)
)

// add adds a read that needs deps done first.
func (g *reads) add(name string, cost int, deps []*read, fn func(ctx context.Context, snap Snapshot) error) *read {
	r := &read{i: len(g.tasks), name: name, deps: deps, cost: cost, fn: fn, done: make(chan struct{})}
	g.tasks = append(g.tasks, r)
	if g.parallel() {
		g.wg.Add(1)
		go g.run(r)
	}
	return r
}

func (g *reads) run(r *read) {
	defer g.wg.Done()
	defer close(r.done)
	for _, d := range r.deps {
		select {
		case <-d.done:
		case <-g.ctx.Done():
		}
	}
	if g.failed() {
		return
	}
	if r.cost == noRead {
		g.fail(r.fn(g.ctx, nil))
		return
	}
	f, err := g.acquire(r)
	if err != nil {
		g.fail(err)
		return
	}
	before := len(f.Statements())
	t0 := time.Now()
	err = r.fn(g.ctx, f)
	r.stmts = f.Statements()[before:]
	g.release(f)
	g.log.Debug("read", "name", r.name, "statements", len(r.stmts), "duration", time.Since(t0).Round(time.Millisecond), "error", err)
	g.fail(err)
}

func (g *reads) failed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err != nil
}

// fail keeps the first error and cancels the other reads.
func (g *reads) fail(err error) {
	if err == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		g.err = err
		g.cancel()
	}
}

// acquire returns an idle fork, opens one more while fewer than Parallel
// are open, or waits for one (reads of a lower logical order first).
func (g *reads) acquire(r *read) (Fork, error) {
	g.mu.Lock()
	if len(g.idle) > 0 {
		f := g.idle[len(g.idle)-1]
		g.idle = g.idle[:len(g.idle)-1]
		g.mu.Unlock()
		return f, nil
	}
	if g.opened < g.max && !g.noMore {
		g.opened++
		g.mu.Unlock()
		f, err := g.fs.Fork(g.ctx)
		if err == nil {
			return f, nil
		}
		if g.ctx.Err() != nil {
			return nil, err
		}
		g.mu.Lock()
		g.opened--
		if !g.noMore {
			g.noMore = true
			g.log.Warn("reading with fewer connections: a further one could not be opened", "connections", g.opened, "error", err)
		}
		// At least the first fork is open: wait for one.
	}
	r.lane = make(chan Fork, 1)
	at := 0
	for at < len(g.waiting) && g.waiting[at].before(r) {
		at++
	}
	g.waiting = slices.Insert(g.waiting, at, r)
	g.mu.Unlock()
	select {
	case f := <-r.lane:
		return f, nil
	case <-g.ctx.Done():
		g.mu.Lock()
		if i := slices.Index(g.waiting, r); i >= 0 {
			g.waiting = slices.Delete(g.waiting, i, i+1)
			g.mu.Unlock()
		} else {
			g.mu.Unlock()
			g.release(<-r.lane)
		}
		return nil, g.ctx.Err()
	}
}

// before reports whether r gets a fork before o.
func (r *read) before(o *read) bool {
	if r.cost != o.cost {
		return r.cost > o.cost
	}
	return r.i < o.i
}

func (g *reads) release(f Fork) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiting) > 0 {
		w := g.waiting[0]
		g.waiting = g.waiting[1:]
		w.lane <- f
		return
	}
	g.idle = append(g.idle, f)
}

// get waits for r (running it, sequentially, with every earlier read not
// run yet), hands the statements of the reads up to r to the snapshot in
// logical order, and returns the first error of the report's reads. Only
// the report's own goroutine calls it.
func (g *reads) get(r *read) error {
	for ; g.adopted <= r.i; g.adopted++ {
		t := g.tasks[g.adopted]
		if !g.parallel() {
			if !t.ran && g.err == nil {
				t.ran = true
				var snap Snapshot
				if t.cost != noRead {
					snap = g.main
				}
				g.fail(t.fn(g.ctx, snap))
			}
			continue
		}
		<-t.done
		g.fs.Record(t.stmts)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// close cancels what still runs, waits for it and closes the forks. The
// report calls it on every return.
func (g *reads) close() {
	// A report that returns early (an error, no rows) stops the reads it
	// no longer needs.
	for _, t := range g.tasks {
		select {
		case <-t.done:
		default:
			g.cancel()
		}
	}
	// Every read is done (or cancelled) before the forks end.
	g.wg.Wait()
	for _, f := range g.idle {
		if err := f.Close(); err != nil {
			g.log.Debug("close a fork of the snapshot", "error", err)
		}
	}
	g.idle = nil
	g.cancel()
}
