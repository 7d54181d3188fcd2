package cli

import (
	"github.com/livepatch/livepatch/dapproxy"
)

// newBuilder returns the builder every launch path uses.
func newBuilder(logs *loggers) dapproxy.Builder {
	return dapproxy.GoBuilder{}
}
