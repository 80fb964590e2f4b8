package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dialer/dialer/amd"
)

// writeTestWAV writes 8 kHz audio made of segments: {ms, hz} where hz 0 is
// silence and hz < 0 is a buzzy speech-like sound.
func writeTestWAV(t *testing.T, path string, segs ...[2]float64) {
	t.Helper()
	var s []int16
	for _, seg := range segs {
		n := int(seg[0] * 8)
		for i := range n {
			var v float64
			switch x := float64(i) / amd.SampleRate; {
			case seg[1] > 0:
				v = 8000 * math.Sin(2*math.Pi*seg[1]*x)
			case seg[1] < 0:
				f0 := 140 + 40*x
				for k := 1.0; k < 20; k++ {
					v += 1500 / k * math.Sin(2*math.Pi*k*f0*x)
				}
				v *= math.Sin(math.Pi * float64(i) / float64(n))
			}
			s = append(s, int16(v))
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := amd.EncodeWAV(f, s, amd.SampleRate); err != nil {
		t.Fatal(err)
	}
}

func TestAMDClassifyJSON(t *testing.T) {
	dir := t.TempDir()
	fax := filepath.Join(dir, "fax.wav")
	human := filepath.Join(dir, "human.wav")
	bad := filepath.Join(dir, "bad.wav")
	writeTestWAV(t, fax, [2]float64{300, 0}, [2]float64{3000, 2100})
	writeTestWAV(t, human, [2]float64{500, 0}, [2]float64{500, -1}, [2]float64{3000, 0})
	os.WriteFile(bad, []byte("not a wav"), 0o644)

	var out, errb bytes.Buffer
	if err := runAMD(context.Background(), []string{"classify", "--json", fax, bad, human}, &out, &errb); err != nil {
		t.Fatalf("classify: %v (%s)", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("output:\n%s", out.String())
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, m)
	}
	if got[0]["file"] != fax || got[0]["result"] != "fax" || got[0]["beep_ms"] != nil || got[0]["sit"] != nil {
		t.Errorf("fax line %v", got[0])
	}
	if ms, _ := got[0]["decision_ms"].(float64); ms < 800 || ms > 1000 {
		t.Errorf("fax decision_ms %v, want ~800 (CED confirmed after 500 ms)", got[0]["decision_ms"])
	}
	if got[1]["file"] != bad || !strings.Contains(got[1]["error"].(string), "not a WAV") || len(got[1]) != 2 {
		t.Errorf("bad line %v", got[1])
	}
	if got[2]["result"] != "human" {
		t.Errorf("human line %v", got[2])
	}
	for _, k := range []string{"file", "result", "decision_ms", "beep_ms", "sit"} {
		if _, ok := got[2][k]; !ok {
			t.Errorf("human line lacks %q: %v", k, got[2])
		}
	}

	// Nothing classifiable: non-zero exit (an error), the lines still printed.
	out.Reset()
	err := runAMD(context.Background(), []string{"classify", "--json", bad, filepath.Join(dir, "missing.wav")}, &out, &errb)
	if err == nil || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("all bad: err %v, output %q", err, out.String())
	}
	if err := runAMD(context.Background(), []string{"bogus"}, &out, &errb); err == nil {
		t.Error("unknown subcommand accepted")
	}
}

func TestAMDEval(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "wav"), 0o755)
	writeTestWAV(t, filepath.Join(dir, "wav", "h.wav"), [2]float64{500, 0}, [2]float64{500, -1}, [2]float64{3000, 0})
	writeTestWAV(t, filepath.Join(dir, "wav", "f.wav"), [2]float64{300, 0}, [2]float64{3000, 2100})
	labels := "file,label,first_utterance_end_ms,beep_ms,sit\nh.wav,human,1000,,\nf.wav,fax,,,\n"
	os.WriteFile(filepath.Join(dir, "labels.csv"), []byte(labels), 0o644)

	var out, errb bytes.Buffer
	if err := runAMD(context.Background(), []string{"eval", "--labels", filepath.Join(dir, "labels.csv")}, &out, &errb); err != nil {
		t.Fatalf("eval: %v (%s)", err, errb.String())
	}
	for _, want := range []string{"2 recordings", "humans called human", "100.0% (1/1)", "fax correct", "app_amd-style baseline"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
	os.WriteFile(filepath.Join(dir, "labels.csv"), []byte("a,b\n"), 0o644)
	if err := runAMD(context.Background(), []string{"eval", "--labels", filepath.Join(dir, "labels.csv")}, &out, &errb); err == nil {
		t.Error("bad labels accepted")
	}
}
