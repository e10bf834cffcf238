package hub

import (
	"fmt"

	"github.com/halte-transit/halte"
)

// ApplyAlert takes an operator's alert payload from topic id and returns the
// stops whose documents may change. An empty payload (a cleared retained
// message) ends the alert like a cancel document. A refused payload is
// logged, counted and changes nothing.
func (s *State) ApplyAlert(id string, payload []byte) []string {
	if len(payload) == 0 {
		return s.remove(id)
	}
	body, err := open(s.Operators, payload)
	var a halte.Alert
	if err == nil {
		a, err = halte.DecodeAlert(body)
	}
	if err == nil && a.ID != id {
		err = &halte.InputError{Reason: halte.ReasonInvalid, Field: "id",
			Problem: "alert " + a.ID + " was published on the topic of alert " + id}
	}
	if err == nil {
		err = a.CheckFresh(s.now())
	}
	if err == nil && a.Version <= s.versions[a.ID] {
		err = &halte.InputError{Reason: halte.ReasonReplay, Field: "version",
			Problem: fmt.Sprintf("version %d is not newer than %d", a.Version, s.versions[a.ID])}
	}
	if err != nil {
		s.reject(id, err)
		return nil
	}
	s.versions[a.ID] = a.Version
	if a.Cancelled {
		s.log.Info("operator alert cancelled", "alert", a.ID, "version", a.Version)
		return s.remove(a.ID)
	}
	a.Lines = s.lines(a.Lines)
	stops := s.resolveAll(a.ID, a.Selectors())
	if len(stops) == 0 {
		s.reject(id, &halte.InputError{Reason: halte.ReasonInvalid, Field: "stops",
			Problem: "none of the alert's stops and lines is in the GTFS"})
		return s.remove(a.ID)
	}
	s.log.Info("operator alert accepted", "alert", a.ID, "version", a.Version, "stops", len(stops))
	return s.put(a, stops, false)
}

func (s *State) reject(id string, err error) {
	reason := halte.ReasonInvalid
	if ie, ok := err.(*halte.InputError); ok {
		reason = ie.Reason
	}
	s.Rejected[reason]++
	s.log.Warn("operator alert refused", "alert", id, "reason", string(reason), "err", err.Error())
}
