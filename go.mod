module github.com/origen-analytics/origen

go 1.26.8
