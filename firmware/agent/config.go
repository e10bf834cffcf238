package agent

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/mqtt"
)

// Config is a stop device's configuration, read from YAML. The comment of
// each field says what its zero value means.
type Config struct {
	// Broker is the MQTT broker URL (tcp://host:port), or a list of the
	// nodes of a cluster (mqtt.NodeOrder says in which order); required.
	Broker Brokers `yaml:"broker"`
	// Device names this device, stably: it is the MQTT client id's suffix
	// and the topic of its status; required.
	Device string `yaml:"device"`
	// Stops are the stop ids (GTFS stop_id) this device speaks for; at least one.
	Stops []string `yaml:"stops"`
	// StopName is the stop's name as a press says it first ("Korenmarkt,
	// perron 1"); "" means the name in the stop's document (the GTFS's).
	StopName string `yaml:"stop_name"`
	// StateDir holds the state file; required.
	StateDir string `yaml:"state_dir"`
	// HubKeys are PEM files of the hub's public keys; documents signed by
	// any of them are trusted. Required unless Insecure.
	HubKeys []string `yaml:"hub_keys"`
	// RevokedKeys are key ids no longer trusted.
	RevokedKeys []string `yaml:"revoked_keys"`
	// ReleaseKeys are PEM files of the public keys that sign halte's
	// releases; halte update installs only what one of them signed, and
	// none means updates are refused.
	ReleaseKeys []string `yaml:"release_keys"`
	// Insecure accepts unsigned documents: for closed test set-ups only.
	Insecure bool `yaml:"insecure"`
	// Username is the device's broker user; "" means anonymous.
	Username string `yaml:"username"`
	// PasswordFile holds the broker password; "" means none.
	PasswordFile string `yaml:"password_file"`
	// TLS configures ssl:// connections.
	TLS mqtt.TLSFiles `yaml:"tls"`
	// Session is what the broker keeps for the device between connections:
	// "kept" (or "", a persistent session: the stops' documents at QoS 1,
	// each acknowledged once committed) or "none" (a clean session, every
	// subscription at QoS 0: each connection's retained documents carry
	// the whole truth, and the version check orders them). "none" is for
	// brokers on which a kept subscription is costly, such as a NATS
	// cluster (a replicated JetStream consumer for each).
	Session string `yaml:"session"`
	// StatusSpread delays the status a device sends when it connects or
	// after a change by a random pause between half of it and all of it;
	// whatever changes meanwhile goes in the same status. 0 sends each at
	// once. On a cluster that replicates retained messages (NATS), a
	// network-wide change otherwise has it store every device's status
	// twice while it stores the stops' documents.
	StatusSpread time.Duration `yaml:"status_spread"`
	// Languages are spoken in this order of preference; none means [nl].
	Languages []string `yaml:"languages"`
	// Timezone reads times aloud; "" means Europe/Brussels.
	Timezone string `yaml:"timezone"`
	// StartupWait is how long the device waits for the broker before it
	// announces what it last knew; 0 means 3 s.
	StartupWait time.Duration `yaml:"startup_wait"`
	// HubSilence is how long the device, connected, may hear nothing live
	// (the hub's heartbeat comes every 30 s) before it subscribes again, in
	// case the broker stopped delivering to it; 0 means 3 min.
	HubSilence time.Duration `yaml:"hub_silence"`
	// Pins are the button, LED and vibration motor; none means no pins.
	Pins Pins `yaml:"pins"`
	// HTTP is the address of the stop's screen (host:port); "" means none.
	HTTP string `yaml:"http"`
	// LexiconDir holds the operator's pronunciation lexicons, one file per
	// language (nl.txt, fr.txt...), added to the built-in ones; "" means none.
	LexiconDir string `yaml:"lexicon_dir"`
	// Announce sets when and how loud the device speaks by itself.
	Announce AnnounceConfig `yaml:"announce"`
	// Audio says where speech goes.
	Audio AudioConfig `yaml:"audio"`
	// Microphone lets the volume follow the street's noise; no device
	// means the volume schedule alone.
	Microphone MicrophoneConfig `yaml:"microphone"`
	// Locator is a soft tick that helps a traveler find the device; no
	// period means none.
	Locator LocatorConfig `yaml:"locator"`
}

// MicrophoneConfig is the microphone that measures the street between the
// device's own announcements, so that speech stands Margin above it.
type MicrophoneConfig struct {
	// Device is the ALSA capture device ("default", "plughw:CARD=Device");
	// "" means no microphone.
	Device string `yaml:"device"`
	// MarginDB is how far speech stands above the street; 0 means 12 dB
	// (ISO 7731 asks 10 to 15 dB for signals).
	MarginDB float64 `yaml:"margin_db"`
	// MinVolume and MaxVolume bound the volume, 0 to 1; 0 means 0.2 and 1.
	// The volume schedule's volume at the hour is a further bound.
	MinVolume float64 `yaml:"min_volume"`
	MaxVolume float64 `yaml:"max_volume"`
	// Window is how long the street is measured over; 0 means 5 s.
	Window time.Duration `yaml:"window"`
}

