package phrases

import (
	"fmt"
	"strings"

	"github.com/halte-transit/halte"
)

// lineList names lines as travelers say them, grouped by mode and direction,
// and says whether the subject is plural: "tram 1 en 4", "le tram 1 et le
// bus 70", "tram 1 en tram 4 richting UZ Gent".
func (w *words) lineList(lines []halte.Line) (string, bool) {
	var groups []string
	for i := 0; i < len(lines); {
		mode, dir := lines[i].Mode, lines[i].Direction
		var names []string
		for ; i < len(lines) && lines[i].Mode == mode && lines[i].Direction == dir; i++ {
			name := lines[i].Name
			if name == "" {
				name = lines[i].ID
			}
			names = append(names, name)
		}
		word, known := w.modes[mode]
		if !known {
			word = w.modes[""]
		}
		group := word[min(len(names)-1, 1)] + " " + w.join(names)
		if dir != "" {
			group += " " + fmt.Sprintf(w.toward, dir)
		}
		groups = append(groups, group)
	}
	return w.join(groups), len(lines) > 1
}

// join lists items: "a", "a en b", "a, b en c".
func (w *words) join(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + w.and + " " + items[len(items)-1]
}
