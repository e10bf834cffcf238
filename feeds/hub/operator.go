package hub

import (
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
	a, err := halte.DecodeAlert(payload)
	if err == nil && a.ID != id {
		err = &halte.InputError{Reason: halte.ReasonInvalid, Field: "id",
			Problem: "alert " + a.ID + " was published on the topic of alert " + id}
	}
	if err != nil {
		s.reject(id, err)
		return nil
	}
	if a.Version <= s.versions[a.ID] {
		s.log.Info("operator alert ignored: not newer", "alert", a.ID, "version", a.Version, "have", s.versions[a.ID])
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
	return s.put(a, stops)
}

func (s *State) reject(id string, err error) {
	reason := halte.ReasonInvalid
	if ie, ok := err.(*halte.InputError); ok {
		reason = ie.Reason
	}
	s.Rejected[reason]++
	s.log.Warn("operator alert refused", "alert", id, "reason", string(reason), "err", err.Error())
}
