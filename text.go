package halte

import "strings"

// Text is one message in several languages, keyed by a BCP 47 language tag
// ("nl", "fr", "en", "de", "nl-BE"). A nil Text has no translation at all.
type Text map[string]string

// In returns the text for lang: an exact tag first, then any tag of the same
// base language ("nl-BE" for "nl", and "nl" for "nl-BE"). It returns "" when
// there is none.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	want := baseLanguage(lang)
	for tag, s := range t {
		if baseLanguage(tag) == want {
			return s
		}
	}
	return ""
}

// Empty reports whether no language holds any non-blank text.
func (t Text) Empty() bool {
	for _, s := range t {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func baseLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	base, _, _ = strings.Cut(base, "_")
	return base
}
