package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestPromptRowsRender(t *testing.T) {
	rep := &Report{
		Date: "2026-01-02 03:04 UTC", Command: "go run ./integration/bench -only=prompt -md", Platform: "linux/amd64", CPUs: 2,
		Prompt: []PromptRow{
			{Input: "x + y", Path: "delve", N: 3, FirstMs: 0.9, MedianMs: 0.25, P95Ms: 0.4, TargetMs: 2},
			{Input: "c.Inc() + x", Path: "agent", N: 3, FirstMs: 40, MedianMs: 26, P95Ms: 30, TargetMs: 25},
		},
	}
	var md, text bytes.Buffer
	if err := rep.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### Go prompt: evaluate round trip",
		"| x + y | delve | 3 | 0.900 | 0.250 | 0.400 | <= 2 | yes |",
		"| c.Inc() + x | agent | 3 | 40.000 | 26.000 | 30.000 | <= 25 | NO |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if err := rep.writeText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "c.Inc() + x") {
		t.Errorf("text report lacks the agent's input:\n%s", text.String())
	}
}
