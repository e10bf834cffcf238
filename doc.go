// Package halte is the domain of halte: what a disruption alert is, what a
// stop's state document holds, and how both are read from the wire and
// validated.
//
// It imports none of the project's adapters (MQTT, bbolt, audio, pins, feeds):
// they depend on it, never the other way round. Every function here is pure
// and takes the time as an argument where it needs one.
package halte
