package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"

	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/origen-analytics/origen/fixtures"
)

// loadClickHouseFixtures is origen fixtures load --driver clickhouse: the
// generated rows in database --schema of the DSN's server, or with
// --cluster spread over that cluster's shards (fixtures.LoadClickHouse),
// and a config that reads them (through the Distributed tables).
func (e env) loadClickHouseFixtures(ctx context.Context, o fixturesLoadOptions, cfg fixtures.Config) error {
	log := e.logger()
	conn, err := fixtures.OpenClickHouse(o.DSN)
	if err != nil {
		return usageErr("--dsn %s: %s", redactDSN(o.DSN), newRedactor(o.DSN).Text(err.Error()))
	}
	defer conn.Close()
	target := fixtures.ClickHouseTarget{Conn: conn, Database: o.Schema, Cluster: o.Cluster}
	if o.Cluster != "" {
		shards, err := clickHouseShards(ctx, conn, o.DSN, o.Cluster)
		if err != nil {
			return newRedactor(o.DSN).Err(err)
		}
		defer func() {
			for _, s := range shards {
				s.Close()
			}
		}()
		target.Shards = shards
	}
	log.Info("loading fixtures", "driver", "clickhouse", "database", o.Schema, "cluster", o.Cluster,
		"registrations", o.Registrations, "months", o.Months, "seed", o.Seed)
	started := time.Now()
	if err := fixtures.LoadClickHouse(ctx, target, cfg); err != nil {
		return newRedactor(o.DSN).Err(fmt.Errorf("load fixtures into %s: %w", redactDSN(o.DSN), err))
	}
	log.Info("fixtures loaded", "database", o.Schema, "duration", time.Since(started).Round(time.Millisecond))
	err = writeFileAtomically(ctx, o.ConfigOut, func(w io.Writer) error {
		_, err := io.WriteString(w, fixtures.ConfigTOML("clickhouse", o.DSN, o.Schema))
		return err
	})
	if err != nil {
		return err
	}
	where := "database " + o.Schema
	if o.Cluster != "" {
		where += fmt.Sprintf(" across the %d shards of cluster %s", len(target.Shards), o.Cluster)
	}
	p := fixtures.DemoPeriod()
	fmt.Fprintf(e.stdout, "loaded %s registrations over %d months (%s to %s) into %s (times in whole seconds)\nconfig: %s\ntry:    origen report --config %s --from %s --to %s --as-of %s\n",
		strconv.Itoa(o.Registrations), o.Months, cfg.Start.Format(time.RFC3339), cfg.End.Format(time.RFC3339),
		where, o.ConfigOut, o.ConfigOut, p.From, p.To, fixtures.DemoAsOf.Format(time.RFC3339))
	return nil
}

// clickHouseShards connects to every shard of cluster (its first replica)
// as system.clusters on the DSN's server lists them, with the DSN's user
// and password.
func clickHouseShards(ctx context.Context, conn chdriver.Conn, dsn, cluster string) ([]chdriver.Conn, error) {
	rows, err := conn.Query(ctx, "SELECT host_address, port FROM system.clusters WHERE cluster = ? AND replica_num = 1 ORDER BY shard_num", cluster)
	if err != nil {
		return nil, fmt.Errorf("read cluster %s from system.clusters: %w", cluster, err)
	}
	var addrs []string
	for rows.Next() {
		var host string
		var port uint16
		if err := rows.Scan(&host, &port); err != nil {
			rows.Close()
			return nil, err
		}
		addrs = append(addrs, net.JoinHostPort(host, strconv.Itoa(int(port))))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, usageErr("--cluster %s: the server's remote_servers has no such cluster", cluster)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, usageErr("--dsn %s: not a URL", redactDSN(dsn))
	}
	var out []chdriver.Conn
	for _, a := range addrs {
		v := *u
		v.Host, v.Path = a, "/default"
		c, err := fixtures.OpenClickHouse(v.String())
		if err != nil {
			for _, o := range out {
				o.Close()
			}
			return nil, fmt.Errorf("connect to shard %s: %w", a, err)
		}
		out = append(out, c)
	}
	return out, nil
}
