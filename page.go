package halte

import "time"

// Words tells how many words each sentence of an item has when it is said
// in lang at now, from its first sentence whatever From and To say (Short
// counts). The policy keeps each answer within Rules.AnswerWords with it.
type Words func(it Item, lang string, now time.Time) []int

// moreWords is the room a page keeps for "press again for two more".
const moreWords = 8

// page fills one answer within budget words: head (the notices, the stop's
// name, the summary) always, then the items of body in order. The first is
// said in full if it fits, else as many of its sentences as fit, else by
// its short form; each next one in full if it fits, else by its short form
// if that fits. What is not said in full is returned as rest, and a "press
// again" item closes the page when there is a rest. A nil words says all.
func page(head, body []Item, budget int, words func(Item) []int) (said, rest []Item) {
	said = append(said, head...)
	if words == nil {
		return append(said, body...), nil
	}
	left := budget - moreWords
	for _, it := range head {
		left -= sum(words(it))
	}
	unsaid := 0
	for i, it := range body {
		all := words(it)
		all = all[min(it.From, len(all)):]
		if n := sum(all); n <= left {
			said, left = append(said, it), left-n
			continue
		}
		if i == 0 {
			if k := fits(all, left); k > 0 {
				part := it
				part.To = it.From + k
				said, left = append(said, part), 0
				it.From += k
				rest = append(rest, it)
				continue
			}
		}
		short := it
		short.Short, short.From, short.To = true, 0, 0
		if n := sum(words(short)); n <= left || i == 0 {
			said, left = append(said, short), left-n
		} else {
			unsaid++
			left = 0
		}
		rest = append(rest, it)
	}
	if len(rest) > 0 {
		said = append(said, Item{Kind: ItemMore, Count: unsaid})
	}
	return said, rest
}

// fits is how many of the first sentences fit in left words.
func fits(sentences []int, left int) int {
	k := 0
	for k < len(sentences) && sentences[k] <= left {
		left -= sentences[k]
		k++
	}
	return k
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
