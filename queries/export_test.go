package queries

// LocalDayExprForTest exposes localDayExpr to the external tests.
var LocalDayExprForTest = localDayExpr
