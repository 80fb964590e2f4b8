package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dialer/dialer/amd"
	"github.com/dialer/dialer/campaigns"
	"github.com/dialer/dialer/telephony/sim"
)

// demoMode is the demo campaign's dial mode.
const demoMode = campaigns.Mode("predictive")

// simAudioOptions feeds the simulated network's answered calls with audio:
// recordings from an AMD corpus directory (test/amd/build-corpus.sh output:
// labels.csv and wav/) when given, synthetic speech-like audio otherwise.
func simAudioOptions(corpus string, log *slog.Logger) ([]sim.Option, error) {
	if corpus == "" {
		return nil, nil
	}
	clips, err := loadCorpus(corpus)
	if err != nil {
		return nil, fmt.Errorf("amd_corpus: %w", err)
	}
	src := sim.NewClipSource(clips, sim.NewSynthetic())
	log.Info("simulated network plays corpus recordings", "dir", corpus,
		"human", src.Len(sim.Human), "machine", src.Len(sim.Machine), "fax", src.Len(sim.Fax), "sit", src.Len(sim.Invalid))
	return []sim.Option{sim.WithAudio(src)}, nil
}

// loadCorpus reads labels.csv (file,label,...) and the WAV files it names.
func loadCorpus(dir string) (map[sim.Outcome][][]int16, error) {
	f, err := os.Open(filepath.Join(dir, "labels.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("labels.csv: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	fi, ok1 := col["file"]
	li, ok2 := col["label"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("labels.csv: needs file and label columns, has %v", header)
	}
	kinds := map[string]sim.Outcome{"human": sim.Human, "machine": sim.Machine, "fax": sim.Fax, "sit": sim.Invalid}
	clips := map[sim.Outcome][][]int16{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("labels.csv: %w", err)
		}
		if fi >= len(rec) || li >= len(rec) {
			continue
		}
		kind, ok := kinds[rec[li]]
		if !ok {
			continue
		}
		path := rec[fi]
		if !filepath.IsAbs(path) {
			if _, err := os.Stat(filepath.Join(dir, path)); err == nil {
				path = filepath.Join(dir, path)
			} else {
				path = filepath.Join(dir, "wav", filepath.Base(path))
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		samples, err := amd.ReadWAV(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		clips[kind] = append(clips[kind], samples)
	}
	if len(clips) == 0 {
		return nil, fmt.Errorf("no human, machine, fax or sit recordings listed in %s", filepath.Join(dir, "labels.csv"))
	}
	return clips, nil
}
