package attribution

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeForking is a ForkingSnapshot whose forks record the statements the
// reads of the test say they ran.
type fakeForking struct {
	Snapshot // nil: the reads of these tests call none of its methods
	parallel int
	forkErr  error
	mu       sync.Mutex
	recorded []Statement
	forks    atomic.Int64
	closed   atomic.Int64
}

func (f *fakeForking) Parallel() int { return f.parallel }
func (f *fakeForking) Fork(context.Context) (Fork, error) {
	if f.forkErr != nil {
		return nil, f.forkErr
	}
	f.forks.Add(1)
	return &fakeFork{parent: f}, nil
}
func (f *fakeForking) Record(st []Statement) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recorded = append(f.recorded, st...)
}
func (f *fakeForking) Statements() []Statement {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Statement(nil), f.recorded...)
}

type fakeFork struct {
	Snapshot
	parent *fakeForking
	mu     sync.Mutex
	ran    []Statement
}

func (f *fakeFork) run(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ran = append(f.ran, Statement{Name: name})
}
func (f *fakeFork) Statements() []Statement {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Statement(nil), f.ran...)
}
func (f *fakeFork) Close() error { f.parent.closed.Add(1); return nil }

func names(st []Statement) string {
	var n []string
	for _, s := range st {
		n = append(n, s.Name)
	}
	return strings.Join(n, " ")
}

// Reads that finish in the reverse of their logical order still list
// their statements in logical order, run side by side (the later ones do
// not wait for the earlier), and the forks are closed.
func TestReadsListStatementsInLogicalOrder(t *testing.T) {
	snap := &fakeForking{parallel: 3}
	g := newReads(context.Background(), snap, slog.New(slog.DiscardHandler))
	var order []string
	var mu sync.Mutex
	started := make(chan struct{}, 3)
	release := make(chan struct{})
	var rs []*read
	for i, name := range []string{"a", "b", "c"} {
		rs = append(rs, g.add(name, heavyRead, nil, func(ctx context.Context, s Snapshot) error {
			started <- struct{}{}
			<-release
			// c finishes first, a last.
			time.Sleep(time.Duration(2-i) * 20 * time.Millisecond)
			s.(*fakeFork).run(name)
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil
		}))
	}
	for range 3 {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("the three reads did not run at once")
		}
	}
	close(release)
	if err := g.get(rs[2]); err != nil {
		t.Fatal(err)
	}
	g.close()
	if got := names(snap.Statements()); got != "a b c" {
		t.Errorf("statements %q, want \"a b c\"", got)
	}
	if got := strings.Join(order, " "); got != "c b a" {
		t.Errorf("finished in order %q, want \"c b a\"", got)
	}
	if snap.forks.Load() != 3 || snap.closed.Load() != 3 {
		t.Errorf("%d forks opened, %d closed; want 3 and 3", snap.forks.Load(), snap.closed.Load())
	}
}

// The first error cancels the reads still running and is the one
// returned, also by the get of a read that was running when it came.
func TestReadsFirstErrorCancelsTheRest(t *testing.T) {
	snap := &fakeForking{parallel: 3}
	g := newReads(context.Background(), snap, slog.New(slog.DiscardHandler))
	boom := errors.New("boom")
	running := make(chan struct{})
	var cancelled atomic.Bool
	slow := g.add("slow", passRead, nil, func(ctx context.Context, s Snapshot) error {
		close(running)
		select {
		case <-ctx.Done():
			cancelled.Store(true)
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return nil
		}
	})
	g.add("failing", lightRead, nil, func(ctx context.Context, s Snapshot) error {
		<-running
		return boom
	})
	var after atomic.Bool
	last := g.add("after", lightRead, []*read{slow}, func(ctx context.Context, s Snapshot) error {
		after.Store(true)
		return nil
	})
	start := time.Now()
	if err := g.get(slow); !errors.Is(err, boom) {
		t.Errorf("get of the slow read: %v, want boom", err)
	}
	if err := g.get(last); !errors.Is(err, boom) {
		t.Errorf("get of the last read: %v, want boom", err)
	}
	g.close()
	if !cancelled.Load() {
		t.Error("the slow read was not cancelled")
	}
	if after.Load() {
		t.Error("a read that depends on a cancelled one ran")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the reads took %v: the error cancelled nothing", d)
	}
}

// A snapshot whose first fork cannot be opened reads sequentially, in the
// snapshot itself and in logical order, and says so once.
func TestReadsFallBackToSequential(t *testing.T) {
	snap := &fakeForking{parallel: 3, forkErr: errors.New("cannot import the snapshot")}
	var logs bytes.Buffer
	g := newReads(context.Background(), snap, slog.New(slog.NewTextHandler(&logs, nil)))
	var order []string
	var rs []*read
	for _, name := range []string{"a", "b", "c"} {
		rs = append(rs, g.add(name, heavyRead, nil, func(ctx context.Context, s Snapshot) error {
			if s != Snapshot(snap) {
				t.Errorf("read %s got %T, not the snapshot", name, s)
			}
			order = append(order, name)
			return nil
		}))
	}
	if len(order) != 0 {
		t.Fatalf("sequential reads ran before they were needed: %v", order)
	}
	if err := g.get(rs[1]); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, " "); got != "a b" {
		t.Errorf("ran %q by the get of b, want \"a b\"", got)
	}
	if err := g.get(rs[2]); err != nil {
		t.Fatal(err)
	}
	g.close()
	if n := strings.Count(logs.String(), "reading sequentially"); n != 1 {
		t.Errorf("%d log lines say the report reads sequentially, want 1:\n%s", n, logs.String())
	}
}
