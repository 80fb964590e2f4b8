// Package amd is answering-machine detection: a streaming classifier of the
// first seconds of an answered call's 8 kHz audio. It is pure code (no I/O
// beyond io.Reader and byte slices, no clock: time is the audio's own) and
// imports nothing of this module.
//
// # Use
//
// The engine makes one Detector per answered call from the campaign's Config
// and feeds it the call's audio as it arrives, in 20 ms frames of 160 linear
// PCM samples (any length works):
//
//	d := amd.New(cfg) // zero Config: defaults that need no tuning
//	for frame := range audio {
//		v, ok := d.Write(frame)
//		if !ok {
//			continue
//		}
//		switch v.Kind {
//		case amd.Human: // connect an agent now
//		case amd.Machine: // hang up, retry later, or keep feeding audio to wait for the beep
//		case amd.Beep: // v.BeepAt is the beep's onset; play the voicemail message now
//		case amd.Fax, amd.SIT: // mark the number (v.SIT says which SIT)
//		case amd.Silence, amd.Unknown:
//		}
//		if d.Done() {
//			break
//		}
//	}
//
// A Detector gives one final verdict (Human, Machine, Fax, SIT, Silence or
// Unknown) and, only after Machine and while audio keeps coming, a second
// verdict of kind Beep. Verdict.At is measured in audio time from the first
// sample written (the answer), so it equals the call's decision time.
//
// # Configuration
//
// Config has snake_case yaml and json tags so a campaign can embed it;
// ParseSettings decodes a campaign's free-form settings map. Zero fields mean
// DefaultConfig's values; Validate names the first out-of-range field.
//
// # How it decides
//
// Each 10 ms block is high-passed at 250 Hz (rumble and hum mask pauses),
// then measured for energy against an adaptive noise floor and for a single
// steady tone.
//
// Speech: the floor falls fast, rises 3 dB/s, or 20 dB/s while the level
// holds steady for 300 ms (noise does, syllables do not). A block is speech
// SpeechSNRDB above the floor, and stays speech at half that (hysteresis).
// The greeting starts with a word (MinWordMS of speech that rises 12 dB
// above the floor or moves by 3 dB inside, so a step in line noise is no
// word); once it has started, bursts of 30 ms continue it. A greeting
// followed by silence means Human: after HumanSilenceMS when it lasted up
// to ShortGreetingMS, after up to LongHumanSilenceMS when it was longer. A
// greeting that reaches MachineGreetingMS means Machine.
//
// Tones: the frequency comes from the identity x[n]+x[n-2] = 2cos(ω)x[n-1]
// (less the bias of the noise floor), refined by a Goertzel filter at that
// frequency and 12 Hz either side, which must find at least 75% of the
// block's energy; consecutive tonal blocks within 2% form segments. CED
// (2100 Hz, 500 ms) and CNG (1100 Hz, 400 ms) before any speech mean Fax;
// three adjacent SIT segments (Telcordia 913.8/985.2, 1370.6/1428.5,
// 1776.7 Hz, short or long; or the ITU 950/1400/1800 Hz variant) mean SIT,
// and their frequencies and lengths say which. A single tone of 380–2150 Hz
// lasting MinBeepMS after speech, which ends in silence rather than in
// another tone, is the beep; it is reported when it ends, with its onset.
// Dual tones such as ringback (440+480 Hz) are no single tone.
//
// Baseline is a re-implementation of Asterisk's app_amd algorithm with its
// default parameters, behind the same Classifier interface, for comparison.
//
// ReadWAV loads WAV files (PCM, float, µ-law, A-law, any rate) as 8 kHz
// samples; DecodeULaw and DecodeALaw decode G.711.
//
// # Concurrency
//
// A Detector or Baseline belongs to one call and one goroutine; different
// detectors share nothing and run in parallel freely.
package amd
