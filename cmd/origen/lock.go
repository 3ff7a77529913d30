package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/origen-analytics/origen/attribution"
)

// jobLock is the lock that lets one run of a job at a time: an exclusive
// flock(2) on DIR/.origen-JOB.lock, which the kernel releases when the
// holder dies however it dies. The file records the holder's pid and start
// time so that a refused run can say who holds it, and a later run can tell
// that the previous holder died without cleaning up (a stale lock).
type jobLock struct {
	f    *os.File
	path string
}

// ErrJobRunning is returned (wrapped in an attribution.Error) by lockJob
// when another live process holds the job's lock.
var ErrJobRunning = errors.New("job is already running")

func lockJob(dir, name string, now time.Time, log *slog.Logger) (*jobLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, ".origen-"+name+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		if holder == "" {
			holder = "held by a process that has not written its record yet"
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &attribution.Error{Kind: attribution.KindRuntime, Err: ErrJobRunning,
				Msg: fmt.Sprintf("job %q is already running (%s; lock %s): this run exits without doing anything", name, holder, path)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// log already names the job (cmdRun's log.With("job", ...)).
	if prev := readHolder(f); prev != "" {
		log.Warn("taking over a stale lock: its holder ended without releasing it", "lock", path, "previous", prev)
	}
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid=%d started=%s\n", os.Getpid(), now.UTC().Format(time.RFC3339))
		f.Sync()
	}
	// No run of this job is alive now, so whatever runs in dir that no
	// live process holds left (a killed run's files) can go before this
	// one starts; writeAtomically sweeps again before it writes.
	if n, err := sweepOutputs(dir); err != nil {
		log.Warn("could not sweep what killed runs left", "dir", dir, "error", err)
	} else if n > 0 {
		log.Info("removed what killed runs left", "dir", dir, "entries", n)
	}
	return &jobLock{f: f, path: path}, nil
}

// readHolder describes the lock file's recorded holder, "" when empty.
func readHolder(f *os.File) string {
	b := make([]byte, 200)
	n, _ := f.ReadAt(b, 0)
	s := strings.TrimSpace(string(b[:n]))
	if s == "" {
		return ""
	}
	fields := map[string]string{}
	for _, kv := range strings.Fields(s) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			fields[k] = v
		}
	}
	pid, err := strconv.Atoi(fields["pid"])
	if err != nil || pid <= 0 {
		return "unrecognised lock record " + strconv.Quote(s)
	}
	return fmt.Sprintf("pid %d, started %s", pid, fields["started"])
}

// release empties the record and drops the lock; the file stays so that
// its inode, which other runs may have open, remains the lock.
func (l *jobLock) release() {
	l.f.Truncate(0)
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
