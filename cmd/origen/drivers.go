package main

// Database drivers are registered here and nowhere else.
import (
	_ "github.com/lib/pq"  // "postgres"
	_ "modernc.org/sqlite" // "sqlite", pure Go: the embedded default
)
