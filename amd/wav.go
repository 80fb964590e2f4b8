package amd

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// SampleRate is the rate of everything a Detector takes: 8 kHz.
const SampleRate = 8000

// WAV format tags (RIFF WAVE fmt chunk).
const (
	wavPCM        = 1
	wavFloat      = 3
	wavALaw       = 6
	wavULaw       = 7
	wavExtensible = 0xfffe
)

// maxWAVData bounds how much sample data ReadWAV accepts (about 1 GiB).
const maxWAVData = 1 << 30

// WAVInfo describes a WAV file as stored.
type WAVInfo struct {
	Format        int // 1 PCM, 3 float, 6 A-law, 7 µ-law (extensible files report their sub-format)
	Channels      int
	Rate          int
	BitsPerSample int
}

// ReadWAV reads a RIFF/WAVE file (PCM 8/16/24/32-bit, 32/64-bit float,
// µ-law, A-law; any number of channels, mixed down; any rate from 1 kHz to
// 384 kHz, resampled) and returns its audio as 16-bit samples at 8 kHz.
// Errors wrap ErrNotWAV, ErrUnsupportedFormat or ErrTruncated.
func ReadWAV(r io.Reader) ([]int16, error) {
	s, info, err := DecodeWAV(r)
	if err != nil {
		return nil, err
	}
	return Resample(s, info.Rate, SampleRate), nil
}

// DecodeWAV reads a WAV file like ReadWAV but returns the mono samples at the
// file's own rate, with its format.
func DecodeWAV(r io.Reader) ([]int16, WAVInfo, error) {
	var info WAVInfo
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, info, fmt.Errorf("%w: reading the RIFF header: %v", ErrNotWAV, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, info, fmt.Errorf("%w: no RIFF/WAVE signature", ErrNotWAV)
	}
	haveFmt := false
	blockAlign := 0
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, info, fmt.Errorf("%w: no data chunk", ErrTruncated)
		}
		id := string(ch[0:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch id {
		case "fmt ":
			if size < 16 || size > 1<<16 {
				return nil, info, fmt.Errorf("%w: fmt chunk of %d bytes", ErrUnsupportedFormat, size)
			}
			b := make([]byte, size+size&1)
			if _, err := io.ReadFull(r, b); err != nil && !(err == io.ErrUnexpectedEOF && size&1 == 1) {
				return nil, info, fmt.Errorf("%w: fmt chunk: %v", ErrTruncated, err)
			}
			info.Format = int(binary.LittleEndian.Uint16(b[0:2]))
			info.Channels = int(binary.LittleEndian.Uint16(b[2:4]))
			info.Rate = int(binary.LittleEndian.Uint32(b[4:8]))
			blockAlign = int(binary.LittleEndian.Uint16(b[12:14]))
			info.BitsPerSample = int(binary.LittleEndian.Uint16(b[14:16]))
			if info.Format == wavExtensible {
				if size < 40 {
					return nil, info, fmt.Errorf("%w: extensible fmt chunk of %d bytes", ErrUnsupportedFormat, size)
				}
				info.Format = int(binary.LittleEndian.Uint16(b[24:26]))
			}
			if err := info.check(blockAlign); err != nil {
				return nil, info, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, info, fmt.Errorf("%w: data chunk before fmt chunk", ErrUnsupportedFormat)
			}
			// Streamed files often carry a placeholder size: read what is there.
			var buf bytes.Buffer
			if _, err := io.Copy(&buf, io.LimitReader(r, min(size, maxWAVData))); err != nil {
				return nil, info, fmt.Errorf("reading WAV data: %w", err)
			}
			return info.decode(buf.Bytes(), blockAlign), info, nil
		default:
			if _, err := io.CopyN(io.Discard, r, size+size&1); err != nil {
				return nil, info, fmt.Errorf("%w: in %q chunk", ErrTruncated, id)
			}
		}
	}
}

func (info WAVInfo) check(blockAlign int) error {
	if info.Channels < 1 || info.Channels > 64 {
		return fmt.Errorf("%w: %d channels", ErrUnsupportedFormat, info.Channels)
	}
	if info.Rate < 1000 || info.Rate > 384000 {
		return fmt.Errorf("%w: sample rate %d Hz", ErrUnsupportedFormat, info.Rate)
	}
	ok := false
	switch info.Format {
	case wavPCM:
		ok = info.BitsPerSample == 8 || info.BitsPerSample == 16 || info.BitsPerSample == 24 || info.BitsPerSample == 32
	case wavFloat:
		ok = info.BitsPerSample == 32 || info.BitsPerSample == 64
	case wavALaw, wavULaw:
		ok = info.BitsPerSample == 8
	}
	if !ok {
		return fmt.Errorf("%w: format tag %d with %d bits per sample", ErrUnsupportedFormat, info.Format, info.BitsPerSample)
	}
	if blockAlign != info.Channels*info.BitsPerSample/8 {
		return fmt.Errorf("%w: block align %d for %d channels of %d bits", ErrUnsupportedFormat, blockAlign, info.Channels, info.BitsPerSample)
	}
	return nil
}

