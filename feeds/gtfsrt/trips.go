package gtfsrt

import (
	"cmp"
	"strconv"
	"time"

	rt "github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"

	"github.com/halte-transit/halte"
)

// TripOptions say how to read a TripUpdates feed.
type TripOptions struct {
	// Prefix goes before each alert id, as in Options.
	Prefix string
	// Trip gives a trip's route and direction from the static GTFS, for
	// trip descriptors that carry only a trip_id; nil knows none.
	Trip func(tripID string) (route, direction string, ok bool)
}

// DecodeTrips reads a GTFS-Realtime TripUpdates feed and returns what its
// trips say about stops not served: one NO_SERVICE alert for each line,
// direction and stop that trips skip (stop_time_update SKIPPED), active from
// the feed's time (or the first skipped call, if earlier) to a minute after
// the last skipped call. The alert carries no
// text: the phrase book says it from its effect, line and period. A trip
// whose line is not known is its own line; a skipped call without stop_id
// is counted as unmapped.
func DecodeTrips(data []byte, o TripOptions) ([]halte.FeedAlert, error) {
	msg, err := parse(data)
	if err != nil {
		return nil, err
	}
	feedTime := unix(msg.GetHeader().GetTimestamp())
	groups := map[halte.Selector]*halte.FeedAlert{}
	var order []halte.Selector
	var unmapped []string
	for _, e := range msg.GetEntity() {
		tu := e.GetTripUpdate()
		if e.GetIsDeleted() || tu == nil {
			continue
		}
		line := tripLine(tu.GetTrip(), o)
		updates := tu.GetStopTimeUpdate()
		for i, u := range updates {
			if u.GetScheduleRelationship() != rt.TripUpdate_StopTimeUpdate_SKIPPED {
				continue
			}
			if u.GetStopId() == "" {
				unmapped = append(unmapped, "skipped stop without stop_id")
				continue
			}
			at := callTime(updates, i)
			if at.IsZero() {
				at = feedTime
			}
			sel := line
			sel.Stop = u.GetStopId()
			fa, ok := groups[sel]
			if !ok {
				fa = &halte.FeedAlert{Alert: halte.Alert{ID: halte.SafeID(o.Prefix + skipID(sel)), Version: 1,
					Effect: halte.NoService}, Selectors: []halte.Selector{sel}}
				groups[sel] = fa
				order = append(order, sel)
			}
			widen(&fa.Alert, at)
		}
	}
	out := make([]halte.FeedAlert, 0, len(order))
	for _, sel := range order {
		fa := groups[sel]
		if ps := fa.Alert.Periods; len(ps) == 1 && !feedTime.IsZero() && feedTime.Before(ps[0].Start) {
			ps[0].Start = feedTime // said from now: the next vehicles do not stop
		}
		out = append(out, *fa)
	}
	if len(unmapped) > 0 && len(out) > 0 {
		out[0].Unmapped = unmapped // counted once per poll, with the feed's first alert
	}
	return out, nil
}

// tripLine is the selector of a trip's line and direction: the descriptor's
// route, else the static GTFS's, else the trip itself.
func tripLine(t *rt.TripDescriptor, o TripOptions) halte.Selector {
	sel := halte.Selector{Route: t.GetRouteId()}
	if t.DirectionId != nil {
		sel.Direction = strconv.Itoa(int(t.GetDirectionId()))
	}
	if o.Trip != nil {
		if route, dir, ok := o.Trip(t.GetTripId()); ok {
			sel.Route = cmp.Or(sel.Route, route)
			sel.Direction = cmp.Or(sel.Direction, dir)
		}
	}
	if sel.Route == "" {
		sel.Trip = t.GetTripId()
	}
	return sel
}

// callTime is when the vehicle would have called at updates[i]: its own
// time, else the nearest call before it, else the nearest after it.
func callTime(updates []*rt.TripUpdate_StopTimeUpdate, i int) time.Time {
	if t := eventTime(updates[i]); !t.IsZero() {
		return t
	}
	for j := i - 1; j >= 0; j-- {
		if t := eventTime(updates[j]); !t.IsZero() {
			return t
		}
	}
	for _, u := range updates[i+1:] {
		if t := eventTime(u); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func eventTime(u *rt.TripUpdate_StopTimeUpdate) time.Time {
	if t := u.GetArrival().GetTime(); t > 0 {
		return unix(uint64(t))
	}
	return unix(uint64(max(u.GetDeparture().GetTime(), 0)))
}

// widen makes a's one period cover a call at t: from the first skipped call
// to a minute after the last.
func widen(a *halte.Alert, t time.Time) {
	if t.IsZero() {
		return
	}
	p := halte.Period{Start: t, End: t.Add(time.Minute)}
	if len(a.Periods) == 1 {
		old := a.Periods[0]
		if old.Start.Before(p.Start) {
			p.Start = old.Start
		}
		if old.End.After(p.End) {
			p.End = old.End
		}
	}
	a.Periods = []halte.Period{p}
}

func skipID(sel halte.Selector) string {
	if sel.Route == "" {
		return "skip:trip:" + sel.Trip + ":" + sel.Stop
	}
	return "skip:" + sel.Route + ":" + sel.Direction + ":" + sel.Stop
}
