package halte

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// PCM is a mono clip of 16-bit signed samples, as speech engines make it and
// speakers play it.
type PCM struct {
	Rate    int // samples per second
	Samples []int16
}

// Duration is how long the clip plays.
func (p PCM) Duration() time.Duration {
	if p.Rate == 0 {
		return 0
	}
	return time.Duration(len(p.Samples)) * time.Second / time.Duration(p.Rate)
}

// Scaled returns a copy of the clip with every sample multiplied by volume
// (0 to 1).
func (p PCM) Scaled(volume float64) PCM {
	out := PCM{Rate: p.Rate, Samples: make([]int16, len(p.Samples))}
	for i, s := range p.Samples {
		out.Samples[i] = int16(float64(s) * volume)
	}
	return out
}

// Append returns the clip followed by more, which must have the same rate.
func (p PCM) Append(more ...PCM) PCM {
	out := PCM{Rate: p.Rate, Samples: append([]int16(nil), p.Samples...)}
	for _, m := range more {
		out.Samples = append(out.Samples, m.Samples...)
	}
	return out
}

// FromSound returns the clip from lead before its first sample louder than
// threshold (the whole clip when it is all quieter): a speech engine's own
// silence before the first word is a wait for the listener.
func (p PCM) FromSound(threshold int16, lead time.Duration) PCM {
	for i, s := range p.Samples {
		if s > threshold || s < -threshold {
			from := max(0, i-int(int64(p.Rate)*int64(lead)/int64(time.Second)))
			return PCM{Rate: p.Rate, Samples: p.Samples[from:]}
		}
	}
	return p
}

// Silence is d of silence at rate.
func Silence(rate int, d time.Duration) PCM {
	return PCM{Rate: rate, Samples: make([]int16, int(int64(rate)*int64(d)/int64(time.Second)))}
}

// Bytes returns the samples as little-endian bytes.
func (p PCM) Bytes() []byte {
	b := make([]byte, 2*len(p.Samples))
	for i, s := range p.Samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(s))
	}
	return b
}

// WriteWAV writes the clip as a RIFF WAVE file.
func (p PCM) WriteWAV(w io.Writer) error {
	data := p.Bytes()
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+len(data)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], 1) // mono
	binary.LittleEndian.PutUint32(h[24:], uint32(p.Rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(2*p.Rate))
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(len(data)))
	if _, err := w.Write(h); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// SaveWAV writes the clip to a WAVE file at path.
func (p PCM) SaveWAV(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := p.WriteWAV(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadWAV reads a mono 16-bit PCM WAVE stream. The data chunk runs to the end
// of the stream, as engines that write to a pipe leave its length unset.
func ReadWAV(r io.Reader) (PCM, error) {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil || string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return PCM{}, errors.New("not a WAVE stream")
	}
	var p PCM
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return PCM{}, errors.New("WAVE stream has no data chunk")
		}
		size := binary.LittleEndian.Uint32(ch[4:])
		switch string(ch[0:4]) {
		case "fmt ":
			f := make([]byte, size)
			if _, err := io.ReadFull(r, f); err != nil || size < 16 {
				return PCM{}, errors.New("WAVE fmt chunk is short")
			}
			format, channels, bits := binary.LittleEndian.Uint16(f[0:]), binary.LittleEndian.Uint16(f[2:]), binary.LittleEndian.Uint16(f[14:])
			if format != 1 || channels != 1 || bits != 16 {
				return PCM{}, fmt.Errorf("WAVE is format %d, %d channels, %d bits; want PCM, mono, 16 bits", format, channels, bits)
			}
			p.Rate = int(binary.LittleEndian.Uint32(f[4:]))
		case "data":
			if p.Rate == 0 {
				return PCM{}, errors.New("WAVE data chunk comes before its fmt chunk")
			}
			data, err := io.ReadAll(r)
			if err != nil {
				return PCM{}, err
			}
			p.Samples = make([]int16, len(data)/2)
			for i := range p.Samples {
				p.Samples[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
			}
			return p, nil
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size+size%2)); err != nil {
				return PCM{}, errors.New("WAVE stream ends inside a chunk")
			}
		}
	}
}