// WithDefaults fills the zero values.
func (m MicrophoneConfig) WithDefaults() MicrophoneConfig {
	if m.MarginDB == 0 {
		m.MarginDB = 12
	}
	if m.MinVolume == 0 {
		m.MinVolume = 0.2
	}
	if m.MaxVolume == 0 {
		m.MaxVolume = 1
	}
	if m.Window == 0 {
		m.Window = 5 * time.Second
	}
	return m
}

// LocatorConfig is the locator tone: a soft tick every few seconds, paused
// while the device speaks, following the street's noise like speech.
type LocatorConfig struct {
	// Every is the period of the tick; 0 means no locator tone.
	Every time.Duration `yaml:"every"`
	// Volume is the tick's own schedule; a day volume of 0 means 0.2, and
	// no quiet hours means none from 22:00 to 07:00.
	Volume halte.VolumeSchedule `yaml:"volume"`
}

// withDefaults fills the zero values.
func (l LocatorConfig) withDefaults() LocatorConfig {
	if l.Volume.Day == 0 {
		l.Volume.Day = 0.2
	}
	if len(l.Volume.Quiet) == 0 {
		l.Volume.Quiet = []halte.QuietHours{{From: halte.Clock{Hour: 22}, To: halte.Clock{Hour: 7}, Silent: true}}
	}
	return l
}

// Pins name the device's pins as on the board ("GPIO17"); a pin left out
// is not used.
type Pins struct {
	Button    Pin `yaml:"button"`
	LED       Pin `yaml:"led"`
	Vibration Pin `yaml:"vibration"`
	// Gestures are the button's timings; zero values mean the defaults
	// (debounce 30 ms, double press within 350 ms, long press from 800 ms).
	Gestures struct {
		Debounce time.Duration `yaml:"debounce"`
		Double   time.Duration `yaml:"double"`
		Long     time.Duration `yaml:"long"`
	} `yaml:"gestures"`
}

// Brokers are broker URLs, in the order tried. In YAML, one URL or a list.
type Brokers []string

// UnmarshalYAML reads one URL or a list of them.
func (b *Brokers) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var one string
		if err := n.Decode(&one); err != nil {
			return err
		}
		*b = Brokers{one}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*b = list
	return nil
}

// Pin is one pin: its name, and whether it is active low. In YAML, a name
// alone ("GPIO17") or a mapping ({name: GPIO17, active_low: true}).
type Pin struct {
	Name      string `yaml:"name"`
	ActiveLow bool   `yaml:"active_low"`
}

// UnmarshalYAML reads a pin given as a name or as a mapping.
func (p *Pin) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&p.Name)
	}
	type plain Pin
	var v plain
	if err := n.Decode(&v); err != nil {
		return err
	}
	*p = Pin(v)
	return nil
}

// AnnounceConfig is the announcement policy's configuration; the zero value
// of each field means the default of halte.Rules.
type AnnounceConfig struct {
	RepeatEvery  time.Duration        `yaml:"repeat_every"`
	MinGap       time.Duration        `yaml:"min_gap"`
	Coalesce     time.Duration        `yaml:"coalesce"`
	StaleAfter   time.Duration        `yaml:"stale_after"`
	LanguageHold time.Duration        `yaml:"language_hold"`
	Volume       halte.VolumeSchedule `yaml:"volume"`
	ButtonVolume float64              `yaml:"button_volume"`
	// AnswerWords is the most words one answer says before "press again
	// for more"; 0 means 90 (about 35 seconds), -1 no limit.
	AnswerWords int `yaml:"answer_words"`
	// MoreFor is how long a press gives the rest of the last answer
	// rather than a new one; 0 means 2 minutes.
	MoreFor time.Duration `yaml:"more_for"`
}

// AudioConfig says how the device speaks.
type AudioConfig struct {
	// Output is "alsa" (the sound card, the default), "wav" (files in
	// WAVDir) or "none" (log only).
	Output string `yaml:"output"`
	// WAVDir is where Output "wav" writes; required with it.
	WAVDir string `yaml:"wav_dir"`
	// Rate is the speech rate in words per minute; 0 means 150.
	Rate int `yaml:"rate"`
	// SlowRate is the rate of "again, slower"; 0 means 115.
	SlowRate int `yaml:"slow_rate"`
	// CacheDir keeps synthesized speech; "" means cache/ in the state folder.
	CacheDir string `yaml:"cache_dir"`
	// CacheMB bounds the speech cache in MiB; 0 means 64.
	CacheMB int `yaml:"cache_mb"`
	// Espeak is the espeak-ng program; "" means espeak-ng on $PATH.
	Espeak string `yaml:"espeak"`
}

