package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The shipped dialer configs pass `dialer serve --check`.
func TestShippedConfigsCheck(t *testing.T) {
	for _, f := range []string{"dialer.example.yaml", "dialer.compose.yaml"} {
		var out, errb bytes.Buffer
		path := filepath.Join("..", "..", "deploy", f)
		if err := run(context.Background(), []string{"serve", "--config", path, "--check"}, &out, &errb); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if !strings.Contains(out.String(), "ok (1 campaigns)") {
			t.Errorf("%s: %q", f, out.String())
		}
	}
}

// docker-compose.yml (no Docker engine here): it parses, and every file
// it mounts or builds from exists in the repository.
func TestComposeFileReferencesExist(t *testing.T) {
	root := filepath.Join("..", "..")
	data, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Build   string   `yaml:"build"`
			Image   string   `yaml:"image"`
			Volumes []string `yaml:"volumes"`
			Command []string `yaml:"command"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"redis", "dialer", "prometheus", "grafana"} {
		if _, ok := c.Services[want]; !ok {
			t.Errorf("no %s service", want)
		}
	}
	for name, s := range c.Services {
		if s.Build != "" {
			if _, err := os.Stat(filepath.Join(root, s.Build, "Dockerfile")); err != nil {
				t.Errorf("%s: build: %v", name, err)
			}
		} else if s.Image == "" {
			t.Errorf("%s: neither build nor image", name)
		}
		for _, v := range s.Volumes {
			src := strings.SplitN(v, ":", 2)[0]
			if !strings.HasPrefix(src, ".") {
				if _, ok := c.Volumes[src]; !ok {
					t.Errorf("%s: named volume %q not declared", name, src)
				}
				continue
			}
			if _, err := os.Stat(filepath.Join(root, src)); err != nil {
				t.Errorf("%s: mounts %s: %v", name, src, err)
			}
		}
	}
}
