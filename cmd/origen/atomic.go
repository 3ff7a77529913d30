package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// How outputs reach an output directory DIR (README, "Atomic outputs";
// docs/SECURITY.md, "Atomic outputs"):
//
//	DIR/NAME                      symlink → .origen-runs/SET.current/NAME, made once
//	DIR/.origen-runs/             Origen's own area; its flock orders creating and sweeping
//	DIR/.origen-runs/SET.current  symlink → run-NNN: the published files of SET
//	DIR/.origen-runs/run-NNN/     one run's files; while it writes, also tmp/ (excelize's
//	                              temporary files), and the run holds an flock on it
//
// A run writes every file of its set into its own run directory, syncs
// them, and publishes the set with one rename that points SET.current at
// the new run directory. Opening DIR/NAME therefore gives the old set or
// the new one, never a mix and never a partial file, wherever the run is
// killed. SET is the first output's file name without its extension
// (origen_2026-10-01_2026-11-01 for a report).
//
// What killed runs leave (run directories that no live run holds and no
// SET.current names, link temporaries, links of ours that lead nowhere)
// is swept under the area's flock. Creating a run directory and taking
// its flock happen under the area's flock too, so the sweep never sees a
// run directory between its creation and its owner's flock.
const (
	runsDirName   = ".origen-runs"
	runPrefix     = "run-"
	currentSuffix = ".current"
	newLinkPrefix = "new-" // a link being made, renamed into place at once
	scratchName   = "tmp"
)

// legacyTemp matches the temporary files of Origen before the run
// directories (".NAME.EXT.NNN.tmp" next to the output). Nothing writes
// them any more; they are swept once they are legacyTempAge old, in case
// an older binary is still writing one.
var legacyTemp = regexp.MustCompile(`^\..+\.(xlsx|html|json|csv|toml)\.\d+\.tmp$`)

const legacyTempAge = time.Hour

// output is one file of a run and the function that writes its content.
type output struct {
	path  string
	write func(io.Writer) error
}

// writeAtomically writes outputs, which must share a directory, as one
// set: into a new run directory, synced, then published with one rename
// (see the layout above). A failed or interrupted run removes its run
// directory; a killed one leaves it to the next run's sweep. Writes fail
// as soon as ctx is done, so a signal stops even a long workbook zip
// within a buffer's worth of output.
func writeAtomically(ctx context.Context, outputs []output) (err error) {
	if len(outputs) == 0 {
		return nil
	}
	dir := filepath.Dir(outputs[0].path)
	names := make([]string, len(outputs))
	for i, o := range outputs {
		if filepath.Dir(o.path) != dir {
			return fmt.Errorf("write %s: the outputs of one run must share a directory (%s)", o.path, dir)
		}
		names[i] = filepath.Base(o.path)
	}
	set := strings.TrimSuffix(names[0], filepath.Ext(names[0]))
	st, err := startRun(dir)
	if err != nil {
		return err
	}
	published := false
	defer func() {
		if !published { // also when a write panics
			st.discard()
		}
	}()
	fault(ctx, "staged")
	if err := st.writeAll(ctx, outputs); err != nil {
		return err
	}
	if err := st.seal(); err != nil {
		return err
	}
	fault(ctx, "synced")
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted before the outputs were in place: %w", err)
	}
	a, err := lockArea(dir, true)
	if err != nil {
		return err
	}
	defer a.unlock()
	if err := a.publish(ctx, st, set, names); err != nil {
		return err
	}
	published = true
	st.release()
	fault(ctx, "published")
	// The run directory SET.current named before, and links of files the
	// set no longer has.
	a.sweep()
	fault(ctx, "done")
	return nil
}

