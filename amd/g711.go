package amd

import "math/bits"

// G.711 (ITU-T G.711) companding: 8-bit µ-law and A-law codes to and from
// 16-bit linear PCM. Decoding is a table lookup.

var ulawTable, alawTable [256]int16

func init() {
	for i := range 256 {
		ulawTable[i] = ulawDecode(byte(i))
		alawTable[i] = alawDecode(byte(i))
	}
}

func ulawDecode(u byte) int16 {
	u = ^u
	exp := (u >> 4) & 7
	mant := int32(u & 0x0f)
	s := ((mant << 3) + 0x84) << exp
	s -= 0x84
	if u&0x80 != 0 {
		return int16(-s)
	}
	return int16(s)
}

func alawDecode(a byte) int16 {
	a ^= 0x55
	exp := (a >> 4) & 7
	mant := int32(a & 0x0f)
	var s int32
	if exp == 0 {
		s = mant<<4 + 8
	} else {
		s = (mant<<4 + 0x108) << (exp - 1)
	}
	if a&0x80 != 0 {
		return int16(s)
	}
	return int16(-s)
}

// ULawToLinear returns the linear value of a µ-law code.
func ULawToLinear(u byte) int16 { return ulawTable[u] }

// ALawToLinear returns the linear value of an A-law code.
func ALawToLinear(a byte) int16 { return alawTable[a] }

// DecodeULaw appends the linear samples of µ-law codes to dst and returns it.
func DecodeULaw(dst []int16, src []byte) []int16 {
	for _, c := range src {
		dst = append(dst, ulawTable[c])
	}
	return dst
}

// DecodeALaw appends the linear samples of A-law codes to dst and returns it.
func DecodeALaw(dst []int16, src []byte) []int16 {
	for _, c := range src {
		dst = append(dst, alawTable[c])
	}
	return dst
}

// LinearToULaw encodes a 16-bit sample as µ-law.
func LinearToULaw(s int16) byte {
	const bias, clip = 0x84, 32635
	v := int32(s)
	var sign byte
	if v < 0 {
		sign = 0x80
		v = -v
	}
	v = min(v, clip) + bias
	exp := byte(bits.Len32(uint32(v>>7))) - 1 // v >= 0x84, so v>>7 >= 1
	mant := byte(v>>(exp+3)) & 0x0f
	return ^(sign | exp<<4 | mant)
}

// LinearToALaw encodes a 16-bit sample as A-law.
func LinearToALaw(s int16) byte {
	v := int32(s)
	pos := v >= 0
	if !pos {
		v = -v - 1
	}
	mag := v >> 3 // 13-bit magnitude, 0..4095
	var code byte
	if mag < 32 {
		code = byte(mag >> 1)
	} else {
		exp := bits.Len32(uint32(mag)) - 5
		code = byte(exp<<4) | byte(mag>>exp)&0x0f
	}
	if pos {
		code |= 0x80
	}
	return code ^ 0x55
}
