package patcher

import (
	"encoding/json"
	"fmt"
	"os"
)

// ManifestSuffix is appended to a binary's path to name its manifest.
const ManifestSuffix = ".livepatch.json"

// Manifest describes the functions of a patchable binary. Index numbers are
// positions in the agent's dispatch table (agent.Table.Fns).
type Manifest struct {
	// Module is the main module's path.
	Module string `json:"module"`
	// Count is the number of dispatch-table slots: one more than the highest index.
	Count int `json:"count"`
	// Functions lists every function and method declared in the user's packages,
	// patchable or not, in a deterministic order.
	Functions []Function `json:"functions"`
}

// Function is one function or method of the manifest.
type Function struct {
	// Index is the dispatch-table index, or -1 when the function is not patchable.
	Index int `json:"index"`
	// Key names the function like "example.com/m/pkg.(*T).M" or "example.com/m/pkg.F".
	Key string `json:"key"`
	// Package is the import path of the declaring package.
	Package string `json:"package"`
	// File is the absolute path of the user's source file (not the overlay copy).
	File string `json:"file"`
	// Line is the line of the function's opening brace, where the prologue sits.
	Line int `json:"line"`
	// Patchable reports whether the function carries a dispatch prologue.
	Patchable bool `json:"patchable"`
	// Reason says why the function is not patchable; empty when it is.
	Reason string `json:"reason,omitempty"`
}

// Skip is one function that was left without a prologue, and why.
type Skip struct {
	Key    string
	File   string
	Line   int
	Reason string
}

// String formats s as "file:line: key: reason".
func (s Skip) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", s.File, s.Line, s.Key, s.Reason)
}

// ReadManifest reads the manifest written next to the binary at path.
func ReadManifest(binary string) (*Manifest, error) {
	data, err := os.ReadFile(binary + ManifestSuffix)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", binary+ManifestSuffix, err)
	}
	return &m, nil
}
