// Package mqtt holds halte's MQTT topics and the client set-up shared by the
// hub, the agent and the operator CLI: broker URLs, client options (stable
// client id, QoS 1, will message, resubscribe on connect) and waiting on
// tokens with a context.
package mqtt

import "strings"

// Root is the prefix of every halte topic; its last level is the version of
// the wire format.
const Root = "halte/v1"

// Topic filters for the subscriptions halte makes.
const (
	// StopsFilter matches every stop's state document.
	StopsFilter = Root + "/stops/+"
	// OperatorAlertsFilter matches every operator alert.
	OperatorAlertsFilter = Root + "/operator/alerts/+"
	// DeviceStatusFilter matches every device's status.
	DeviceStatusFilter = Root + "/devices/+/status"
	// DeviceEventsFilter matches every device's receipts.
	DeviceEventsFilter = Root + "/devices/+/events"
	// HubStatus is the hub's retained heartbeat, with a will.
	HubStatus = Root + "/hub/status"
)

// StopTopic is where the hub publishes the retained state document of stop.
func StopTopic(stop string) string { return Root + "/stops/" + stop }

// TriggerTopic is where apps and instructors ask stop to speak now.
func TriggerTopic(stop string) string { return Root + "/stops/" + stop + "/trigger" }

// OperatorAlertTopic is where operators publish alert id, retained.
func OperatorAlertTopic(id string) string { return Root + "/operator/alerts/" + id }

// DeviceStatusTopic is where a device publishes its retained status.
func DeviceStatusTopic(device string) string { return Root + "/devices/" + device + "/status" }

// DeviceEventsTopic is where a device publishes its receipts (what it announced).
func DeviceEventsTopic(device string) string { return Root + "/devices/" + device + "/events" }

// SyncTopic is a client's private loop-back topic: a marker published there
// comes back after every retained message the broker queued before it.
func SyncTopic(clientID string) string { return Root + "/sync/" + clientID }

// LastLevel returns the last level of a topic ("200144" for halte/v1/stops/200144).
func LastLevel(topic string) string {
	return topic[strings.LastIndexByte(topic, '/')+1:]
}
