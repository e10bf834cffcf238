package phrases

import (
	"fmt"
	"time"
)

// eveningFrom is the hour from which "tonight" is said.
const eveningFrom = 18

// Until says when something ends, relative to now: "tot vanavond 20 uur",
// "tot morgen 6 uur", "tot vrijdag 18 uur", "tot en met vrijdag 3 december".
// An end at midnight means "through the day before".
func (b *Book) Until(end, now time.Time) string {
	w := b.w
	end, now = end.In(b.loc), now.In(b.loc)
	days := daysBetween(now, end)
	if end.Hour() == 0 && end.Minute() == 0 && days >= 1 {
		last := end.AddDate(0, 0, -1)
		switch days {
		case 1:
			return w.untilMidnight
		case 2:
			return w.throughTomorrow
		}
		return fmt.Sprintf(w.throughDate, w.date(last))
	}
	t := w.clock(end)
	switch {
	case days == 0 && end.Hour() >= eveningFrom:
		return fmt.Sprintf(w.untilTonight, t)
	case days == 0:
		return fmt.Sprintf(w.until, t)
	case days == 1:
		return fmt.Sprintf(w.untilTomorrow, t)
	case days < 7:
		return fmt.Sprintf(w.untilWeekday, w.weekdays[end.Weekday()], t)
	}
	return fmt.Sprintf(w.untilDate, w.date(end), t)
}

// From says when something starts, relative to now: "vanaf 14 uur",
// "vanaf morgen", "vanaf maandag", "vanaf maandag 6 uur".
func (b *Book) From(start, now time.Time) string {
	w := b.w
	start, now = start.In(b.loc), now.In(b.loc)
	days := daysBetween(now, start)
	midnight := start.Hour() == 0 && start.Minute() == 0
	t := w.clock(start)
	switch {
	case days == 0 && start.Hour() >= eveningFrom:
		return fmt.Sprintf(w.fromTonight, t)
	case days == 0:
		return fmt.Sprintf(w.from, t)
	case days == 1 && midnight:
		return w.fromTomorrow
	case days == 1:
		return fmt.Sprintf(w.fromTomorrowAt, t)
	case days < 7 && midnight:
		return fmt.Sprintf(w.fromWeekday, w.weekdays[start.Weekday()])
	case days < 7:
		return fmt.Sprintf(w.fromWeekdayAt, w.weekdays[start.Weekday()], t)
	}
	return fmt.Sprintf(w.fromDate, w.date(start))
}

// daysBetween counts calendar days from a to b in a's location.
func daysBetween(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}
