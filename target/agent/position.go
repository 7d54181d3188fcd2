package agent

import "go/token"

// emptyFset returns a file set for parsing one throwaway snippet.
func emptyFset() *token.FileSet { return token.NewFileSet() }
