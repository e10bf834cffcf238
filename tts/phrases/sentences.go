package phrases

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSentenceWords is the longest piece said as one sentence; a longer one
// is split at its semicolons, colons and commas, or else between words.
const maxSentenceWords = 25

// splitSentences cuts a text into the sentences a listener hears: at a
// full stop, question or exclamation mark followed by a capital or a digit,
// and at a colon or semicolon; pieces longer than maxSentenceWords are cut
// again at their commas, or between words. Joined with spaces, the pieces
// give the text back.
func splitSentences(text string) []string {
	var out []string
	for _, s := range cut(text, isSentenceEnd) {
		for _, c := range cut(s, isClauseEnd) {
			out = append(out, bounded(c)...)
		}
	}
	return out
}

// bounded splits a piece of more than maxSentenceWords words at commas,
// else every maxSentenceWords words.
func bounded(s string) []string {
	if len(strings.Fields(s)) <= maxSentenceWords {
		return []string{s}
	}
	var out []string
	var cur []string
	for _, part := range cut(s, func(text string, i int) bool { return text[i] == ',' }) {
		if n := len(strings.Fields(part)); len(cur) > 0 && len(strings.Fields(strings.Join(cur, " ")))+n > maxSentenceWords {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
		cur = append(cur, part)
	}
	out = append(out, strings.Join(cur, " "))
	var final []string
	for _, o := range out {
		words := strings.Fields(o)
		for len(words) > maxSentenceWords {
			final = append(final, strings.Join(words[:maxSentenceWords], " "))
			words = words[maxSentenceWords:]
		}
		final = append(final, strings.Join(words, " "))
	}
	return final
}

// cut splits text after each position where end holds and a space
// follows; the pieces are trimmed and none is empty.
func cut(text string, end func(text string, i int) bool) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		if end(text, i) && i+1 < len(text) && text[i+1] == ' ' {
			if p := strings.TrimSpace(text[start : i+1]); p != "" {
				out = append(out, p)
			}
			start = i + 1
		}
	}
	if p := strings.TrimSpace(text[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

// isSentenceEnd: a full stop, "?" or "!" followed by a space and a capital
// letter or a digit.
func isSentenceEnd(text string, i int) bool {
	if !strings.ContainsRune(".!?", rune(text[i])) {
		return false
	}
	rest := strings.TrimLeft(text[i+1:], " ")
	r, _ := utf8.DecodeRuneInString(rest)
	return rest != "" && (unicode.IsUpper(r) || unicode.IsDigit(r))
}

func isClauseEnd(text string, i int) bool { return text[i] == ';' || text[i] == ':' }
