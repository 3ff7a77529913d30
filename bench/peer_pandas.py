#!/usr/bin/python3
"""peer_pandas.py - the headline figures of one report period per channel, the
way an analyst would compute them in pandas: read the three tables with
pandas.read_sql, compute in memory, write an .xlsx (openpyxl).

It is the pandas peer of bench/compare (next to `origen report` and
bench/headline.sql) and follows the same rules (METRICS.md): each user's
earliest registration, the period's registrations without users who bought
before registering, customers = first purchase (amount > 0) at or after
registering within W x 24 h and at or before as_of, window revenue including
refunds, spend dated in [from, to), channel labels trimmed with NULL or empty
as "(none)".

Money is exact: amounts arrive as decimal.Decimal (PostgreSQL numeric) and are
turned into integer cents (int64) before any sum; the .xlsx cells are the
cents divided by 100 (a float that prints as the exact 2-decimal amount), the
--csv output prints the cents as decimal strings.

Runs with Debian's python3-pandas, python3-psycopg2 and python3-openpyxl
(/usr/bin/python3):

    /usr/bin/python3 bench/peer_pandas.py --dsn "$DSN" --schema bench_1m \\
        --from 2026-10-01 --to 2026-11-01 --as-of 2026-11-20T00:00:00Z \\
        --tz Europe/Berlin --window-days 30 --out /tmp/peer.xlsx [--csv -]
"""

import argparse
import csv
import sys
import warnings

import pandas as pd
import psycopg2
from psycopg2 import sql

