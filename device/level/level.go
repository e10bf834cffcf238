// Package level is the arithmetic of loudness for a stop in the street: the
// A-weighted level of sound in dB relative to full scale, the equivalent
// level of the last seconds measured by a microphone, and the volume that
// puts speech a margin above it. It is pure: no device, no clock but the
// one given.
//
// Levels are in dBFS: 0 dB is a full-scale square wave, so a full-scale
// sine is −3 dB. A-weighting is the IEC 61672 analog filter made digital by
// the bilinear transform, normalized to 0 dB at 1 kHz. At the microphone's
// 48 kHz it is within 0.6 dB of the standard's curve from 20 Hz to 8 kHz
// (−3.7 dB instead of −2.5 dB at 10 kHz); for speech clips at 22,050 Hz it
// follows the curve to 5 kHz and falls away above, where speech carries
// little energy.
package level

import (
	"math"
	"math/cmplx"
)

// Silent is the level of no sound at all.
var Silent = math.Inf(-1)

// DB is the level of a mean square (of samples scaled to ±1).
func DB(meanSquare float64) float64 { return 10 * math.Log10(meanSquare) }

// Gain is the factor that changes a level by db.
func Gain(db float64) float64 { return math.Pow(10, db/20) }

// The poles of the A-weighting curve, in Hz.
const (
	poleLow  = 20.598997
	poleMid1 = 107.65265
	poleMid2 = 737.86223
	poleHigh = 12194.217
)

// AWeighting is a running A-weighting filter for one stream of samples.
type AWeighting struct {
	sections []section
	norm     float64
}

// section is a first-order digital filter y = (b0 x + b1 x₋₁ − a1 y₋₁) / a0.
type section struct {
	b0, b1, a0, a1 float64
	x1, y1         float64
}

// NewAWeighting returns the filter for a sample rate.
func NewAWeighting(rate int) *AWeighting {
	k := 2 * float64(rate)
	high := func(hz float64) section { // s / (s + ω)
		w := 2 * math.Pi * hz
		return section{b0: k, b1: -k, a0: k + w, a1: w - k}
	}
	low := func(hz float64) section { // ω / (s + ω)
		w := 2 * math.Pi * hz
		return section{b0: w, b1: w, a0: k + w, a1: w - k}
	}
	f := &AWeighting{sections: []section{high(poleLow), high(poleLow), high(poleMid1), high(poleMid2), low(poleHigh), low(poleHigh)}}
	f.norm = 1 / cmplx.Abs(f.response(1000, rate))
	return f
}

// response is the filter's complex gain at hz.
func (f *AWeighting) response(hz float64, rate int) complex128 {
	z1 := cmplx.Exp(complex(0, -2*math.Pi*hz/float64(rate))) // z⁻¹
	h := complex(1, 0)
	for _, s := range f.sections {
		h *= (complex(s.b0, 0) + complex(s.b1, 0)*z1) / (complex(s.a0, 0) + complex(s.a1, 0)*z1)
	}
	return h
}

// Response is the filter's gain in dB at hz.
func (f *AWeighting) Response(hz float64, rate int) float64 {
	return 20 * math.Log10(cmplx.Abs(f.response(hz, rate))*f.norm)
}

// SumSquares filters samples, continuing from the previous call, and
// returns the sum of the squares of the weighted samples (scaled to ±1).
func (f *AWeighting) SumSquares(samples []int16) float64 {
	sum := 0.0
	for _, v := range samples {
		x := float64(v) / 32768
		for i := range f.sections {
			s := &f.sections[i]
			y := (s.b0*x + s.b1*s.x1 - s.a1*s.y1) / s.a0
			s.x1, s.y1 = x, y
			x = y
		}
		x *= f.norm
		sum += x * x
	}
	return sum
}
