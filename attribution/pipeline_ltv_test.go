package attribution

import (
	"context"
)

// ReadLTV serves the fake's lifetime-value rows (none unless set).
func (f fakeSnapshot) ReadLTV(context.Context, LTVRequest) (LTVFacts, error) { return LTVFacts{}, nil }
