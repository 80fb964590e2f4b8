package amd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// wavBytes builds a WAV file by hand: fmt fields, optional extra chunk, data.
func wavBytes(format, channels, rate, bits int, data []byte, extensible bool) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	fmtLen := 16
	if extensible {
		fmtLen = 40
	}
	b.WriteString("RIFF")
	le(uint32(4 + 8 + fmtLen + 8 + 6 + 8 + len(data)))
	b.WriteString("WAVE")
	b.WriteString("fmt ")
	le(uint32(fmtLen))
	tag := format
	if extensible {
		tag = wavExtensible
	}
	align := channels * bits / 8
	le(uint16(tag))
	le(uint16(channels))
	le(uint32(rate))
	le(uint32(rate * align))
	le(uint16(align))
	le(uint16(bits))
	if extensible {
		le(uint16(22))
		le(uint16(bits))
		le(uint32(0))
		le(uint16(format))
		b.Write([]byte{0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71})
	}
	b.WriteString("LIST") // an unrelated chunk, skipped
	le(uint32(5))
	b.Write([]byte{1, 2, 3, 4, 5, 0})
	b.WriteString("data")
	le(uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestReadWAVFormats(t *testing.T) {
	want := []int16{0, 1000, -1000, 32767, -32768, 12345}
	pcm16 := func(ch int) []byte {
		var b bytes.Buffer
		for _, v := range want {
			for range ch {
				binary.Write(&b, binary.LittleEndian, v)
			}
		}
		return b.Bytes()
	}
	var pcm24, pcm32, f32, u8 bytes.Buffer
	for _, v := range want {
		x := int32(v) << 8
		pcm24.Write([]byte{byte(x), byte(x >> 8), byte(x >> 16)})
		binary.Write(&pcm32, binary.LittleEndian, int32(v)<<16)
		binary.Write(&f32, binary.LittleEndian, float32(v)/32767)
		u8.WriteByte(byte(int(v>>8) + 128))
	}
	ulaw, alaw := make([]byte, len(want)), make([]byte, len(want))
	for i, v := range want {
		ulaw[i], alaw[i] = LinearToULaw(v), LinearToALaw(v)
	}
	cases := []struct {
		name       string
		file       []byte
		tol        int
		format     int
		extensible bool
	}{
		{"pcm16", wavBytes(wavPCM, 1, 8000, 16, pcm16(1), false), 0, wavPCM, false},
		{"pcm16 stereo", wavBytes(wavPCM, 2, 8000, 16, pcm16(2), false), 0, wavPCM, false},
		{"pcm16 extensible", wavBytes(wavPCM, 1, 8000, 16, pcm16(1), true), 0, wavPCM, true},
		{"pcm24", wavBytes(wavPCM, 1, 8000, 24, pcm24.Bytes(), false), 0, wavPCM, false},
		{"pcm32", wavBytes(wavPCM, 1, 8000, 32, pcm32.Bytes(), false), 0, wavPCM, false},
		{"float32", wavBytes(wavFloat, 1, 8000, 32, f32.Bytes(), false), 1, wavFloat, false},
		{"pcm8", wavBytes(wavPCM, 1, 8000, 8, u8.Bytes(), false), 256, wavPCM, false},
		{"ulaw", wavBytes(wavULaw, 1, 8000, 8, ulaw, false), 1100, wavULaw, false},
		{"alaw", wavBytes(wavALaw, 1, 8000, 8, alaw, false), 1100, wavALaw, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, info, err := DecodeWAV(bytes.NewReader(c.file))
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != c.format || info.Rate != 8000 {
				t.Errorf("info %+v", info)
			}
			if len(got) != len(want) {
				t.Fatalf("%d samples, want %d", len(got), len(want))
			}
			for i := range want {
				if d := int(got[i]) - int(want[i]); d < -c.tol-1 || d > c.tol {
					t.Errorf("sample %d = %d, want %d ±%d", i, got[i], want[i], c.tol)
				}
			}
		})
	}
}

