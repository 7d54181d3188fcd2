//go:build !unix

package cli

import "context"

// endWhenStdioBreaks returns ctx: without unix signals, a broken standard
// stream is not watched.
func endWhenStdioBreaks(ctx context.Context) (context.Context, func()) {
	return ctx, func() {}
}
