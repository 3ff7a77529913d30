// Package chtest gives tests a fresh database on the two-shard ClickHouse
// cluster that .ci/clickhouse-up starts (cluster "origen": shards on
// 127.0.0.1:19000 and 127.0.0.1:19001), and drops it when the test ends.
// Without a reachable cluster the tests skip, except under CI=true
// (internal/ci), where they fail.
package chtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/origen-analytics/origen/internal/ci"
	"github.com/origen-analytics/origen/internal/clickhouse"
)

// ClusterName is the cluster of .ci/clickhouse-up's remote_servers.
const ClusterName = "origen"

// Cluster is one test's database on both shards.
type Cluster struct {
	// Database is the database's name, the same on both shards.
	Database string
	// DSN is Origen's (read-only) DSN of the database on the first shard,
	// the initiator of the queries on Distributed tables.
	DSN string
	// Shards are writable handles on the database of each shard.
	Shards [2]*sql.DB
	// HTTP is the first shard's HTTP interface (host:port), for inserts.
	HTTP string
	// Hosts are the shards' native addresses (host:port), in the
	// cluster's order.
	Hosts []string
}

// hosts are the shards' native addresses: ORIGEN_CLICKHOUSE_HOSTS
// ("host:port,host:port") or .ci/clickhouse-up's.
func hosts(getenv func(string) string) []string {
	if h := getenv("ORIGEN_CLICKHOUSE_HOSTS"); h != "" {
		return strings.Split(h, ",")
	}
	return []string{"127.0.0.1:19000", "127.0.0.1:19001"}
}

// httpHost is the first shard's HTTP interface: ORIGEN_CLICKHOUSE_HTTP or
// .ci/clickhouse-up's.
func httpHost(getenv func(string) string) string {
	if h := getenv("ORIGEN_CLICKHOUSE_HTTP"); h != "" {
		return h
	}
	return "127.0.0.1:18123"
}

// New creates a uniquely named database on both shards.
func New(t testing.TB) *Cluster {
	t.Helper()
	return newCluster(t, os.Getenv)
}

var unsafe = regexp.MustCompile(`[^a-z0-9_]+`)

func newCluster(t testing.TB, getenv func(string) string) *Cluster {
	t.Helper()
	hs := hosts(getenv)
	if len(hs) != 2 {
		t.Fatalf("chtest: ORIGEN_CLICKHOUSE_HOSTS names %d hosts, want 2", len(hs))
	}
	var suffix [4]byte
	rand.Read(suffix[:])
	name := unsafe.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	name = "origen_" + name + "_" + hex.EncodeToString(suffix[:])
	c := &Cluster{Database: name, DSN: "clickhouse://default@" + hs[0] + "/" + name, HTTP: httpHost(getenv), Hosts: hs}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i, h := range hs {
		admin, err := clickhouse.Open("clickhouse://default@"+h+"/default?dial_timeout=2s", clickhouse.Options{Writable: true})
		if err != nil {
			t.Fatalf("chtest: %v", err)
		}
		if err := admin.PingContext(ctx); err != nil {
			admin.Close()
			msg := fmt.Sprintf("chtest: no ClickHouse shard at %s (start the cluster with .ci/clickhouse-up): %v", h, err)
			if ci.Enabled(getenv) {
				t.Fatal(msg + " (CI=" + getenv("CI") + ": failing instead of skipping)")
			}
			t.Skip(msg)
		}
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			admin.Close()
			t.Fatalf("chtest: create database %s on %s: %v", name, h, err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
				t.Errorf("chtest: drop database %s on %s: %v", name, h, err)
			}
			admin.Close()
		})
		db, err := clickhouse.Open("clickhouse://default@"+h+"/"+name+"?insert_distributed_sync=1", clickhouse.Options{Writable: true})
		if err != nil {
			t.Fatalf("chtest: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		c.Shards[i] = db
	}
	t.Logf("chtest: database %s on %s", name, strings.Join(hs, ", "))
	return c
}

// Exec runs q on both shards.
func (c *Cluster) Exec(t testing.TB, q string) {
	t.Helper()
	for i, db := range c.Shards {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("chtest: shard %d: %s: %v", i+1, q, err)
		}
	}
}

// CreateSharded creates table name_local on each shard with the given
// column definitions (MergeTree ordered by orderBy) and name, a
// Distributed table over both shards' name_local that spreads inserted
// rows by shardingKey. Rows inserted into name go to the shards
// synchronously (insert_distributed_sync).
func (c *Cluster) CreateSharded(t testing.TB, name, columns, orderBy, shardingKey string) {
	t.Helper()
	local := Ident(name + "_local")
	c.Exec(t, fmt.Sprintf("CREATE TABLE %s.%s (%s) ENGINE = MergeTree() ORDER BY %s", c.Database, local, columns, orderBy))
	c.Exec(t, fmt.Sprintf("CREATE TABLE %s.%s AS %s.%s ENGINE = Distributed(%s, %s, %s, %s)",
		c.Database, Ident(name), c.Database, local, ClusterName, c.Database, Quote(name+"_local"), shardingKey))
}

// Insert inserts rows into table (a Distributed table spreads them over
// the shards) on the first shard, synchronously. Each row is a list of
// SQL literals.
func (c *Cluster) Insert(t testing.TB, table string, rows [][]string) {
	t.Helper()
	if len(rows) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s.%s VALUES ", c.Database, Ident(table))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strings.Join(r, ", ") + ")")
	}
	if err := c.Post(b.String()); err != nil {
		t.Fatalf("chtest: insert into %s: %v", table, err)
	}
}

// Post runs q through the first shard's HTTP interface, with the rows
// of an INSERT into a Distributed table written to the shards before it
// returns. (clickhouse-go/v2 waits forever for 18.16's answer to an INSERT
// with VALUES in the statement over the native protocol; Origen itself
// never inserts over it.)
func (c *Cluster) Post(q string) error {
	u := "http://" + c.HTTP + "/?database=" + url.QueryEscape(c.Database) + "&insert_distributed_sync=1"
	resp, err := http.Post(u, "text/plain", strings.NewReader(q))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// Counts returns the rows of table_local on each shard.
func (c *Cluster) Counts(t testing.TB, table string) [2]int64 {
	t.Helper()
	var out [2]int64
	for i, db := range c.Shards {
		if err := db.QueryRow(fmt.Sprintf("SELECT toInt64(count()) FROM %s.%s", c.Database, Ident(table+"_local"))).Scan(&out[i]); err != nil {
			t.Fatalf("chtest: count %s on shard %d: %v", table, i+1, err)
		}
	}
	return out
}

// Literal is v as a ClickHouse literal: NULL, a number, or a quoted string.
func Literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int, int64, int32, uint64:
		return fmt.Sprint(x)
	case string:
		return Quote(x)
	}
	return Quote(fmt.Sprint(v))
}

// Ident is s as a ClickHouse identifier.
func Ident(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(s) + "`"
}

// Quote is s as a ClickHouse string literal.
func Quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
