package phrases

import (
	"regexp"
	"strings"
	"unicode"
)

// Speakable makes an agency's text fit to be spoken in the book's language.
// Real feeds are written for screens, even in their text-to-speech fields:
// it turns line breaks and bullet lists into sentences and spoken lists,
// drops the sentences that only point to a web address or an e-mail
// address, says phone numbers digit by digit, removes the stop codes in
// brackets beside stop names, says shouted (ALL-CAPS) words as words, reads
// the feed's times and dates as people say them, and then applies the
// lexicon (street types, directions, "&", "@", abbreviations).
//
// A device makes the same texts speakable each time it prepares its
// answers, so the book remembers its last keptSpoken answers.
func (b *Book) Speakable(text string) string {
	b.mu.Lock()
	said, ok := b.spoken[text]
	b.mu.Unlock()
	if ok {
		return said
	}
	said = b.speakable(text)
	b.mu.Lock()
	if len(b.spoken) >= keptSpoken {
		clear(b.spoken) // a device's texts changed wholesale: start again
	}
	b.spoken[text] = said
	b.mu.Unlock()
	return said
}

// keptSpoken is how many of Speakable's answers a book remembers: far more
// than a stop's alerts in its languages.
const keptSpoken = 256

func (b *Book) speakable(text string) string {
	text = markup.ReplaceAllStringFunc(text, func(tag string) string {
		if blockTag.MatchString(tag) {
			return "\n"
		}
		return " "
	})
	text = b.lines(text)
	text = squareBrackets.Replace(text)
	text = dropLinks(text)
	text = phones.ReplaceAllStringFunc(text, sayDigits)
	text = stopCodes.ReplaceAllString(text, "")
	text = unshout(text)
	text = b.w.feedTimes(b.w, text)
	text = b.lex.Apply(b.w.tag, text)
	return tidy(dropLinks(tidy(text))) // again: an expansion or a folded space may have made one ("x@@y" → "x@aan.y", "www ." → "www.")
}

var (
	markup    = regexp.MustCompile(`<[^>]*>`)
	blockTag  = regexp.MustCompile(`(?i)^</?(br|p|li|div|ul|ol|h\d)\b`)
	urls      = regexp.MustCompile(`(?i)(?:\bhttps?://|\bwww\.)\S*|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|gov|edu|be|nl|fr|de|eu|info|no|pt)(?:/\S*)?\b`)
	emails    = regexp.MustCompile(`\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b`)
	phones    = regexp.MustCompile(`(?:\+\d{1,3}[ .-]?)?\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b|\b0\d{1,3}(?:[ .]\d{2,3}){3,4}\b|\b1-8\d\d-\d{3}-\d{4}\b`)
	stopCodes = regexp.MustCompile(`(?i)\s*[(\[]\s*(?:(?:stop|stop code|stop id|id|code|arrêt|halte|haltestelle|nr\.?|no\.?|n°)\s*)?#?\s*\d{3,}\s*[)\]]`)
	bullet    = regexp.MustCompile(`^\s*(?:[•·▪‣◦*–—-]|\d{1,2}[.)])\s+`)
	spaces    = regexp.MustCompile(`[ \t\x{00a0}]+`)
	points    = regexp.MustCompile(`([.!?])(?:\s*\.)+`)
	shouted   = regexp.MustCompile(`\b\p{Lu}{2,}(?:[ '’-]+\p{Lu}{2,})*\b`)

	squareBrackets = strings.NewReplacer("[", "(", "]", ")")
	looseMarks     = strings.NewReplacer(" .", ".", " ,", ",", " :", ":", " ;", ";", "( ", "(", " )", ")", "()", "")
)

// lines turns a text's lines into sentences: a line that ends with a colon
// introduces a list, whose items (up to a blank line) are said as one
// ("Affected routes: 9 and 11."); bullets are dropped; every other line ends
// with a full stop.
func (b *Book) lines(text string) string {
	if !strings.ContainsAny(text, "\r\n") {
		return text
	}
	var out []string
	var list []string
	head := ""
	flush := func() {
		if head != "" {
			if len(list) > 0 {
				head += " " + b.w.join(list)
			}
			out = append(out, ending(head))
		}
		head, list = "", nil
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		line = strings.TrimSpace(bullet.ReplaceAllString(line, ""))
		switch {
		case line == "":
			flush()
		case strings.HasSuffix(line, ":"):
			flush()
			head = line
		case head != "" && !strings.Contains(line, ": "):
			list = append(list, strings.TrimRight(line, ".,;"))
		case head != "":
			flush()
			out = append(out, ending(line))
		default:
			out = append(out, ending(line))
		}
	}
	flush()
	return strings.Join(out, " ")
}

// ending puts a full stop after a line that has no closing punctuation.
func ending(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || endsSentence(s) {
		return s
	}
	return strings.TrimRight(s, ":;,") + "."
}

// endsSentence reports whether s ends with a full stop, "?" or "!".
func endsSentence(s string) bool {
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!")
}

// dropLinks takes web and e-mail addresses out, and with them each
// sentence that was only about one: what is left of it has at most
// linkSentenceWords words ("Visit www.example.com for details." says
// nothing to a listener).
func dropLinks(text string) string {
	if !urls.MatchString(text) && !emails.MatchString(text) {
		return text
	}
	var keep []string
	for _, s := range cut(text, isSentenceEnd) {
		bare := emails.ReplaceAllString(urls.ReplaceAllString(s, ""), "")
		if bare != s && (len(strings.Fields(bare)) <= linkSentenceWords || strings.HasSuffix(strings.TrimRight(bare, ". "), ":")) {
			continue
		}
		keep = append(keep, bare)
	}
	return strings.Join(keep, " ")
}

// linkSentenceWords is the most words a sentence that held a link may have
// left to be taken as only about the link.
const linkSentenceWords = 8

// sayDigits reads a phone number digit by digit, its groups apart.
func sayDigits(number string) string {
	var groups []string
	for _, g := range strings.FieldsFunc(number, func(r rune) bool { return !unicode.IsDigit(r) }) {
		groups = append(groups, strings.Join(strings.Split(g, ""), " "))
	}
	return strings.Join(groups, ", ")
}

// unshout says shouted words as words: a run of capitals of five letters or
// more, or of two words or more, is put in lower case (the first letter of
// a sentence kept). Short acronyms ("MBTA", "UZ") stay as they are.
func unshout(text string) string {
	return shouted.ReplaceAllStringFunc(text, func(m string) string {
		letters := 0
		for _, r := range m {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters < 5 {
			return m
		}
		lower := strings.ToLower(m)
		return strings.ToUpper(lower[:1]) + lower[1:]
	})
}

// tidy folds spaces, puts punctuation against the word before it and
// folds repeated points.
func tidy(s string) string {
	s = spaces.ReplaceAllString(s, " ")
	s = looseMarks.Replace(s)
	s = points.ReplaceAllString(s, "$1")
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}
