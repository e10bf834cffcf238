package mqtt

import (
	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// copyingStore keeps its own copy of each outgoing PUBLISH. After a
// (re)connection with a kept session, paho's resume marks stored packets as
// duplicates while the connection may still be writing the same packet
// (paho.mqtt.golang issue #703, a data race). With a copy in the store,
// resume marks and resends the copy, which at worst delivers a QoS 1 message
// twice, as QoS 1 allows.
type copyingStore struct {
	paho.Store
}

func (s copyingStore) Put(key string, p packets.ControlPacket) {
	if pub, ok := p.(*packets.PublishPacket); ok {
		c := *pub
		p = &c
	}
	s.Store.Put(key, p)
}
