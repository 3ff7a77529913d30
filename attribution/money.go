package attribution

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// MoneyScale is the number of Money units in one unit of currency. Four
// decimal places hold every ISO 4217 minor unit (the largest is 4, for CLF
// and UYW), so sums of database amounts stay exact.
const MoneyScale = 10000

// Money is an exact amount in ten-thousandths of the report currency. Sums
// of Money are exact; rounding to the currency's minor unit happens only
// when a value is formatted for display (METRICS.md, "Money").
type Money int64

// ErrMoneyPrecision is returned by ParseMoney for amounts with more than
// four decimal places, which Money cannot hold exactly.
var ErrMoneyPrecision = errors.New("more than 4 decimal places")

// ParseMoney reads a plain decimal such as "-1234.5" exactly.
func ParseMoney(s string) (Money, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("parse amount %q: empty", s)
	}
	neg := false
	switch t[0] {
	case '-':
		neg, t = true, t[1:]
	case '+':
		t = t[1:]
	}
	intPart, frac, hasDot := strings.Cut(t, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("parse amount %q: not a number", s)
	}
	if len(frac) > 4 {
		if strings.TrimRight(frac[4:], "0") != "" {
			return 0, fmt.Errorf("parse amount %q: %w", s, ErrMoneyPrecision)
		}
		frac = frac[:4]
	}
	var v int64
	for _, c := range intPart + frac + strings.Repeat("0", 4-len(frac)) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("parse amount %q: not a number", s)
		}
		if v > (1<<63-1-9)/10 {
			return 0, fmt.Errorf("parse amount %q: too large", s)
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return Money(v), nil
}

// ErrMoneyOverflow is wrapped by the KindData *Error that ComputeChecked
// returns when a sum of money leaves Money's range.
var ErrMoneyOverflow = errors.New("money sum out of range")

// Float64 returns m in currency units, for charts and spreadsheet cells.
func (m Money) Float64() float64 { return float64(m) / MoneyScale }

// Format returns m rounded half away from zero to digits decimal places
// (0 to 4), e.g. "1234.50".
func (m Money) Format(digits int) string {
	return Quotient{Num: m, Den: 1}.Format(digits)
}

// String formats m with all four decimal places.
func (m Money) String() string { return m.Format(4) }

// Quotient is an exact money ratio such as spend per customer. It is
// undefined (n/a) when Den is zero.
type Quotient struct {
	Num Money
	Den int64
}

// Valid reports whether the quotient is defined.
func (q Quotient) Valid() bool { return q.Den != 0 }

// Float64 returns the quotient in currency units; 0 when undefined.
func (q Quotient) Float64() float64 {
	if q.Den == 0 {
		return 0
	}
	f, _ := new(big.Rat).SetFrac(big.NewInt(int64(q.Num)), big.NewInt(q.Den*MoneyScale)).Float64()
	return f
}

// Format rounds the exact quotient once, half away from zero, to digits
// decimal places (0 to 4). It returns "" when the quotient is undefined.
func (q Quotient) Format(digits int) string {
	if q.Den == 0 {
		return ""
	}
	if digits < 0 || digits > 4 {
		panic(fmt.Sprintf("attribution: Quotient.Format digits %d outside 0..4", digits))
	}
	// value in units of 10^-digits = Num * 10^digits / (Den * MoneyScale)
	num := new(big.Int).Mul(big.NewInt(int64(q.Num)), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil))
	den := new(big.Int).Mul(big.NewInt(q.Den), big.NewInt(MoneyScale))
	if den.Sign() < 0 {
		num.Neg(num)
		den.Neg(den)
	}
	neg := num.Sign() < 0
	num.Abs(num)
	quo, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Mul(rem, big.NewInt(2)).Cmp(den) >= 0 {
		quo.Add(quo, big.NewInt(1))
	}
	s := quo.String()
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg && strings.Trim(s, "0.") != "" {
		s = "-" + s
	}
	return s
}

// GroupDigits inserts thousands separators into a plain decimal such as
// "-1234567.50" → "-1,234,567.50", for display.
func GroupDigits(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasDot {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Add returns m + n and true, or 0 and false when the exact sum does not
// fit in a Money (about ±922 trillion currency units): a sum that wrapped
// around would be a wrong number, so callers report it instead.
func (m Money) Add(n Money) (Money, bool) {
	s := m + n
	// Signed overflow happened exactly when both operands have the same
	// sign and the result has the other one.
	if (m >= 0) == (n >= 0) && (s >= 0) != (m >= 0) {
		return 0, false
	}
	return s, true
}
