package mqtt

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"
)

// NodeOrder returns the nodes of one cluster in the order the client
// clientID tries them: an order of its own, the same at every start, drawn
// from its client id. A fleet whose devices are all given the same list
// spreads over the nodes, and the devices of a lost node over the others,
// instead of all asking the first node, then all the second.
func NodeOrder(nodes []string, clientID string) []string {
	h := fnv.New64a()
	h.Write([]byte(clientID))
	r := rand.New(rand.NewPCG(h.Sum64(), 0))
	out := slices.Clone(nodes)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// clusterPatience is how long a client of a cluster waits for a node to
// answer its connection and its ping, longer than the 30 s a node may
// wait for JetStream (js_api_timeout in firmware/nats/halte.conf). A node
// storing a network-wide change answers late; a device that gave up on it
// asked another node, which then replaced the first connection, more
// JetStream work for both: in the region benchmark the nodes left after a
// node's loss spent the next ten minutes on such takeovers.
const clusterPatience = 45 * time.Second
