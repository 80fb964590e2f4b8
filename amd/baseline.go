package amd

import "time"

// BaselineConfig holds the parameters of the Asterisk app_amd-style
// baseline, in milliseconds except Words and SilenceThreshold. The zero value
// means Asterisk's published defaults.
type BaselineConfig struct {
	InitialSilenceMS       int `json:"initial_silence_ms,omitempty" yaml:"initial_silence_ms,omitempty"`               // 2500
	GreetingMS             int `json:"greeting_ms,omitempty" yaml:"greeting_ms,omitempty"`                             // 1500
	AfterGreetingSilenceMS int `json:"after_greeting_silence_ms,omitempty" yaml:"after_greeting_silence_ms,omitempty"` // 800
	TotalAnalysisMS        int `json:"total_analysis_ms,omitempty" yaml:"total_analysis_ms,omitempty"`                 // 5000
	MinWordMS              int `json:"min_word_ms,omitempty" yaml:"min_word_ms,omitempty"`                             // 100
	BetweenWordsSilenceMS  int `json:"between_words_silence_ms,omitempty" yaml:"between_words_silence_ms,omitempty"`   // 50
	Words                  int `json:"words,omitempty" yaml:"words,omitempty"`                                         // 3: the third word means machine
	SilenceThreshold       int `json:"silence_threshold,omitempty" yaml:"silence_threshold,omitempty"`                 // 256 (mean |x| of a frame)
}

// Baseline is a re-implementation, from its published description, of the
// classic Asterisk AMD() application: 20 ms frames are voiced when their mean
// absolute amplitude reaches the silence threshold; voiced runs of at least
// the minimum word length are words; too long an initial silence, too many
// words or too long a greeting mean Machine, enough silence after a greeting
// means Human, and the time limit means Unknown ("NOTSURE"). It has no fax,
// SIT or beep verdicts. It exists to be compared with Detector.
type Baseline struct {
	cfg  BaselineConfig
	buf  [160]int16
	nbuf int
	ms   int // audio time so far

	silenceMS, voiceMS, consecVoiceMS int
	words                             int
	inWord, inGreeting, inInitial     bool
	done                              bool
	pending                           []Verdict
}

// NewBaseline returns a baseline classifier for one call.
func NewBaseline(cfg BaselineConfig) *Baseline {
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&cfg.InitialSilenceMS, 2500)
	def(&cfg.GreetingMS, 1500)
	def(&cfg.AfterGreetingSilenceMS, 800)
	def(&cfg.TotalAnalysisMS, 5000)
	def(&cfg.MinWordMS, 100)
	def(&cfg.BetweenWordsSilenceMS, 50)
	def(&cfg.Words, 3)
	def(&cfg.SilenceThreshold, 256)
	return &Baseline{cfg: cfg, inInitial: true}
}

// Write feeds audio; see Classifier.
func (b *Baseline) Write(frame []int16) (Verdict, bool) {
	for _, s := range frame {
		if b.done {
			break
		}
		b.buf[b.nbuf] = s
		b.nbuf++
		if b.nbuf == len(b.buf) {
			b.nbuf = 0
			b.frame()
		}
	}
	if len(b.pending) == 0 {
		return Verdict{}, false
	}
	v := b.pending[0]
	b.pending = b.pending[1:]
	return v, true
}

func (b *Baseline) verdict(k Kind, reason string) {
	b.done = true
	b.pending = append(b.pending, Verdict{Kind: k, At: time.Duration(b.ms) * time.Millisecond, Reason: reason})
}

func (b *Baseline) frame() {
	const frameMS = 20
	var sum int
	for _, s := range b.buf {
		if s < 0 {
			sum -= int(s)
		} else {
			sum += int(s)
		}
	}
	b.ms += frameMS
	c := &b.cfg
	if sum/len(b.buf) < c.SilenceThreshold {
		b.silenceMS += frameMS
		b.consecVoiceMS = 0
		if b.silenceMS >= c.BetweenWordsSilenceMS && b.inWord {
			b.inWord = false
		}
		if b.inInitial && b.silenceMS >= c.InitialSilenceMS {
			b.verdict(Machine, "initial silence")
			return
		}
		if b.inGreeting && b.silenceMS >= c.AfterGreetingSilenceMS {
			b.verdict(Human, "silence after greeting")
			return
		}
	} else {
		b.consecVoiceMS += frameMS
		b.voiceMS += frameMS
		if b.consecVoiceMS >= c.MinWordMS && !b.inWord {
			b.words++
			b.inWord = true
			if b.words >= c.Words {
				b.verdict(Machine, "maximum number of words")
				return
			}
		}
		if b.inGreeting && b.voiceMS >= c.GreetingMS {
			b.verdict(Machine, "long greeting")
			return
		}
		if b.consecVoiceMS >= c.MinWordMS {
			b.silenceMS = 0
			b.inInitial = false
			b.inGreeting = true
		}
	}
	if b.ms >= c.TotalAnalysisMS {
		b.verdict(Unknown, "time limit")
	}
}