// decode turns whole frames of b into mono samples (channels averaged).
func (info WAVInfo) decode(b []byte, blockAlign int) []int16 {
	n := len(b) / blockAlign
	out := make([]int16, n)
	width := info.BitsPerSample / 8
	for i := range n {
		var sum float64
		for c := range info.Channels {
			p := b[i*blockAlign+c*width:]
			sum += info.sample(p)
		}
		v := math.Round(sum / float64(info.Channels))
		out[i] = int16(max(-32768, min(32767, v)))
	}
	return out
}

// sample decodes one sample at the start of p, scaled to the int16 range.
func (info WAVInfo) sample(p []byte) float64 {
	switch info.Format {
	case wavULaw:
		return float64(ulawTable[p[0]])
	case wavALaw:
		return float64(alawTable[p[0]])
	case wavFloat:
		if info.BitsPerSample == 32 {
			f := float64(math.Float32frombits(binary.LittleEndian.Uint32(p)))
			return clampUnit(f) * 32767
		}
		return clampUnit(math.Float64frombits(binary.LittleEndian.Uint64(p))) * 32767
	}
	switch info.BitsPerSample {
	case 8:
		return float64(int(p[0])-128) * 256
	case 16:
		return float64(int16(binary.LittleEndian.Uint16(p)))
	case 24:
		v := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
		return float64(v) / 256
	default:
		return float64(int32(binary.LittleEndian.Uint32(p))) / 65536
	}
}

func clampUnit(f float64) float64 {
	if f != f { // NaN
		return 0
	}
	return max(-1, min(1, f))
}

// Resample converts x from one sample rate to another with a windowed-sinc
// low-pass interpolator (cut-off just below the lower Nyquist frequency).
// It returns x itself when the rates are equal.
func Resample(x []int16, from, to int) []int16 {
	if from == to || len(x) == 0 || from <= 0 || to <= 0 {
		return x
	}
	g := gcd(from, to)
	up, down := to/g, from/g                       // output n sits at input position n*down/up
	fc := 0.46 * min(1, float64(to)/float64(from)) // cycles per input sample
	hw := int(math.Ceil(8 / (2 * fc)))             // half-width in input samples
	nOut := int(int64(len(x)) * int64(to) / int64(from))
	out := make([]int16, nOut)
	kernel := func(t float64) float64 {
		if t <= -float64(hw) || t >= float64(hw) {
			return 0
		}
		w := 0.5 * (1 + math.Cos(math.Pi*t/float64(hw)))
		a := 2 * math.Pi * fc * t
		if a == 0 {
			return 2 * fc * w
		}
		return 2 * fc * math.Sin(a) / a * w
	}
	// One row of taps per output phase when there are not too many phases.
	var table [][]float64
	if up <= 4096 {
		table = make([][]float64, up)
		for p := range up {
			frac := float64(p) / float64(up)
			row := make([]float64, 2*hw+1)
			for k := -hw; k <= hw; k++ {
				row[k+hw] = kernel(float64(k) - frac)
			}
			table[p] = row
		}
	}
	for n := range nOut {
		pos := int64(n) * int64(down)
		i := int(pos / int64(up))
		p := int(pos % int64(up))
		var acc float64
		for k := -hw; k <= hw; k++ {
			j := i + k
			if j < 0 || j >= len(x) {
				continue
			}
			if table != nil {
				acc += float64(x[j]) * table[p][k+hw]
			} else {
				acc += float64(x[j]) * kernel(float64(k)-float64(p)/float64(up))
			}
		}
		out[n] = int16(max(-32768, min(32767, math.Round(acc))))
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// EncodeWAV writes 16-bit mono PCM samples at the given rate as a WAV file.
// Tests and tools use it to make fixtures.
func EncodeWAV(w io.Writer, samples []int16, rate int) error {
	var b bytes.Buffer
	data := uint32(2 * len(samples))
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, 36+data)
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(wavPCM), uint16(1), uint32(rate), uint32(2 * rate), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, data)
	binary.Write(&b, binary.LittleEndian, samples)
	_, err := w.Write(b.Bytes())
	return err
}
