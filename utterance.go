package halte

import "time"

// ItemKind is what one part of an utterance says.
type ItemKind int

// The parts an utterance is made of.
const (
	ItemChime        ItemKind = iota // the attention chime
	ItemStale                        // "this information may be out of date", with Since
	ItemSummary                      // "two disruptions at this stop", with Count
	ItemAlert                        // one alert, with Alert
	ItemUpcoming                     // an alert to come, with Alert and Start
	ItemNone                         // "no disruptions reported", with Since
	ItemLanguageName                 // the language's own name
	ItemStopName                     // the stop's own name, with Name
	ItemMore                         // "press again for two more", with Count (0: for the rest)
)

// Item is one part of an utterance; which fields count depends on Kind.
type Item struct {
	Kind  ItemKind
	Stop  string
	Alert Alert
	// Also are the alerts said together with Alert because they say the
	// same (see Merge); Alert then names the lines of all of them.
	Also []Item
	// From and To are the sentences of the alert to say: [From, To), To 0
	// meaning to the end. A long alert is said over several answers.
	From, To int
	// Short says only the alert's short form: its header, or the sentence
	// made from its effect, lines and end.
	Short bool
	// Name is the stop's name (ItemStopName).
	Name  string
	Count int
	// Since is the last update from the hub (ItemStale, ItemNone); zero
	// means never.
	Since time.Time
	// Start is when an upcoming alert begins.
	Start time.Time
}

// Priority orders utterances: one may cut another of lower priority.
type Priority int

// Priorities, lowest first.
const (
	PriorityRoutine   Priority = iota // an automatic repeat
	PriorityAutomatic                 // a new or changed alert
	PrioritySevere                    // a new or changed severe alert
	PriorityRemote                    // asked for over MQTT
	PriorityTraveler                  // asked for at the stop, with the button
)

// Trigger says why something is said; receipts and logs carry it.
type Trigger string

// The triggers.
const (
	TriggerStart    Trigger = "start"    // what the device knew when it started
	TriggerNew      Trigger = "new"      // an alert started
	TriggerChanged  Trigger = "changed"  // an alert changed materially
	TriggerRepeat   Trigger = "repeat"   // the periodic repeat
	TriggerButton   Trigger = "button"   // a traveler pressed the button
	TriggerSlower   Trigger = "slower"   // a double press: again, slower
	TriggerLanguage Trigger = "language" // a long press: the next language
	TriggerRemote   Trigger = "remote"   // a trigger over MQTT
)

// Utterance is what to say at once, in order, in one language.
type Utterance struct {
	// Seq numbers the utterances of one policy; Playing and Finished events
	// name the utterance they are about by it.
	Seq      uint64
	Items    []Item
	Lang     string
	Trigger  Trigger
	Priority Priority
	Slow     bool
	Volume   float64
}

// Gesture is what a traveler did with the button.
type Gesture int

// The gestures.
const (
	Single Gesture = iota // one press: speak, or next alert during speech
	Double                // two presses: repeat slower
	Long                  // a long press: next language
)

// EventKind is what happened.
type EventKind int

// The events the policy takes.
const (
	Tick          EventKind = iota // time passed (a wake-up came due), or stored state changed
	Touch                          // the button went down: acknowledge at once, before the gesture is known
	Press                          // the button, with Gesture
	RemoteTrigger                  // a trigger over MQTT: speak now
	Contact                        // word from the hub: a document or its heartbeat
	Synced                         // the broker delivered its retained documents: the start-up hold ends
	Playing                        // the speaker started item Index of the current utterance
	Finished                       // the speaker finished or was cut
)

// Event is one input of the policy.
type Event struct {
	Kind    EventKind
	At      time.Time
	Gesture Gesture // Press
	Seq     uint64  // Playing, Finished: which utterance
	Index   int     // Playing: which item
}

// ActionKind is what the policy asks of the device.
type ActionKind int

// The actions.
const (
	Say         ActionKind = iota // say Utterance, cutting what is playing
	Skip                          // cut the current item and go on with the next
	Acknowledge                   // a short vibration or click: the touch was felt
	SetSignal                     // show Signal on the LED and vibration motor
)

// Action is one output of the policy.
type Action struct {
	Kind      ActionKind
	Utterance Utterance
	Signal    Signal
}

// Signal is the state shown by light and vibration.
type Signal struct {
	Alerts   int      `json:"alerts"`   // active alerts at the device's stops
	Severity Severity `json:"severity"` // the most severe of them
	Stale    bool     `json:"stale"`    // the information may be out of date
	Fault    bool     `json:"fault"`    // a part of the device fails (set by the device, not the policy)
}
