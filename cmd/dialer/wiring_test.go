package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialer/dialer/amd"
	"github.com/dialer/dialer/telephony/sim"
)

func writeWAV(t *testing.T, path string, n int, rate int) {
	t.Helper()
	var b bytes.Buffer
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(i % 300)
	}
	if err := amd.EncodeWAV(&b, s, rate); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A corpus directory (test/amd/build-corpus.sh's layout) loads into clips
// per kind, resampled to 8 kHz; a broken corpus is an error naming it.
func TestLoadCorpus(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "wav"), 0o755)
	writeWAV(t, filepath.Join(dir, "wav", "h1.wav"), 8000, 8000)
	writeWAV(t, filepath.Join(dir, "wav", "m1.wav"), 16000, 16000)
	writeWAV(t, filepath.Join(dir, "wav", "f1.wav"), 800, 8000)
	labels := "file,label,first_utterance_end_ms,beep_ms,sit\nwav/h1.wav,human,600,,\nm1.wav,machine,,900,\nwav/f1.wav,fax,,,\nwav/x.wav,silence,,,\n"
	os.WriteFile(filepath.Join(dir, "labels.csv"), []byte(labels), 0o600)
	clips, err := loadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(clips[sim.Human]) != 1 || len(clips[sim.Machine]) != 1 || len(clips[sim.Fax]) != 1 {
		t.Fatalf("clips: %d human, %d machine, %d fax", len(clips[sim.Human]), len(clips[sim.Machine]), len(clips[sim.Fax]))
	}
	if n := len(clips[sim.Machine][0]); n < 7900 || n > 8100 {
		t.Errorf("16 kHz machine clip resampled to %d samples, want ~8000", n)
	}
	opts, err := simAudioOptions(dir, slog.New(slog.DiscardHandler))
	if err != nil || len(opts) != 1 {
		t.Errorf("simAudioOptions: %v, %d options", err, len(opts))
	}

	os.WriteFile(filepath.Join(dir, "labels.csv"), []byte("file,label\nwav/missing.wav,human\n"), 0o600)
	if _, err := loadCorpus(dir); err == nil || !strings.Contains(err.Error(), "missing.wav") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := simAudioOptions(t.TempDir(), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "amd_corpus") {
		t.Errorf("empty dir: %v", err)
	}
}