# What Go's unicode.IsSpace calls white space (Origen trims exactly these);
# str.strip() with no argument would also trim \x1c-\x1f.
WHITE_SPACE = (
    "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
NO_CHANNEL = "(none)"


def channel_label(raw: pd.Series) -> pd.Series:
    """METRICS.md "Cohort" rule 2: trimmed; NULL or empty becomes (none)."""
    s = raw.fillna("").astype(str).str.strip(WHITE_SPACE)
    return s.mask(s == "", NO_CHANNEL)


def to_cents(amount: pd.Series) -> pd.Series:
    """Decimal amounts (numeric(14,2)) to exact int64 cents."""
    return amount.map(lambda d: int(d.scaleb(2))).astype("int64")


def cents_text(c: int) -> str:
    sign = "-" if c < 0 else ""
    c = abs(int(c))
    return f"{sign}{c // 100}.{c % 100:02d}"


def headline(conn, schema, start, end, from_date, to_date, as_of, window):
    def read(columns, name):
        # coerce_float=False keeps numeric as Decimal; the default turns
        # money into floats.
        query = f"SELECT {columns} FROM {sql.Identifier(schema, name).as_string(conn)}"
        return pd.read_sql(query, conn, coerce_float=False)

    reg = read("user_id, registered_at, channel", "registrations")
    pur = read("user_id, purchased_at, amount", "purchases")
    spend = read('"date", channel, amount', "spend")

    # Cohort rule 1: one registration per user, the earliest (ties: the
    # smaller raw channel, NULL last); nothing after as_of exists.
    reg = reg.dropna(subset=["user_id", "registered_at"])
    reg["registered_at"] = pd.to_datetime(reg["registered_at"], utc=True)
    reg = reg[reg["registered_at"] <= as_of]
    first = (reg.sort_values(["user_id", "registered_at", "channel"], na_position="last", kind="mergesort")
                .drop_duplicates("user_id", keep="first"))
    cohort = first[(first["registered_at"] >= start) & (first["registered_at"] < end)].copy()

    pur = pur.dropna(subset=["user_id", "purchased_at", "amount"])
    pur["purchased_at"] = pd.to_datetime(pur["purchased_at"], utc=True)
    pur = pur[pur["purchased_at"] <= as_of]
    pur["cents"] = to_cents(pur["amount"])

    m = cohort[["user_id", "registered_at"]].merge(pur[["user_id", "purchased_at", "cents"]], on="user_id")
    # Rule 3: a purchase before registering makes the user an existing customer.
    existing = m.loc[(m["cents"] > 0) & (m["purchased_at"] < m["registered_at"]), "user_id"].unique()
    cohort = cohort[~cohort["user_id"].isin(existing)]
    inside = m[(m["purchased_at"] >= m["registered_at"])
               & (m["purchased_at"] < m["registered_at"] + pd.Timedelta(days=window))
               & ~m["user_id"].isin(existing)]
    # A purchase inside the window means the first one is inside it too.
    customers = set(inside.loc[inside["cents"] > 0, "user_id"].unique())
    revenue = inside.groupby("user_id")["cents"].sum()

    cohort["channel"] = channel_label(cohort["channel"])
    cohort["customer"] = cohort["user_id"].isin(customers)
    cohort["revenue"] = cohort["user_id"].map(revenue).fillna(0).astype("int64")
    by_channel = cohort.groupby("channel").agg(
        registrations=("user_id", "size"), customers=("customer", "sum"), revenue_cents=("revenue", "sum"))

    spend = spend.dropna(subset=["date", "amount"])
    spend["date"] = pd.to_datetime(spend["date"])
    spend = spend[(spend["date"] >= pd.Timestamp(from_date)) & (spend["date"] < pd.Timestamp(to_date))].copy()
    spend["channel"] = channel_label(spend["channel"])
    spend["cents"] = to_cents(spend["amount"])
    spend_by_channel = spend.groupby("channel")["cents"].sum().rename("spend_cents")

    out = by_channel.join(spend_by_channel, how="outer").fillna(0)
    out = out.astype({"registrations": "int64", "customers": "int64", "revenue_cents": "int64", "spend_cents": "int64"})
    out = out.reset_index().rename(columns={"index": "channel"})
    return out.sort_values("channel", key=lambda s: s.map(lambda x: x.encode("utf-8")))


def main(argv):
    # pandas 1.5 warns on any DBAPI connection but sqlite3's (it wants
    # SQLAlchemy, which Debian's pandas does not pull in); psycopg2 works.
    warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy", category=UserWarning)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dsn", required=True, help="libpq connection string or URI")
    ap.add_argument("--schema", required=True)
    ap.add_argument("--from", dest="from_date", required=True, help="first local date of the period")
    ap.add_argument("--to", dest="to_date", required=True, help="local date after the period")
    ap.add_argument("--as-of", required=True, help="data cutoff, RFC 3339")
    ap.add_argument("--tz", required=True, help="business time zone (IANA)")
    ap.add_argument("--window-days", type=int, default=30)
    ap.add_argument("--out", required=True, help=".xlsx to write")
    ap.add_argument("--csv", help="also write the figures as CSV to this file (- for stdout), money as exact decimals")
    a = ap.parse_args(argv)

    start = pd.Timestamp(a.from_date).tz_localize(a.tz).tz_convert("UTC")
    end = pd.Timestamp(a.to_date).tz_localize(a.tz).tz_convert("UTC")
    as_of = pd.Timestamp(a.as_of).tz_convert("UTC")
    # Sessions in UTC: timestamps arrive with a fixed +00 offset.
    conn = psycopg2.connect(a.dsn, options="-c TimeZone=UTC")
    try:
        conn.set_session(readonly=True)
        out = headline(conn, a.schema, start, end, a.from_date, a.to_date, as_of, a.window_days)
    finally:
        conn.close()

    sheet = pd.DataFrame({
        "Channel": out["channel"],
        "Registrations": out["registrations"],
        "Customers": out["customers"],
        "Revenue": out["revenue_cents"] / 100,
        "Spend": out["spend_cents"] / 100,
    })
    with pd.ExcelWriter(a.out, engine="openpyxl") as xw:
        sheet.to_excel(xw, sheet_name="Channels", index=False)
        ws = xw.sheets["Channels"]
        for col in ("D", "E"):
            for cell in ws[col][1:]:
                cell.number_format = "#,##0.00"

    if a.csv:
        f = sys.stdout if a.csv == "-" else open(a.csv, "w", newline="", encoding="utf-8")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["channel", "registrations", "customers", "revenue", "spend"])
        for r in out.itertuples(index=False):
            w.writerow([r.channel, r.registrations, r.customers, cents_text(r.revenue_cents), cents_text(r.spend_cents)])
        if f is not sys.stdout:
            f.close()


if __name__ == "__main__":
    main(sys.argv[1:])
