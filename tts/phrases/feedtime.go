package phrases

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Times and dates as agencies write them, read as people say them in each
// language: "14h30" → "14 heures 30", "24/12" → "24 décembre", "14:30 Uhr"
// → "14 Uhr 30", "Mon-Fri" → "Monday to Friday". English clock times
// ("10:30 PM") are left to espeak-ng, which reads them well.
var (
	hourH      = regexp.MustCompile(`\b([01]?\d|2[0-3])\s?h\s?([0-5]\d)?\b`)      // 9h, 14h30, 14 h 30
	hourU      = regexp.MustCompile(`\b([01]?\d|2[0-3])u([0-5]\d)?\b`)            // 14u, 14u30
	clockUhr   = regexp.MustCompile(`\b([01]?\d|2[0-3])[:.]([0-5]\d)(?:\s?Uhr)?`) // 14:30 Uhr, 14.30 Uhr
	clockColon = regexp.MustCompile(`\b([01]?\d|2[0-3]):([0-5]\d)\b(?:\s?(?:uur|h)\b)?`)
	slashDate  = regexp.MustCompile(`\b([0-3]?\d)/([01]?\d)(?:/(\d{4}|\d{2}))?\b`)
	dotDate    = regexp.MustCompile(`\b([0-3]?\d)\.([01]?\d)\.(\d{4}|\d{2})?`)
	dayRangeEN = regexp.MustCompile(`\b(Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?\s?(?:-|–|to)\s?(Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b\.?`)
	dayRangeDE = regexp.MustCompile(`\b(Mo|Di|Mi|Do|Fr|Sa|So)\.?\s?(?:-|–|bis)\s?(Mo|Di|Mi|Do|Fr|Sa|So)\b\.?`)
)

var (
	enDays = map[string]string{"Mon": "Monday", "Tue": "Tuesday", "Tues": "Tuesday", "Wed": "Wednesday",
		"Thu": "Thursday", "Thur": "Thursday", "Thurs": "Thursday", "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}
	deDays = map[string]string{"Mo": "Montag", "Di": "Dienstag", "Mi": "Mittwoch", "Do": "Donnerstag",
		"Fr": "Freitag", "Sa": "Samstag", "So": "Sonntag"}
)

// feedTimesEnglish reads English feeds' weekday ranges.
func feedTimesEnglish(w *words, s string) string {
	return dayRangeEN.ReplaceAllStringFunc(s, func(m string) string {
		g := dayRangeEN.FindStringSubmatch(m)
		return enDays[g[1]] + " to " + enDays[g[2]]
	})
}

// feedTimesFrench reads "14h30" and "24/12/2026".
func feedTimesFrench(w *words, s string) string {
	return dayMonth(clocks(s, hourH, w), slashDate, w, "%d %s")
}

// feedTimesDutch reads "14u30", "14:30" and "24/12/2026".
func feedTimesDutch(w *words, s string) string {
	return dayMonth(clocks(clocks(s, hourU, w), clockColon, w), slashDate, w, "%d %s")
}

// feedTimesGerman reads "14:30 Uhr", "24.12.2026" and "Mo-Fr".
func feedTimesGerman(w *words, s string) string {
	s = dayRangeDE.ReplaceAllStringFunc(s, func(m string) string {
		g := dayRangeDE.FindStringSubmatch(m)
		return deDays[g[1]] + " bis " + deDays[g[2]]
	})
	return clocks(dayMonth(s, dotDate, w, "%d. %s"), clockUhr, w)
}

// clocks says each time of day that re matches (hour, then minutes) as w
// says a time.
func clocks(s string, re *regexp.Regexp, w *words) string {
	return re.ReplaceAllStringFunc(s, func(m string) string {
		g := re.FindStringSubmatch(m)
		return w.clock(clockOf(g[1], g[2]))
	})
}

// dayMonth reads the day-month dates that re matches as "24 décembre"
// (format takes the day and the month's name), with the year if given.
func dayMonth(s string, re *regexp.Regexp, w *words, format string) string {
	return re.ReplaceAllStringFunc(s, func(m string) string {
		g := re.FindStringSubmatch(m)
		day, _ := strconv.Atoi(g[1])
		month, _ := strconv.Atoi(g[2])
		if day < 1 || day > 31 || month < 1 || month > 12 {
			return m
		}
		out := fmt.Sprintf(format, day, w.months[month-1])
		if year := g[3]; year != "" {
			if len(year) == 2 {
				year = "20" + year
			}
			out += " " + year
		}
		return out
	})
}

// clockOf makes a time of day from an hour and optional minutes.
func clockOf(hour, minute string) time.Time {
	h, _ := strconv.Atoi(hour)
	m, _ := strconv.Atoi(minute)
	return time.Date(2000, 1, 1, h, m, 0, 0, time.UTC)
}
