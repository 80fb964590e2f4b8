package amd

import "testing"

// BenchmarkDetector measures the detector on one core over a 12 s call
// (noise, greeting, beep, silence) fed in 20 ms frames. x_realtime is audio
// seconds classified per second of CPU: the goal is ≥ 1000.
func BenchmarkDetector(b *testing.B) {
	g := newSig(50).silence(400).talk(8000, 0.4, 150).silence(500).tone(300, 0.2, 1000).silence(2800).noise(-50)
	cfg := Config{BeepWindowMS: 60000} // keep it analysing to the end
	benchClassifier(b, g.s, func() Classifier { return New(cfg) })
}

// BenchmarkBaseline is the same for the app_amd-style baseline.
func BenchmarkBaseline(b *testing.B) {
	g := newSig(50).silence(400).talk(8000, 0.4, 150).silence(500).tone(300, 0.2, 1000).silence(2800).noise(-50)
	benchClassifier(b, g.s, func() Classifier { return NewBaseline(BaselineConfig{TotalAnalysisMS: 60000}) })
}

func benchClassifier(b *testing.B, s []int16, mk func() Classifier) {
	b.ReportAllocs()
	b.SetBytes(int64(2 * len(s)))
	for b.Loop() {
		c := mk()
		for i := 0; i < len(s); i += 160 {
			c.Write(s[i:min(i+160, len(s))])
		}
	}
	audio := float64(len(s)) / SampleRate * float64(b.N)
	b.ReportMetric(audio/b.Elapsed().Seconds(), "x_realtime")
}