// LoadConfig reads a YAML configuration file. Unknown keys are errors, so
// that a misspelt key is not silently ignored.
func LoadConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(raw, path)
}

// ParseConfig reads a configuration from YAML; name (the file's) goes into
// the error. Unknown keys are refused.
func ParseConfig(raw []byte, name string) (Config, error) {
	path := name
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) { // an empty file is an empty configuration
		return Config{}, fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return c, nil
}

// Validate checks the configuration and names the key that is wrong.
func (c Config) Validate() error {
	if len(c.Broker) == 0 {
		return fmt.Errorf("config key broker: missing; want tcp://host:port, or a list of a cluster's nodes")
	}
	for _, b := range c.Broker {
		if _, err := mqtt.ResolveBroker(b); err != nil {
			return fmt.Errorf("config key broker: %w", err)
		}
	}
	if c.Device == "" || strings.ContainsAny(c.Device, "/+# ") {
		return fmt.Errorf("config key device: want a name without / + # or spaces, got %q", c.Device)
	}
	if len(c.Stops) == 0 {
		return errors.New("config key stops: name at least one stop id")
	}
	for _, s := range c.Stops {
		if s == "" || strings.ContainsAny(s, "/+# ") {
			return fmt.Errorf("config key stops: %q is not a stop id", s)
		}
	}
	if c.StateDir == "" {
		return errors.New("config key state_dir: name a folder for the state file")
	}
	if len(c.HubKeys) == 0 && !c.Insecure {
		return errors.New("config key hub_keys: name the hub's public key files (halte keys gen), so that only the hub's documents are spoken; or set insecure for a closed test set-up")
	}
	for _, l := range c.Languages {
		if len(l) < 2 {
			return fmt.Errorf("config key languages: %q is not a language (nl, fr, en, de)", l)
		}
	}
	if c.Session != "" && c.Session != "kept" && c.Session != "none" {
		return fmt.Errorf("config key session: %q; want kept (the broker keeps the device's session) or none (a clean session at QoS 0)", c.Session)
	}
	if c.StatusSpread < 0 {
		return fmt.Errorf("config key status_spread: %v; want a pause (30s) or 0 for none", c.StatusSpread)
	}
	if c.HubSilence != 0 && c.HubSilence < time.Second {
		return fmt.Errorf("config key hub_silence: %v; want a pause longer than the hub's heartbeat (3m), or 0 for 3 min", c.HubSilence)
	}
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			return fmt.Errorf("config key timezone: %v", err)
		}
	}
	switch c.Audio.Output {
	case "", "alsa", "none":
	case "wav":
		if c.Audio.WAVDir == "" {
			return errors.New("config key audio.wav_dir: required with audio.output wav")
		}
	default:
		return fmt.Errorf("config key audio.output: %q is not one of alsa, wav, none", c.Audio.Output)
	}
	if err := validSchedule("announce.volume", c.Announce.Volume); err != nil {
		return err
	}
	if c.Announce.ButtonVolume < 0 || c.Announce.ButtonVolume > 1 {
		return fmt.Errorf("config key announce.button_volume: %v is not between 0 and 1", c.Announce.ButtonVolume)
	}
	m := c.Microphone
	for key, v := range map[string]float64{"min_volume": m.MinVolume, "max_volume": m.MaxVolume} {
		if v < 0 || v > 1 {
			return fmt.Errorf("config key microphone.%s: %v is not between 0 and 1", key, v)
		}
	}
	if m = m.WithDefaults(); m.MinVolume > m.MaxVolume {
		return fmt.Errorf("config key microphone.min_volume: %v is above max_volume %v", m.MinVolume, m.MaxVolume)
	}
	if c.Locator.Every < 0 {
		return fmt.Errorf("config key locator.every: %v is negative", c.Locator.Every)
	}
	return validSchedule("locator.volume", c.Locator.Volume)
}

// validSchedule checks a volume schedule given under key.
func validSchedule(key string, v halte.VolumeSchedule) error {
	if v.Day < 0 || v.Day > 1 {
		return fmt.Errorf("config key %s.day: %v is not between 0 and 1", key, v.Day)
	}
	for i, q := range v.Quiet {
		if q.Volume < 0 || q.Volume > 1 {
			return fmt.Errorf("config key %s.quiet[%d].volume: %v is not between 0 and 1", key, i, q.Volume)
		}
		if q.From == q.To {
			return fmt.Errorf("config key %s.quiet[%d]: from and to are both %s", key, i, q.From)
		}
	}
	return nil
}