func TestReadWAVErrors(t *testing.T) {
	good := wavBytes(wavPCM, 1, 8000, 16, []byte{1, 0, 2, 0}, false)
	cases := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrNotWAV},
		{"not riff", []byte("RIFX\x00\x00\x00\x00WAVEfmt "), ErrNotWAV},
		{"no data chunk", good[:36], ErrTruncated},
		{"mp3 in wav", wavBytes(0x55, 1, 8000, 16, []byte{1, 2}, false), ErrUnsupportedFormat},
		{"12-bit", wavBytes(wavPCM, 1, 8000, 12, []byte{1, 2}, false), ErrUnsupportedFormat},
		{"zero channels", wavBytes(wavPCM, 0, 8000, 16, []byte{1, 2}, false), ErrUnsupportedFormat},
		{"rate 0", wavBytes(wavPCM, 1, 0, 16, []byte{1, 2}, false), ErrUnsupportedFormat},
	}
	for _, c := range cases {
		if _, err := ReadWAV(bytes.NewReader(c.file)); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	// A data chunk that claims more than there is: read what is there.
	s, err := ReadWAV(bytes.NewReader(good[:len(good)-1]))
	if err != nil || len(s) != 1 || s[0] != 1 {
		t.Errorf("short data: %v, %v", s, err)
	}
}

// toneAt returns the amplitude of frequency hz in x (single-bin DFT).
func toneAt(x []int16, rate int, hz float64) float64 {
	var re, im float64
	for i, v := range x {
		a := 2 * math.Pi * hz * float64(i) / float64(rate)
		re += float64(v) * math.Cos(a)
		im += float64(v) * math.Sin(a)
	}
	return 2 * math.Hypot(re, im) / float64(len(x))
}

func TestResample(t *testing.T) {
	for _, rate := range []int{16000, 44100, 48000, 11025, 6000} {
		n := rate // one second
		in := make([]int16, n)
		for i := range in {
			t := float64(i) / float64(rate)
			// 1 kHz passes; 3.9 kHz (16 kHz and up) must be filtered out, not aliased.
			v := 10000 * math.Sin(2*math.Pi*1000*t)
			if rate >= 16000 {
				v += 8000 * math.Sin(2*math.Pi*5000*t)
			}
			in[i] = int16(v)
		}
		out := Resample(in, rate, SampleRate)
		if len(out) != SampleRate {
			t.Fatalf("%d Hz: %d samples out, want 8000", rate, len(out))
		}
		mid := out[400 : len(out)-400]
		if a := toneAt(mid, SampleRate, 1000); a < 9500 || a > 10500 {
			t.Errorf("%d Hz: 1 kHz amplitude %.0f after resampling, want 10000", rate, a)
		}
		if rate >= 16000 {
			if a := toneAt(mid, SampleRate, 3000); a > 300 { // 5 kHz would alias to 3 kHz
				t.Errorf("%d Hz: 5 kHz aliased to 3 kHz with amplitude %.0f", rate, a)
			}
		}
	}
	x := []int16{1, 2, 3}
	if got := Resample(x, 8000, 8000); &got[0] != &x[0] {
		t.Error("same rate should return the input")
	}
}

func TestEncodeWAVRoundTrip(t *testing.T) {
	s := newSig(20).word(300, 0.5).s
	var b bytes.Buffer
	if err := EncodeWAV(&b, s, 16000); err != nil {
		t.Fatal(err)
	}
	got, info, err := DecodeWAV(&b)
	if err != nil || info.Rate != 16000 || len(got) != len(s) {
		t.Fatalf("%v %+v %d", err, info, len(got))
	}
	for i := range s {
		if got[i] != s[i] {
			t.Fatalf("sample %d: %d != %d", i, got[i], s[i])
		}
	}
}

func FuzzReadWAV(f *testing.F) {
	f.Add(wavBytes(wavPCM, 1, 8000, 16, []byte{1, 0, 2, 0, 3, 0}, false))
	f.Add(wavBytes(wavPCM, 2, 44100, 16, make([]byte, 400), true))
	f.Add(wavBytes(wavULaw, 1, 8000, 8, []byte{0, 0x7f, 0x80, 0xff}, false))
	f.Add(wavBytes(wavALaw, 1, 16000, 8, []byte{0x55, 0xd5}, false))
	f.Add(wavBytes(wavFloat, 1, 22050, 64, make([]byte, 64), false))
	f.Add(wavBytes(wavPCM, 3, 1000, 24, make([]byte, 90), false))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ReadWAV(bytes.NewReader(b))
		if err != nil && s != nil {
			t.Fatal("samples with an error")
		}
		if len(s) > 8*len(b)+8 { // at most 1 kHz → 8 kHz upsampling of 1-byte samples
			t.Fatalf("%d samples from %d bytes", len(s), len(b))
		}
	})
}
