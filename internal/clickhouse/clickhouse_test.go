package clickhouse_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/internal/clickhouse"
	"github.com/origen-analytics/origen/internal/clickhouse/chtest"
)

// With clickhouse-server 18.16 the driver's connection is out of step after
// a server-side syntax error (docs/SCALE.md: 34 of 50 next statements
// failed): Open's connections are discarded after an error, so the user's
// error is the one reported and the next statement works, every time.
func TestClickHouseDriverDiscardsAConnectionAfterAnError(t *testing.T) {
	c := chtest.New(t)
	db, err := clickhouse.Open(c.DSN, clickhouse.Options{StatementTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	var version string
	if err := db.QueryRowContext(ctx, "SELECT version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("server %s", version)
	for i := 0; i < 50; i++ {
		_, err := db.QueryContext(ctx, "SELEC broken")
		if err == nil || !strings.Contains(err.Error(), "Syntax error") {
			t.Fatalf("try %d: syntax error reported as %v", i, err)
		}
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT toInt64(7)").Scan(&n); err != nil || n != 7 {
			t.Fatalf("try %d: the statement after a syntax error gave %d, %v", i, n, err)
		}
	}
	// A failure while the rows stream (an exception after the first block)
	// is reported, and the next statement still works.
	rows, err := db.QueryContext(ctx, "SELECT throwIf(number = 70000) FROM system.numbers LIMIT 200000")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "throwIf") {
		t.Fatalf("exception while streaming reported as %v", err)
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT toInt64(8)").Scan(&n); err != nil || n != 8 {
		t.Fatalf("after an exception while streaming: %d, %v", n, err)
	}
}

// Every Origen connection is read-only: the server refuses writes.
func TestClickHouseConnectionsAreReadOnly(t *testing.T) {
	c := chtest.New(t)
	db, err := clickhouse.Open(c.DSN, clickhouse.Options{StatementTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ro string
	if err := db.QueryRow("SELECT value FROM system.settings WHERE name = 'readonly'").Scan(&ro); err != nil || ro != "1" {
		t.Fatalf("readonly = %q, %v", ro, err)
	}
	_, err = db.Exec("CREATE TABLE " + c.Database + ".w (x Int8) ENGINE = Memory")
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("CREATE TABLE on a read-only connection: %v", err)
	}
	var timeout string
	if err := db.QueryRow("SELECT value FROM system.settings WHERE name = 'max_execution_time'").Scan(&timeout); err != nil || timeout != "30" {
		t.Fatalf("max_execution_time = %q, %v", timeout, err)
	}
}

func TestParseDSN(t *testing.T) {
	opt, err := clickhouse.ParseDSN("clickhouse://origen:s3cret@db.example:9000/shop?max_threads=2", clickhouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if opt.Auth.Username != "origen" || opt.Auth.Password != "s3cret" || opt.Auth.Database != "shop" ||
		opt.Addr[0] != "db.example:9000" || opt.Settings["readonly"] != 1 || opt.Settings["max_threads"] != 2 {
		t.Fatalf("options = %+v", opt)
	}
	for _, tc := range []struct{ dsn, want string }{
		{"http://origen:s3cret@db.example:8123/shop", "HTTP protocol"},
		{"https://origen:s3cret@db.example:8443/shop?secure=true", "HTTP protocol"},
		{"clickhouse://origen:s3cret@db.example:9000/shop?readonly=0", "readonly=0"},
		{"clickhouse://origen:s3cret@db.example:9000/shop?readonly=2", "readonly=2"},
		{"postgres://origen:s3cret@db.example/shop", `scheme is "postgres"`},
		{"clickhouse://origen:s3cret@db.example:9000/shop?dial_timeout=soon", "cannot be read"},
	} {
		_, err := clickhouse.ParseDSN(tc.dsn, clickhouse.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.dsn, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error shows the password: %v", tc.dsn, err)
		}
	}
}
