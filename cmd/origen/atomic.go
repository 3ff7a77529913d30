package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// output is one file of a run and the function that writes its content.
type output struct {
	path  string
	write func(io.Writer) error
}

// writeAtomically writes every output to a temporary file next to its
// destination, syncs it, and only when all are complete renames them into
// place: a failed or interrupted run leaves no partial or half-replaced
// file, and the temporary files are removed.
func writeAtomically(ctx context.Context, outputs []output) (err error) {
	var temps []string
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	for _, o := range outputs {
		if err := os.MkdirAll(filepath.Dir(o.path), 0o755); err != nil {
			return fmt.Errorf("create output directory: %w", err)
		}
		f, err := os.CreateTemp(filepath.Dir(o.path), "."+filepath.Base(o.path)+".*.tmp")
		if err != nil {
			return fmt.Errorf("create %s: %w", o.path, err)
		}
		temps = append(temps, f.Name())
		if err := o.write(f); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", o.path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("sync %s: %w", o.path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("close %s: %w", o.path, err)
		}
		if err := os.Chmod(f.Name(), 0o644); err != nil {
			return fmt.Errorf("chmod %s: %w", o.path, err)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted before %s was in place: %w", o.path, err)
		}
	}
	for i, o := range outputs {
		if err := os.Rename(temps[i], o.path); err != nil {
			return fmt.Errorf("move %s into place: %w", o.path, err)
		}
	}
	syncDir(filepath.Dir(outputs[0].path))
	return nil
}

// syncDir makes the renames durable; failure only weakens durability.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
