package amd

import "errors"

// Sentinel errors. Callers branch on them with errors.Is; the returned errors
// wrap them with detail.
var (
	// ErrInvalidConfig: a Config field is out of range. The error names the field.
	ErrInvalidConfig = errors.New("amd: invalid config")
	// ErrNotWAV: the input is not a RIFF/WAVE file.
	ErrNotWAV = errors.New("amd: not a WAV file")
	// ErrUnsupportedFormat: a WAV encoding, sample width or rate this reader does not decode.
	ErrUnsupportedFormat = errors.New("amd: unsupported WAV format")
	// ErrTruncated: the WAV file ends inside a header or before its first sample.
	ErrTruncated = errors.New("amd: truncated WAV file")
)
