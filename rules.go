package halte

import (
	"fmt"
	"time"
)

// Rules configure the announcement policy. The comment of each field says
// what its zero value means.
type Rules struct {
	// Languages are spoken in this order of preference; none means [nl].
	Languages []string
	// Location reads quiet hours; nil means UTC.
	Location *time.Location
	// RepeatEvery is how often the active alerts are announced again,
	// automatically; 0 means 15 minutes, a negative value never.
	RepeatEvery time.Duration
	// MinGap is the least time between the starts of two automatic
	// announcements; 0 means 1 minute.
	MinGap time.Duration
	// Coalesce is how long changes are gathered into one announcement; 0
	// means 3 seconds.
	Coalesce time.Duration
	// StaleAfter is how long without word from the hub makes the
	// information possibly out of date; 0 means 3 minutes.
	StaleAfter time.Duration
	// EndingSoon keeps an alert that ends within it from being announced
	// as new; 0 means 2 minutes.
	EndingSoon time.Duration
	// LanguageHold is how long a traveler's choice of language lasts; 0
	// means 2 minutes.
	LanguageHold time.Duration
	// Upcoming is how far ahead an answer mentions alerts to come; 0 means
	// 24 hours, a negative value never.
	Upcoming time.Duration
	// RemoteGap is the least time between two remote triggers that are
	// answered; 0 means 10 seconds.
	RemoteGap time.Duration
	// Volume is the schedule of automatic announcements' volume.
	Volume VolumeSchedule
	// ButtonVolume is the volume of an answer to a traveler; 0 means the
	// day volume, whatever the hour.
	ButtonVolume float64
	// AnswerWords is the most words one answer says before "press again for
	// more"; 0 means 90 (about 35 seconds), a negative value no limit.
	AnswerWords int
	// MoreFor is how long "press again" gives the rest of the last answer
	// rather than a new one; 0 means 2 minutes.
	MoreFor time.Duration
	// Words measures what an item says, for AnswerWords; nil means no limit.
	Words Words
	// StopName is the stop's name as the device says it; "" means the name
	// in the stop's document.
	StopName string
}

// withDefaults fills the zero values once.
func (r Rules) withDefaults() Rules {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&r.RepeatEvery, 15*time.Minute)
	def(&r.MinGap, time.Minute)
	def(&r.Coalesce, 3*time.Second)
	def(&r.StaleAfter, 3*time.Minute)
	def(&r.EndingSoon, 2*time.Minute)
	def(&r.LanguageHold, 2*time.Minute)
	def(&r.Upcoming, 24*time.Hour)
	def(&r.RemoteGap, 10*time.Second)
	def(&r.MoreFor, 2*time.Minute)
	if r.AnswerWords == 0 {
		r.AnswerWords = 90
	}
	if len(r.Languages) == 0 {
		r.Languages = []string{"nl"}
	}
	if r.Location == nil {
		r.Location = time.UTC
	}
	if r.Volume.Day == 0 {
		r.Volume.Day = 1
	}
	if r.ButtonVolume == 0 {
		r.ButtonVolume = r.Volume.Day
	}
	return r
}

// VolumeSchedule sets the volume of automatic announcements by time of day.
type VolumeSchedule struct {
	// Day is the volume outside quiet hours, 0 to 1; 0 means 1.
	Day float64 `yaml:"day"`
	// Quiet are the quiet hours; none means the day volume all day.
	Quiet []QuietHours `yaml:"quiet"`
}

// QuietHours is a time of day with a lower volume, or silence, for automatic
// announcements. From after To spans midnight ("22:00" to "06:00").
type QuietHours struct {
	From   Clock   `yaml:"from"`
	To     Clock   `yaml:"to"`
	Volume float64 `yaml:"volume"`
	// Silent keeps automatic announcements from being made at all.
	Silent bool `yaml:"silent"`
}

// At returns the automatic volume at t and whether automatic announcements
// are silenced.
func (v VolumeSchedule) At(t time.Time) (volume float64, silent bool) {
	m := t.Hour()*60 + t.Minute()
	for _, q := range v.Quiet {
		from, to := q.From.minutes(), q.To.minutes()
		inside := from <= m && m < to
		if from > to { // across midnight
			inside = m >= from || m < to
		}
		if inside {
			return q.Volume, q.Silent
		}
	}
	return v.Day, false
}

// Clock is a time of day, written "HH:MM".
type Clock struct{ Hour, Minute int }

func (c Clock) minutes() int { return c.Hour*60 + c.Minute }

// UnmarshalText reads "HH:MM".
func (c *Clock) UnmarshalText(b []byte) error {
	var h, m int
	if _, err := fmt.Sscanf(string(b), "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return fmt.Errorf("%q is not a time of day; want HH:MM, as in 22:30", b)
	}
	*c = Clock{h, m}
	return nil
}

// String writes "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }
