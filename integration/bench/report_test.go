package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportRoundTrip(t *testing.T) {
	rep := &Report{
		Date: "2026-01-02 03:04 UTC", Command: "go run ./integration/bench -json", Platform: "linux/amd64", CPUs: 2,
		Latency: []LatencyRow{{Request: "stackTrace", N: 3, DirectMedianMs: 0.2, ProxyMedianMs: 0.25, AddedMedianMs: 0.05, TargetMs: 0.1}},
		Size:    []SizeRow{{Program: "dlv", PlainBytes: 10 << 20, PatchBytes: 30 << 20, AddedMB: 20, Ratio: 3, TargetMB: 12}},
	}
	var js bytes.Buffer
	if err := rep.writeJSON(&js); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, js.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := readReport(path)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := back.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"with `go run ./integration/bench -json`",
		"| stackTrace | 3 | 0.200 | 0.000 | 0.250 | 0.000 | 0.050 | yes |",
		"| dlv | 10.00 | 30.00 | 20.00 | 3.00x | NO |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}