// writeFileAtomically writes one file that is not part of a set (a
// configuration file): into a run directory, synced, then renamed into
// place. Nothing else depends on it, so it is a plain file, not a link.
func writeFileAtomically(ctx context.Context, path string, write func(io.Writer) error) error {
	st, err := startRun(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer st.discard()
	if err := st.write(ctx, output{path, write}); err != nil {
		return err
	}
	if err := st.seal(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted before %s was in place: %w", path, err)
	}
	if err := os.Rename(filepath.Join(st.path, filepath.Base(path)), path); err != nil {
		return fmt.Errorf("move %s into place: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// sweepOutputs removes what killed runs left in dir (see the layout
// above) and returns how many entries it removed. A dir without Origen's
// area is left as it is.
func sweepOutputs(dir string) (int, error) {
	a, err := lockArea(dir, false)
	if a == nil || err != nil {
		return 0, err
	}
	defer a.unlock()
	n := a.sweep()
	a.removeIfEmpty()
	return n, nil
}

// scratchDir returns the run's scratch directory when w is the writer
// writeAtomically hands an output's write function, and "" otherwise. The
// workbook writer keeps excelize's temporary files there, so that they are
// swept with the run directory if the process is killed.
func scratchDir(w io.Writer) string {
	if f, ok := w.(*stagedFile); ok {
		return f.scratch
	}
	return ""
}

// area is DIR/.origen-runs, open and flocked while its holder creates,
// publishes or sweeps runs.
type area struct {
	dir  string // DIR
	path string // DIR/.origen-runs
	f    *os.File
}

// lockArea opens DIR/.origen-runs (creating DIR and it when create is
// set) and waits for its flock. Without create, a missing area gives a
// nil area and no error.
func lockArea(dir string, create bool) (*area, error) {
	path := filepath.Join(dir, runsDirName)
	for {
		if create {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create output directory: %w", err)
			}
			if err := os.Mkdir(path, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return nil, fmt.Errorf("create %s: %w", path, err)
			}
		}
		// Never through a link: the sweep removes what it finds in there.
		if pi, err := os.Lstat(path); err == nil && !pi.IsDir() {
			return nil, fmt.Errorf("%s is not a directory: Origen keeps its runs there; move it away", path)
		}
		f, err := os.Open(path)
		if err != nil {
			if !create && errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		if err := flock(f, syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		// The holder before us may have removed the area (removeIfEmpty):
		// then our lock is on a directory that no longer has the name.
		fi, err1 := f.Stat()
		pi, err2 := os.Lstat(path)
		if err1 == nil && err2 == nil && os.SameFile(fi, pi) {
			return &area{dir: dir, path: path, f: f}, nil
		}
		f.Close()
		if !create && errors.Is(err2, fs.ErrNotExist) {
			return nil, nil
		}
	}
}

func (a *area) unlock() {
	flock(a.f, syscall.LOCK_UN)
	a.f.Close()
}

// removeIfEmpty removes the area when nothing is in it any more, so that a
// failed first run leaves DIR as it found it.
func (a *area) removeIfEmpty() {
	if os.Remove(a.path) == nil {
		syncDir(a.dir)
	}
}

// runDir is one run directory, flocked by its writer until it is published
// or discarded.
type runDir struct {
	name    string // run-NNN
	path    string
	scratch string
	area    string // the area's path
	dir     string // DIR
	f       *os.File
}

// startRun sweeps dir and creates a new run directory in it, locked.
func startRun(dir string) (*runDir, error) {
	a, err := lockArea(dir, true)
	if err != nil {
		return nil, err
	}
	defer a.unlock()
	a.sweep()
	return a.newRun()
}

// newRun creates and locks a run directory; a holds the area's lock.
func (a *area) newRun() (*runDir, error) {
	path, err := os.MkdirTemp(a.path, runPrefix)
	if err != nil {
		return nil, fmt.Errorf("create a run directory in %s: %w", a.path, err)
	}
	r := &runDir{name: filepath.Base(path), path: path, scratch: filepath.Join(path, scratchName), area: a.path, dir: a.dir}
	fail := func(err error) (*runDir, error) {
		r.release()
		os.RemoveAll(path)
		return nil, fmt.Errorf("create a run directory in %s: %w", a.path, err)
	}
	// MkdirTemp makes it 0700; the outputs are for reading, as in DIR.
	if err := os.Chmod(path, 0o755); err != nil {
		return fail(err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fail(err)
	}
	r.f = f
	if err := os.Mkdir(r.scratch, 0o700); err != nil {
		return fail(err)
	}
	return r, nil
}

// write writes one output into the run directory and syncs it.
func (r *runDir) write(ctx context.Context, o output) error {
	name := filepath.Base(o.path)
	f, err := os.OpenFile(filepath.Join(r.path, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", o.path, err)
	}
	defer f.Close()
	w := &stagedFile{ctx: ctx, f: f, scratch: r.scratch, started: func() { fault(ctx, "writing "+name) }}
	if err := o.write(w); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted while writing %s: %w", o.path, ctx.Err())
		}
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", o.path, err)
	}
	if err := f.Chmod(0o644); err != nil { // whatever the umask: reports are for reading
		return fmt.Errorf("chmod %s: %w", o.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", o.path, err)
	}
	fault(ctx, "written "+name)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted before %s was in place: %w", o.path, err)
	}
	return nil
}

// writeAll writes the outputs into the run directory side by side (the
// workbook's zip, the page and the JSON each keep a core busy, and each
// file's sync waits for the disk) and returns the first failure, after
// stopping the other writes and waiting for them: the caller then
// discards the whole run directory, so no output is published unless all
// are written. A panic in a write is recovered in its goroutine, with
// that goroutine's stack, as a *panicError, and raised again here once
// the other writes are done, so that it reaches dispatch's recover (and
// origen run's) as a panic in the command's own goroutine would.
func (r *runDir) writeAll(ctx context.Context, outputs []output) error {
	if len(outputs) == 1 {
		return r.write(ctx, outputs[0])
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		cancel() // after first is set: the others' "interrupted" errors come second
	}
	for _, o := range outputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					fail(recovered(v))
				}
			}()
			if err := r.write(wctx, o); err != nil {
				fail(err)
			}
		}()
	}
	wg.Wait()
	if pe, ok := first.(*panicError); ok {
		panic(pe)
	}
	return first
}

// seal removes the scratch directory and syncs the run directory, so
// that its entries are durable before anything names it.
func (r *runDir) seal() error {
	if err := os.RemoveAll(r.scratch); err != nil {
		return fmt.Errorf("remove %s: %w", r.scratch, err)
	}
	if err := syncPath(r.path); err != nil {
		return fmt.Errorf("sync %s: %w", r.path, err)
	}
	return nil
}

// release drops the run directory's lock; a published run directory
// belongs to its SET.current link from then on.
func (r *runDir) release() {
	if r.f != nil {
		flock(r.f, syscall.LOCK_UN)
		r.f.Close()
		r.f = nil
	}
}

// discard removes an unpublished run directory and what a failed
// publication left (links that lead nowhere), and the area when that
// leaves it empty. The caller must not hold the area's lock.
func (r *runDir) discard() {
	os.RemoveAll(r.path)
	r.release()
	sweepOutputs(r.dir)
}

// publish makes st the published run of set, whose files are names: it
// adopts regular files of an older Origen under those names, makes the
// stable links DIR/NAME that are missing, and points SET.current at st
// with one rename. a holds the area's lock.
func (a *area) publish(ctx context.Context, st *runDir, set string, names []string) error {
	var legacy []string
	for _, n := range names {
		if fi, err := os.Lstat(filepath.Join(a.dir, n)); err == nil && fi.Mode().IsRegular() {
			legacy = append(legacy, n)
		}
	}
	if len(legacy) > 0 {
		if err := a.adopt(ctx, set, legacy); err != nil {
			return err
		}
	}
	for _, n := range names {
		if err := a.link(filepath.Join(a.dir, n), publicTarget(set, n)); err != nil {
			return err
		}
	}
	if err := syncPath(a.dir); err != nil {
		return fmt.Errorf("sync %s: %w", a.dir, err)
	}
	fault(ctx, "linked")
	if err := a.link(filepath.Join(a.path, set+currentSuffix), st.name); err != nil {
		return err
	}
	// Published: from here a failure may only weaken durability.
	syncDir(a.path)
	return nil
}

// adopt moves regular files DIR/NAME of set (written by Origen before the
// run directories, or copied over a link by someone) behind links without
// a reader ever seeing anything else than those bytes: they are hard
// linked (or copied) into a new run directory with the rest of the set's
// published files, SET.current is pointed at it, and then each is
// replaced by its link, which leads to the same bytes.
func (a *area) adopt(ctx context.Context, set string, names []string) error {
	st, err := a.newRun()
	if err != nil {
		return err
	}
	published := false
	defer func() {
		if !published {
			os.RemoveAll(st.path)
		}
		st.release()
	}()
	cur := filepath.Join(a.path, set+currentSuffix)
	old, _ := os.Readlink(cur)
	if old != "" {
		entries, _ := os.ReadDir(filepath.Join(a.path, old))
		for _, e := range entries {
			if e.Type().IsRegular() {
				if err := linkOrCopy(filepath.Join(a.path, old, e.Name()), filepath.Join(st.path, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	for _, n := range names {
		dst := filepath.Join(st.path, n)
		os.Remove(dst) // the regular file is what readers see now
		if err := linkOrCopy(filepath.Join(a.dir, n), dst); err != nil {
			return err
		}
	}
	if err := st.seal(); err != nil {
		return err
	}
	if err := a.link(cur, st.name); err != nil {
		return err
	}
	published = true
	fault(ctx, "adopted")
	for _, n := range names {
		if err := a.link(filepath.Join(a.dir, n), publicTarget(set, n)); err != nil {
			return err
		}
	}
	if old != "" {
		removeRun(filepath.Join(a.path, old))
	}
	return nil
}

// link makes path a symlink to target, atomically: a new link renamed over
// whatever path was. Nothing happens when path already is that link.
func (a *area) link(path, target string) error {
	if t, err := os.Readlink(path); err == nil && t == target {
		return nil
	}
	tmp := filepath.Join(a.path, newLinkPrefix+rand.Text())
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("link %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("link %s: %w", path, err)
	}
	return nil
}

// publicTarget is what DIR/NAME of set links to.
func publicTarget(set, name string) string {
	return filepath.Join(runsDirName, set+currentSuffix, name)
}

// publicSet returns the set a link target of DIR/NAME leads into, when it
// is one of ours.
func publicSet(target string) (string, bool) {
	rest, ok := strings.CutPrefix(target, runsDirName+string(filepath.Separator))
	if !ok {
		return "", false
	}
	set, _, ok := strings.Cut(rest, string(filepath.Separator))
	if !ok {
		return "", false
	}
	return strings.CutSuffix(set, currentSuffix)
}

// sweep removes what killed runs left, and returns how many entries; a
// holds the area's lock, so no run is between two of the steps that
// happen under it (creating and locking a run directory; making links and
// pointing SET.current):
//   - a link of ours in DIR that leads nowhere (a run killed after its
//     links and before SET.current, or a file the set no longer has);
//   - SET.current when DIR has no link into it any more (someone removed
//     the set's files: its bytes go too);
//   - run directories that no SET.current names and no live run holds;
//   - link temporaries, and old Origen's temporary files in DIR.
func (a *area) sweep() int {
	n := 0
	remove := func(path string, all bool) {
		var err error
		if all {
			err = os.RemoveAll(path)
		} else {
			err = os.Remove(path)
		}
		if err == nil {
			n++
		}
	}
	linked := map[string]bool{}
	if entries, err := os.ReadDir(a.dir); err == nil {
		for _, e := range entries {
			path := filepath.Join(a.dir, e.Name())
			if e.Type().IsRegular() && legacyTemp.MatchString(e.Name()) {
				if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > legacyTempAge {
					remove(path, false)
				}
				continue
			}
			if e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			t, err := os.Readlink(path)
			set, ours := publicSet(t)
			if err != nil || !ours {
				continue
			}
			if _, err := os.Stat(path); err != nil {
				remove(path, false)
				continue
			}
			linked[set] = true
		}
	}
	entries, err := os.ReadDir(a.path)
	if err != nil {
		return n
	}
	named := map[string]bool{}
	for _, e := range entries {
		path := filepath.Join(a.path, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), newLinkPrefix):
			remove(path, false)
		case e.Type()&fs.ModeSymlink != 0 && strings.HasSuffix(e.Name(), currentSuffix):
			if !linked[strings.TrimSuffix(e.Name(), currentSuffix)] {
				remove(path, false)
				continue
			}
			if t, err := os.Readlink(path); err == nil {
				named[t] = true
			}
		}
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), runPrefix) && !named[e.Name()] {
			if removeRun(filepath.Join(a.path, e.Name())) {
				n++
			}
		}
	}
	return n
}

// removeRun removes a run directory unless a live run holds its lock, and
// reports whether it did.
func removeRun(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if flock(f, syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false // its run is alive
	}
	return os.RemoveAll(path) == nil
}

// stagedFile is the io.Writer an output's write function gets. Its writes
// fail once the run's context is done, so a long write (the zip of a
// workbook with a large detail) stops within a buffer's worth of output of
// a signal. It also knows the run's scratch directory (scratchDir).
type stagedFile struct {
	ctx     context.Context
	f       *os.File
	scratch string
	started func() // called once, after the first write
}

func (s *stagedFile) Write(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := s.f.Write(p)
	if started := s.started; started != nil {
		s.started = nil
		started()
	}
	return n, err
}

// linkOrCopy makes dst a hard link of src, or a synced copy where the
// file system has no hard links.
func linkOrCopy(src, dst string) error {
	if os.Link(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("adopt %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("adopt %s: %w", src, err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("adopt %s: %w", src, err)
	}
	return nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// syncPath syncs a directory, making the entries and renames in it
// durable.
func syncPath(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) { // some file systems cannot sync directories
		return err
	}
	return nil
}

// syncDir is syncPath where failure only weakens durability.
func syncDir(dir string) { syncPath(dir) }
